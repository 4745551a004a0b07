/**
 * The six kinds of invalid message a peer can inject (bad signature, schema violation, far-future
 * timestamp, non-member issuer, oversize, replay outside the window: p2p.md#validation), and what the
 * attacker injecting them (attacker.ts) needs: to forget ids quickly. Shared by the in-process test
 * (network/invalid.test.ts) and the process one (e2e/network.e2e.test.ts).
 */
import {
  canonicalize,
  createMemorySigningJournal,
  type MemberKey,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/network/gossip/scoringParams.js';
import { alertPayload } from '../node/fixtures.js';
import type { AttackerOptions } from './attacker.js';

/**
 * What an attacker injecting these kinds needs (startAttacker): a seen-cache short enough that it can
 * publish the expired replay, a message it has itself received from the victim, again.
 */
export const INVALID_KINDS_ATTACKER: AttackerOptions = { seenTtlMs: 500 };

export interface InvalidKindsOptions {
  /** A member's key: only the tampered field makes each of its messages invalid. */
  readonly member: MemberKey;
  /** A key of no member. */
  readonly outsider: MemberKey;
  /**
   * The honest message to inject again, resolved once it is older than maxAge + 2·skew and the victim's
   * gossip seen-cache (maxAge + 2·skew after it first saw it) has forgotten it: the caller knows when.
   */
  readonly expiredReplay: () => Promise<Uint8Array>;
}

/** Each kind's reason code beside a maker of one such message, in the order the tests inject them. */
export async function invalidKinds(
  opts: InvalidKindsOptions,
): Promise<Array<readonly [code: string, make: () => Promise<Uint8Array>]>> {
  const journal = createMemorySigningJournal();
  const sign = async (key: MemberKey, over: Partial<UnsignedEnvelope>): Promise<Uint8Array> => {
    const now = Date.now();
    const unsigned: UnsignedEnvelope = {
      sfr: '1.0',
      type: 'ContagionAlert',
      issuer: key.address,
      seq: 1_000_000,
      issuedAt: now,
      payload: alertPayload(now) as UnsignedEnvelope['payload'],
      ...over,
    };
    return (await signEnvelope({ privateKey: key.privateKey, guard: journal, unsigned })).wire;
  };
  const enc = new TextEncoder();
  const good = JSON.parse(new TextDecoder().decode(await sign(opts.member, { seq: 1_000_001 })));
  const schemaPayload = alertPayload(Date.now(), 2);
  delete schemaPayload['subject'];
  return [
    [
      'ENVELOPE_BAD_SIGNATURE',
      async () => enc.encode(canonicalize({ ...good, payload: alertPayload(Date.now(), 1), seq: 1_000_002 })),
    ],
    [
      'SCHEMA_REQUIRED',
      () => sign(opts.member, { seq: 1_000_003, payload: schemaPayload as UnsignedEnvelope['payload'] }),
    ],
    ['ENVELOPE_FAR_FUTURE', () => sign(opts.member, { seq: 1_000_004, issuedAt: Date.now() + 3_600_000 })],
    ['GOSSIP_NOT_MEMBER', () => sign(opts.outsider, { seq: 1 })],
    [
      'ENVELOPE_TOO_LARGE',
      () =>
        sign(opts.member, {
          seq: 1_000_005,
          payload: {
            ...alertPayload(Date.now(), 3),
            summary: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES),
          } as UnsignedEnvelope['payload'],
        }),
    ],
    ['ENVELOPE_EXPIRED', opts.expiredReplay],
  ];
}
