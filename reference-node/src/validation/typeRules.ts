/**
 * The per-type gossip rules the node enforces after every envelope rule (spec/v1/envelope.md#verification
 * rules 32–33), on an envelope whose schema and signature the pipeline already checked, so that a
 * message they refuse is never stored or relayed. Rules that read what the node holds (the alert an
 * all-clear resolves, the issuer's announced protocol, the pool's messages) get it from the context.
 */
import { isMessageType, isPoolScopedType, type MessageType, validate } from '@sfr/schemas';
import { retractedIdOf, retractionExtensionOf } from '../envelope/index.js';
import type { OwnProtocolVerdict } from './announcedProtocols.js';
import { ACCEPT, ignore, reject, type ValidationOutcome } from './outcome.js';
import type { TypeRules, WireEnvelope } from './types.js';

/** What the type rules read of the node's state (`createNode` provides it). */
export interface TypeRuleContext {
  /** The issuer (lower-case) of a message the node holds, or undefined when it holds none with this id. */
  issuerOf(messageId: string): Promise<string | undefined>;
  /** The type, issuer (lower-case) and payload of a message the node holds, or undefined when it holds none with this id. */
  heldMessage(
    messageId: string,
  ): Promise<{ type: string; issuer: string; payload: Readonly<Record<string, unknown>> } | undefined>;
  /** Whether a RecoveryEvent is about its issuer's own protocol (messages.md#recoveryevent, `announcedProtocols.ts`). */
  judgeOwnProtocol(event: { issuer: string; seq: number; protocol: unknown }): OwnProtocolVerdict;
  /**
   * The pool rules' verdict (pools.md#gossip-admission) on a pool message, or on an
   * EquivocationEvidence whose embedded envelopes are pool messages (`poolId` is their pool).
   */
  checkPool(envelope: WireEnvelope, id: string, poolId: string): ValidationOutcome;
}

/** The pool an envelope belongs to: its `scope.poolId`, or for EquivocationEvidence that of its first envelope. */
function poolOf(envelope: WireEnvelope): string | undefined {
  if (isPoolScopedType(envelope.type)) return envelope.scope?.poolId;
  if (envelope.type !== 'EquivocationEvidence') return undefined;
  const first = envelope.payload['first'] as { scope?: { poolId?: unknown } } | undefined;
  return typeof first?.scope?.poolId === 'string' ? first.scope.poolId : undefined;
}

/** One type's rules; `context` is undefined where no held state is available (benchmarks, dry runs). */
type TypeRule = (
  envelope: WireEnvelope,
  id: string,
  context: TypeRuleContext | undefined,
) => ValidationOutcome | Promise<ValidationOutcome>;

/** @rule 32 [REJECT] A NodeAnnouncement's `member` is its `issuer`. — GOSSIP_ANNOUNCEMENT_MEMBER_MISMATCH */
const checkAnnouncementMember: TypeRule = (envelope) => {
  const member = envelope.payload['member'];
  // `member` is an address or a CAIP-10 account id ending with the address.
  if (typeof member !== 'string' || !member.toLowerCase().endsWith(envelope.issuer.toLowerCase())) {
    return reject('GOSSIP_ANNOUNCEMENT_MEMBER_MISMATCH', { member, issuer: envelope.issuer });
  }
  return ACCEPT;
};

/**
 * @rule 33.1 [IGNORE] A RecoveryEvent's `protocol` is the protocol its issuer announced. —
 * GOSSIP_RECOVERY_NOT_OWN_PROTOCOL. Not final (an announcement between may arrive later, and the
 * IGNORE is not remembered), so readers of held events judge again when they read
 * (messages.md#recoveryevent).
 */
const checkOwnProtocol: TypeRule = (envelope, _id, context) => {
  if (context === undefined) return ACCEPT;
  const protocol = envelope.payload['protocol'];
  const verdict = context.judgeOwnProtocol({ issuer: envelope.issuer, seq: envelope.seq, protocol });
  return verdict === 'foreign'
    ? ignore('GOSSIP_RECOVERY_NOT_OWN_PROTOCOL', { protocol, issuer: envelope.issuer.toLowerCase() })
    : ACCEPT;
};

/** @rule 33.2 [IGNORE] / [REJECT] A pool message (or evidence about one) passes the pool rules. — their code */
const checkPoolAdmission: TypeRule = (envelope, id, context) => {
  const poolId = poolOf(envelope);
  return context === undefined || poolId === undefined ? ACCEPT : context.checkPool(envelope, id, poolId);
};

/**
 * @rule 33.3 [IGNORE] A ContagionAlert's `resolves` names no alert the node holds from another issuer. —
 * ALERT_RESOLVE_NOT_ISSUER
 */
