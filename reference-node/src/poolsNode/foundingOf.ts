import type { PoolCharter } from '@sfr/schemas/types';
import type { Hex } from '../envelope/index.js';
import { addrKey } from '../pools/amounts.js';
import { charterText, charterTextHash } from '../pools/charterText.js';
import { byTimeThenId } from '../pools/readPoolMessage.js';
import type { PoolMessage } from '../pools/types.js';

/** One founding (epoch 0) text of a pool and who signed it (pools.md#founding). */
export type FoundingText = {
  payloadHash: Hex;
  charter: PoolCharter;
  /** Every member the text lists, ascending address, with the message id of its first signature. */
  members: { member: string; messageId: Hex | null }[];
  /** Every listed member signed it. */
  complete: boolean;
  /** Signers in the order their signatures were issued (canonical order). */
  signers: string[];
  /** `issuedAt` of the first member signature. */
  firstSignedAt: number;
};

/** One charter text of an epoch held here and its signatures: the first per signer, in canonical order. */
export type HeldText = { payloadHash: Hex; charter: PoolCharter; signed: PoolMessage[] };

/**
 * The distinct charter texts of `poolId` at `epoch` among `messages` (the signer's own `sfr.settlement`
 * extension stripped, pools.md#terminology), each with its first signature per signer in canonical
 * order; the earliest signed text first (ties: lower payload hash).
 */
export function textsOf(messages: Iterable<PoolMessage>, poolId: string, epoch: number): HeldText[] {
  const byHash = new Map<Hex, { charter: PoolCharter; signed: PoolMessage[] }>();
  for (const m of messages) {
    if (m.envelope.type !== 'PoolCharter') continue;
    const charter = charterText(m.envelope.payload as unknown as PoolCharter);
    if (charter.epoch !== epoch || addrKey(charter.poolId) !== addrKey(poolId)) continue;
    const hash = charterTextHash(charter);
    const t = byHash.get(hash) ?? { charter, signed: [] };
    t.signed.push(m);
    byHash.set(hash, t);
  }
  const out: HeldText[] = [];
  for (const [payloadHash, t] of byHash) {
    const seen = new Set<string>();
    const signed: PoolMessage[] = [];
    for (const m of [...t.signed].sort(byTimeThenId)) {
      const k = addrKey(m.envelope.issuer);
      if (seen.has(k)) continue;
      seen.add(k);
      signed.push(m);
    }
    out.push({ payloadHash, charter: t.charter, signed });
  }
  const first = (t: HeldText) => t.signed[0]?.envelope.issuedAt ?? 0;
  return out.sort((a, b) => first(a) - first(b) || (a.payloadHash < b.payloadHash ? -1 : 1));
}

/**
 * The founding texts of `poolId` among `messages`, the earliest signed first: each distinct epoch-0
 * text and, per member it lists, whether that member's signature of this text is held. Signatures by
 * non-members are not counted (pools.md#charter-envelopes rule 7).
 */
export function foundingOf(messages: Iterable<PoolMessage>, poolId: string): FoundingText[] {
  const texts: FoundingText[] = [];
  for (const t of textsOf(messages, poolId, 0)) {
    const listed = new Set(t.charter.members.map((m) => addrKey(m.member)));
    const first = new Map<string, PoolMessage>();
    for (const m of t.signed)
      if (listed.has(addrKey(m.envelope.issuer))) first.set(addrKey(m.envelope.issuer), m);
    const members = [...listed]
      .sort()
      .map((member) => ({ member, messageId: (first.get(member)?.messageId ?? null) as Hex | null }));
    texts.push({
      payloadHash: t.payloadHash,
      charter: t.charter,
      members,
      complete: members.every((m) => m.messageId !== null),
      signers: [...first.keys()],
      firstSignedAt: Math.min(...[...first.values()].map((m) => m.envelope.issuedAt)),
    });
  }
  return texts
    .filter((t) => t.signers.length > 0)
    .sort((a, b) => a.firstSignedAt - b.firstSignedAt || (a.payloadHash < b.payloadHash ? -1 : 1));
}

/**
 * The founding text this member co-signs on its own (pools.md#founding), or null: the earliest text
 * that lists `me`, that `me` has not signed, and that an address of `coSignFrom` signed — and only
 * while `me` has signed no founding text of the pool (a member signs one founding text).
 */
export function textToCoSign(
  texts: readonly FoundingText[],
  me: string,
  coSignFrom: readonly string[],
): FoundingText | null {
  const trusted = new Set(coSignFrom.map(addrKey));
  const mine = addrKey(me);
  if (trusted.size === 0 || texts.some((t) => t.signers.includes(mine))) return null;
  return (
    texts.find((t) => t.members.some((m) => m.member === mine) && t.signers.some((s) => trusted.has(s))) ??
    null
  );
}
