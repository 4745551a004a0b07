/**
 * What a node does once a claim's round is decided (settlement.md#settling-exactly-once,
 * pools.md#decision-messages): an approving member's node publishes the decision with its settlement
 * signature (step 1) and takes its turn to submit `settle` (steps 2-5, submitSettlements.ts); when
 * nobody has published the decision yet, the members publish it in turns of `stagger` by ascending
 * address (usually one decision message per claim, never none). The pool service calls `onDecided`
 * from its tick for every decided claim.
 */
import type { Hex, LocalAccount } from 'viem';
import type { Logger } from '../logging/index.js';
import type { PublishOptions } from '../node/index.js';
import { buildClaimDecision, type ClaimView, expectedDomainOf } from '../pools/index.js';
import { approversOf, settlementOf, signSettlement, vaultDomainOf } from './settleClaims.js';
import type { ClaimSettler, HeldPool } from './submitSettlements.js';
import { vaultStepOf } from './vaultSignatures.js';

/** The pool service's publish path for a decision (a refusal is a PoolServiceError). */
export type PublishDecision = (
  type: 'ClaimDecision',
  payload: object,
  options: Omit<PublishOptions, 'domain'> & { domain?: PublishOptions['domain'] | null },
) => Promise<{ messageId: Hex }>;

export interface DecisionPublisher {
  /**
   * The signed decision (when this member approved), this node's `settle` turn, then the decision
   * itself when still unpublished.
   */
  onDecided(e: HeldPool, poolId: Hex, c: ClaimView, t: number): Promise<void>;
}

const lower = (s: string) => s.toLowerCase();

export function createDecisionPublisher(p: {
  me: string;
  /** Member k (ascending address) publishes an unpublished decision only `k × stagger` ms after it. */
  stagger: number;
  publish: PublishDecision;
  settler: ClaimSettler;
  /** The member's own key, when it can sign for the vault (an EOA member whose node holds its key). */
  vaultSigner: LocalAccount | null;
  /** Whether a contract member's owners sign for a vault on `chain` (node.md#multisig-members rule 11). */
  ownersSignOn: (chain: string) => boolean;
  /** The pool service's logger. */
  log?: Logger | undefined;
}): DecisionPublisher {
  const { me, stagger, publish, vaultSigner, ownersSignOn, log } = p;
  /** Decisions being published right now (`decision:`, `signed:` by claim): no double work. */
  const busy = new Set<string>();

  /**
   * An approving member's node publishes the decision it recomputed with its settlement signature in
   * the `sfr.settlement` extension, once (settlement.md#settling-exactly-once step 1): the signature
   * is deterministic (RFC 6979) over a digest the pinned decision fixes, so signing again after a
   * restart gives the same bytes, never a second settlement.
   */
  async function publishSignedDecision(e: HeldPool, poolId: Hex, c: ClaimView): Promise<void> {
    const settlesOn = c.claim.snapshot.charter.settlement.chain;
    if ((vaultSigner === null && !ownersSignOn(settlesOn)) || !approversOf(c).includes(me)) return;
    const domain = vaultDomainOf(c);
    const key = `signed:${c.claim.claimId}`;
    if (domain === null || busy.has(key)) return;
    const mine = [...e.state.messages.values()].some(
      (m) =>
        m.envelope.type === 'ClaimDecision' &&
        lower(m.envelope.issuer) === me &&
        (m.envelope.payload as { claimId?: unknown }).claimId === c.claim.claimId,
    );
    if (mine) return;
    const payload = buildClaimDecision(poolId, c);
    const settlementStruct = payload === null ? null : settlementOf(c, payload);
    if (payload === null || settlementStruct === null) return;
    busy.add(key);
    if (vaultSigner === null) {
      // Its owners sign the settlement, then the decision carrying it, at their pace: not awaited here,
      // and asked once per process (`busy` keeps the key; after a restart the held proposal answers).
      const vault = vaultStepOf(`settlement:${e.poolId}:${c.claim.claimId}:${c.round}`, domain, {
        settlement: settlementStruct,
      });
      void publish('ClaimDecision', payload, {
        scope: { poolId: e.poolId, epoch: c.claim.snapshot.epoch },
        domain: expectedDomainOf(c.claim.snapshot.charter),
        vault,
      }).then(
        (r) =>
          log?.info(
            { claimId: c.claim.claimId, messageId: r.messageId },
            'decision published with the Safe settlement signature',
          ),
        (err: unknown) =>
          log?.warn(
            { claimId: c.claim.claimId, err: { message: (err as Error).message } },
            'Safe settlement signature not published',
          ),
      );
      return;
    }
    try {
      const extensions = await signSettlement(vaultSigner, domain, settlementStruct);
      const r = await publish(
        'ClaimDecision',
        { ...payload, extensions },
        {
          scope: { poolId: e.poolId, epoch: c.claim.snapshot.epoch },
          domain: expectedDomainOf(c.claim.snapshot.charter),
        },
      );
      log?.info(
        { claimId: c.claim.claimId, messageId: r.messageId },
        'decision published with the settlement signature',
      );
    } finally {
      busy.delete(key);
    }
  }

  async function onDecided(e: HeldPool, poolId: Hex, c: ClaimView, t: number): Promise<void> {
    if (c.decision === null) return;
    await publishSignedDecision(e, poolId, c).catch((err: unknown) =>
      log?.warn(
        { claimId: c.claim.claimId, err: { message: (err as Error).message } },
        'settlement signature not published',
      ),
    );
    await p.settler
      .submit(e, poolId, c, false)
      .catch((err: unknown) =>
        log?.warn({ claimId: c.claim.claimId, err: { message: (err as Error).message } }, 'settle not sent'),
      );
    const published = [...e.state.messages.values()].some(
      (m) =>
        m.envelope.type === 'ClaimDecision' &&
        (m.envelope.payload as { claimId?: unknown }).claimId === c.claim.claimId,
    );
    if (published || busy.has(`decision:${c.claim.claimId}`)) return;
    // A contract member's owners are asked for one decision: the signed one, when it approved.
    if (busy.has(`signed:${c.claim.claimId}`)) return;
    const ranked = c.claim.snapshot.charter.members.map((x) => lower(x.member)).sort();
    const rank = ranked.indexOf(me);
    if (rank < 0 || t < c.decision.decidedAt + rank * stagger) return;
    const payload = buildClaimDecision(poolId, c);
    if (payload === null) return;
    busy.add(`decision:${c.claim.claimId}`);
    try {
      const r = await publish('ClaimDecision', payload, {
        scope: { poolId: e.poolId, epoch: c.claim.snapshot.epoch },
        domain: expectedDomainOf(c.claim.snapshot.charter),
      });
      log?.info(
        { claimId: c.claim.claimId, outcome: payload.outcome, messageId: r.messageId },
        'decision published',
      );
    } finally {
      busy.delete(`decision:${c.claim.claimId}`);
    }
  }

  return { onDecided };
}