const checkResolvesOwnAlert: TypeRule = (envelope, _id, context) => {
  const resolves = envelope.payload['resolves'];
  if (context === undefined || typeof resolves !== 'string') return ACCEPT;
  const issuer = envelope.issuer.toLowerCase();
  return context
    .issuerOf(resolves)
    .then((alertIssuer) =>
      alertIssuer !== undefined && alertIssuer !== issuer
        ? ignore('ALERT_RESOLVE_NOT_ISSUER', { resolves, alertIssuer, issuer })
        : ACCEPT,
    );
};

// @rule 33.4 A RecoveryEvent carrying the `sfr.retraction` extension (messages.md#retraction):
//   [REJECT] the extension is valid under Retraction.schema.json, `relatesTo` is exactly
//            `[retracts]` and `severity` is `info` (on the message alone) — GOSSIP_RETRACTION_INVALID;
//   [IGNORE] the event it retracts, when held, is a RecoveryEvent of the same issuer —
//            GOSSIP_RETRACTION_NOT_ISSUER;
//   [IGNORE] ... of the same `kind` and `protocol`, and not itself a retraction — GOSSIP_RETRACTION_MISMATCH.
//   The IGNOREs are not final (the retracted event may arrive later): the store marks an event
//   retracted only by a retraction of its own issuer, whichever arrived first.
const checkRetraction: TypeRule = async (envelope, _id, context) => {
  const extension = retractionExtensionOf(envelope.payload);
  if (extension === undefined) return ACCEPT;
  const checked = validate('Retraction', extension);
  if (!checked.ok) {
    const issue = checked.issues[0];
    return reject('GOSSIP_RETRACTION_INVALID', {
      pointer: `/payload/extensions/sfr.retraction${issue?.pointer ?? ''}`,
      expected: issue?.message ?? 'a value valid under Retraction.schema.json',
    });
  }
  const retracts = retractedIdOf(envelope.payload) as string;
  const relatesTo = envelope.payload['relatesTo'];
  if (!Array.isArray(relatesTo) || relatesTo.length !== 1 || relatesTo[0] !== retracts)
    return reject('GOSSIP_RETRACTION_INVALID', {
      pointer: '/payload/relatesTo',
      expected: `["${retracts}"]`,
    });
  if (envelope.payload['severity'] !== 'info')
    return reject('GOSSIP_RETRACTION_INVALID', { pointer: '/payload/severity', expected: 'info' });
  const held = context === undefined ? undefined : await context.heldMessage(retracts);
  if (held === undefined) return ACCEPT;
  const issuer = envelope.issuer.toLowerCase();
  if (held.type !== 'RecoveryEvent' || held.issuer !== issuer)
    return ignore('GOSSIP_RETRACTION_NOT_ISSUER', { retracts, retractedIssuer: held.issuer, issuer });
  for (const field of ['kind', 'protocol'] as const) {
    if (held.payload[field] !== envelope.payload[field])
      return ignore('GOSSIP_RETRACTION_MISMATCH', {
        retracts,
        field,
        expected: held.payload[field],
      });
  }
  if (retractionExtensionOf(held.payload) !== undefined)
    return ignore('GOSSIP_RETRACTION_MISMATCH', {
      retracts,
      field: 'retracts',
      expected: 'an event that is not a retraction',
    });
  return ACCEPT;
};

/** A RecoveryEvent's rules in order: 33.1, then 33.4. */
const checkRecoveryEvent: TypeRule = async (envelope, id, context) => {
  const own = await checkOwnProtocol(envelope, id, context);
  return own.outcome === 'accept' ? checkRetraction(envelope, id, context) : own;
};

/** Each message type's rules (envelope.md#verification rules 32–33): a new type must be listed here. */
const RULES_OF_TYPE: Record<MessageType, TypeRule> = {
  RecoveryEvent: checkRecoveryEvent,
  ContagionAlert: checkResolvesOwnAlert,
  PoolCharter: checkPoolAdmission,
  FundClaim: checkPoolAdmission,
  ClaimAttestation: checkPoolAdmission,
  ClaimDecision: checkPoolAdmission,
  NodeAnnouncement: checkAnnouncementMember,
  EquivocationEvidence: checkPoolAdmission,
};

/** Without a context only the rules that need no held state apply (benchmarks, dry runs). */
export function createTypeRules(context?: TypeRuleContext): TypeRules {
  // Rule 8 refused every other type before these rules run.
  return (envelope, id) =>
    isMessageType(envelope.type) ? RULES_OF_TYPE[envelope.type](envelope, id, context) : ACCEPT;
}
