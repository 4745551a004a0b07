import type { PoolCharter } from '@sfr/schemas/types';
import type { Hex } from '../envelope/index.js';
import { addrKey, eip155ChainId, parseUint256, sameAsset } from './amounts.js';
import { charterText, charterTextHash } from './charterText.js';
import { POOL_CODES, type PoolCode, type PoolRefusal } from './codes.js';
import { byTimeThenId } from './readPoolMessage.js';
import type { AdoptedCharter, PoolMessage } from './types.js';
import { cappedWeights, meetsQuorum } from './weights.js';

/**
 * The charter's own rules beyond its schema (pools.md#charter-rules), in spec order;
 * null when it satisfies them.
 */
export function checkCharter(charter: PoolCharter): PoolCode | null {
  const seen = new Set<string>();
  for (const m of charter.members) {
    if (seen.has(addrKey(m.member))) return 'POOL_DUPLICATE_MEMBER';
    seen.add(addrKey(m.member));
  }
  if (charter.maxMemberWeightBps < 1) return 'POOL_WEIGHT_CAP_INVALID';
  // A claim is decided by the members other than the claimant.
  if (charter.quorum.minMembers > charter.members.length - 1) return 'POOL_QUORUM_UNREACHABLE';
  if (!charter.payoutAssets.some((a) => sameAsset(a, charter.valuation.unitAsset)))
    return 'POOL_UNIT_ASSET_NOT_PAYOUT';
  const amounts = [
    charter.deductible.fixed,
    charter.caps.perClaim,
    charter.caps.perMemberPerPeriod,
    charter.caps.perPeriod,
    charter.payoutRateLimit.maxAmount,
    charter.claimDeposit.value,
    ...charter.members.flatMap((m) => m.commitments.map((c) => c.value)),
  ];
  if (amounts.some((v) => parseUint256(v) === null)) return 'POOL_AMOUNT_OUT_OF_RANGE';
  return null;
}

/** The envelope `domain` a pool message must carry under `charter` (pools.md#messages). */
export function expectedDomainOf(
  charter: PoolCharter,
): { chainId: number; verifyingContract: string } | null {
  const chainId = eip155ChainId(charter.settlement.chain);
  return chainId === null ? null : { chainId, verifyingContract: charter.settlement.vault };
}

export function domainMatches(message: PoolMessage, charter: PoolCharter): boolean {
  const want = expectedDomainOf(charter);
  const got = message.envelope.domain;
  if (!want || !got) return !want && !got;
  return got.chainId === want.chainId && addrKey(got.verifyingContract) === addrKey(want.verifyingContract);
}

/** Check result and hash per payload object, so a view recomputed over the same messages does neither again. */
const payloadMemo = new WeakMap<object, { bad: PoolCode | null; hash: Hex | null }>();

type Candidate = { payloadHash: Hex; charter: PoolCharter; messages: PoolMessage[] };

export type ResolveChartersReturnType = {
  poolId: Hex | null;
  charters: AdoptedCharter[];
  refused: PoolRefusal[];
};

function refuse(
  refused: PoolRefusal[],
  messages: PoolMessage[],
  code: PoolCode | 'ENVELOPE_DOMAIN_MISMATCH',
  outcome?: 'ignore' | 'reject',
): void {
  const o =
    outcome ?? (code !== 'ENVELOPE_DOMAIN_MISMATCH' && POOL_OUTCOME[code] === 'ignore' ? 'ignore' : 'reject');
  for (const m of messages) refused.push({ messageId: m.messageId, outcome: o, code });
}

const POOL_OUTCOME = POOL_CODES as Record<PoolCode, string>;

/** First signature per signer, in canonical order. */
function firstPerSigner(messages: PoolMessage[]): PoolMessage[] {
  const seen = new Set<string>();
  const out: PoolMessage[] = [];
  for (const m of [...messages].sort(byTimeThenId)) {
    const k = addrKey(m.envelope.issuer);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(m);
    }
  }
  return out;
}

function pickEarliest<T extends { completeAt: number; candidate: Candidate }>(list: T[]): T | undefined {
  return [...list].sort(
    (a, b) => a.completeAt - b.completeAt || (a.candidate.payloadHash < b.candidate.payloadHash ? -1 : 1),
  )[0];
}

/** Why an amendment text may not replace `prev` (pools.md#amendments rules 1–2, #leaving), or null. */
function amendmentTextRefusal(prev: AdoptedCharter, next: PoolCharter): PoolCode | null {
  if (next.previousCharter === undefined || !prev.ids.includes(next.previousCharter as Hex))
    return 'POOL_AMENDMENT_BAD_PREVIOUS';
  const before = new Map(prev.charter.members.map((m) => [addrKey(m.member), m]));
  const after = new Map(next.members.map((m) => [addrKey(m.member), m]));
  for (const [key, m] of after) {
    const old = before.get(key);
    if (
      m.leavingAt !== undefined &&
      m.leavingAt !== old?.leavingAt &&
      m.leavingAt < next.effectiveAt + prev.charter.noticePeriodMs
    ) {
      return 'POOL_NOTICE_TOO_SHORT';
    }
  }
  for (const [key, old] of before) {
    if (!after.has(key) && (old.leavingAt === undefined || old.leavingAt > next.effectiveAt)) {
      return 'POOL_MEMBER_REMOVED_WITHOUT_NOTICE';
    }
  }
  return null;
}

type Complete = { candidate: Candidate; completeAt: number; signed: PoolMessage[] };

/**
 * The adopted charter of every epoch (pools.md#charter-adoption, #amendments) from all
 * `PoolCharter` envelopes seen, and the one refusal of every envelope not carrying an adopted
 * text, by the ordered list of pools.md#charter-envelopes: scope, pool, domain, the text's own
 * rules, then (epoch ≥ 1) founded and previous epoch, then the signer, then adoption. Epoch 0 is
 * adopted when every founding member signed one text; epoch e+1 when members of epoch e carrying
 * its quorum, and every member the amendment adds, signed one text naming one of epoch e's
 * envelopes as `previousCharter`. Among complete texts of one epoch the earliest completed wins
 * (ties: lower payload hash); every other text of that epoch is superseded. Independent of input
 * order.
 */
export function resolveCharters(messages: PoolMessage[], poolId?: Hex): ResolveChartersReturnType {
  const refused: PoolRefusal[] = [];
  const byHash = new Map<Hex, Candidate>();
  const textCache = new Map<string, { bad: PoolCode | null; hash: Hex | null }>();
  for (const m of messages) {
    // The text, without the signer's own vault signature (pools.md#terminology).
    const charter = charterText(m.envelope.payload as unknown as PoolCharter);
    const scope = m.envelope.scope;
    // 1. scope
    if (!scope || scope.poolId !== charter.poolId || scope.epoch !== charter.epoch) {
      refuse(refused, [m], 'POOL_SCOPE_MISMATCH');
      continue;
    }
    // 2. another pool's charter
    if (poolId !== undefined && charter.poolId !== poolId) {
      refuse(refused, [m], 'POOL_WRONG_POOL');
      continue;
    }
    // 3. the domain its own text requires
    if (!domainMatches(m, charter)) {
      refuse(refused, [m], 'ENVELOPE_DOMAIN_MISMATCH');
      continue;
    }
    // 4. the text's own rules (many members sign one text: check and hash each distinct text once;
    // JSON.stringify is a cheap exact pre-key, texts spelled in another key order meet under one hash)
    const memo = payloadMemo.get(m.envelope.payload);
    const quick = memo ? '' : JSON.stringify(m.envelope.payload);
    const known = memo ?? textCache.get(quick);
    const bad = known ? known.bad : checkCharter(charter);
    if (bad) {
      textCache.set(quick, { bad, hash: null });
      payloadMemo.set(m.envelope.payload, { bad, hash: null });
      refuse(refused, [m], bad);
      continue;
    }
    const hash = known?.hash ?? charterTextHash(charter);
    textCache.set(quick, { bad: null, hash });
    payloadMemo.set(m.envelope.payload, { bad: null, hash });
    const c = byHash.get(hash) ?? { payloadHash: hash, charter, messages: [] };
    c.messages.push(m);
    byHash.set(hash, c);
  }
  const candidates = [...byHash.values()];
  const charters: AdoptedCharter[] = [];

  // Epoch 0: every founding member signs; a signature by anyone else is refused (7).
  const founding: Complete[] = [];
  const pending: PoolMessage[][] = [];
  for (const c of candidates.filter((c) => c.charter.epoch === 0)) {
    const members = new Set(c.charter.members.map((m) => addrKey(m.member)));
    const isMember = (m: PoolMessage) => members.has(addrKey(m.envelope.issuer));
    refuse(
      refused,
      c.messages.filter((m) => !isMember(m)),
      'POOL_SIGNER_NOT_MEMBER',
    );
    const signed = firstPerSigner(c.messages.filter(isMember));
    const all = c.messages.filter(isMember);
    if (signed.length === members.size) {
      founding.push({
        candidate: c,
        completeAt: Math.max(...signed.map((m) => m.envelope.issuedAt)),
        signed: all,
      });
    } else pending.push(all);
  }
  // With several founding texts seen (several pool ids when none is given), the pool is the earliest founded.
  const first = pickEarliest(founding);
  // 8–9. Until a text is fully signed, its signatures wait; once one is adopted, every other
  // epoch-0 text of the pool, complete or not, is superseded (pools.md#charter-envelopes).
  for (const f of founding) {
    if (f === first) continue;
    const other = first !== undefined && f.candidate.charter.poolId !== first.candidate.charter.poolId;
    refuse(refused, f.signed, other ? 'POOL_WRONG_POOL' : 'POOL_AMENDMENT_SUPERSEDED');
  }
  for (const list of pending) {
    const p = (list[0]?.envelope.payload as unknown as PoolCharter | undefined)?.poolId;
    const code =
      first === undefined
        ? 'POOL_NOT_FOUNDED'
        : p !== first.candidate.charter.poolId
          ? 'POOL_WRONG_POOL'
          : 'POOL_AMENDMENT_SUPERSEDED';
    refuse(refused, list, code);
  }
  if (!first) {
    // 5. amendments of a pool not founded
    refuse(
      refused,
      candidates.filter((c) => c.charter.epoch > 0).flatMap((c) => c.messages),
      'POOL_NOT_FOUNDED',
    );
    return { poolId: null, charters, refused };
  }
  const pool = first.candidate.charter.poolId as Hex;
  charters.push(adopt(first.candidate, first.signed, first.completeAt));

  const later = candidates.filter((c) => c.charter.epoch > 0);
  for (let epoch = 1; ; epoch++) {
    const here = later.filter((c) => c.charter.epoch === epoch && c.charter.poolId === pool);
    if (here.length === 0) break;
    const prev = charters[charters.length - 1] as AdoptedCharter;
    if (prev.epoch !== epoch - 1) break;
    const complete: Complete[] = [];
    const waiting: { list: PoolMessage[]; code: PoolCode }[] = [];
    const prevWeights = cappedWeights(prev.charter.members, prev.charter.maxMemberWeightBps);
    let prevTotal = 0n;
    for (const w of prevWeights.values()) prevTotal += w;
    for (const c of here) {
      // 6. previousCharter names an envelope of the adopted epoch e
      if (c.charter.previousCharter === undefined || !prev.ids.includes(c.charter.previousCharter as Hex)) {
        refuse(refused, c.messages, 'POOL_AMENDMENT_BAD_PREVIOUS');
        continue;
      }
      // 7. the signer is a member of epoch e or one the text adds
      const newMembers = new Set(
        c.charter.members.map((m) => addrKey(m.member)).filter((k) => !prevWeights.has(k)),
      );
      const isSigner = (m: PoolMessage) =>
        prevWeights.has(addrKey(m.envelope.issuer)) || newMembers.has(addrKey(m.envelope.issuer));
      refuse(
        refused,
        c.messages.filter((m) => !isSigner(m)),
        'POOL_SIGNER_NOT_MEMBER',
      );
      const mine = c.messages.filter(isSigner);
      // 8. amendment rule 2 (leaving)
      const bad = amendmentTextRefusal(prev, c.charter);
      if (bad) {
        refuse(refused, mine, bad);
        continue;
      }
      // 8. amendment rules 3–4: completion at the first signature (canonical order) after which both hold
      let weight = 0n;
      let count = 0;
      let newSigned = 0;
      let completeAt: number | null = null;
      for (const m of firstPerSigner(mine)) {
        const w = prevWeights.get(addrKey(m.envelope.issuer));
        if (w !== undefined) {
          weight += w;
          count++;
        } else newSigned++;
        if (meetsQuorum(prev.charter, weight, count, prevTotal) && newSigned === newMembers.size) {
          completeAt = m.envelope.issuedAt;
          break;
        }
      }
      if (completeAt === null) {
        waiting.push({
          list: mine,
          code: meetsQuorum(prev.charter, weight, count, prevTotal)
            ? 'POOL_NEW_MEMBER_NOT_SIGNED'
            : 'POOL_AMENDMENT_NO_QUORUM',
        });
        continue;
      }
      // 8. amendment rule 5
      if (c.charter.effectiveAt < completeAt || c.charter.effectiveAt < prev.charter.effectiveAt) {
        refuse(refused, mine, 'POOL_AMENDMENT_RETROACTIVE');
        continue;
      }
      // Signatures after completion still carry the same text: they are ids of this charter too.
      complete.push({ candidate: c, completeAt, signed: mine });
    }
    const winner = pickEarliest(complete);
    // 9. once a text of the epoch is adopted, every other text of it that is only waiting is superseded
    for (const f of complete) if (f !== winner) refuse(refused, f.signed, 'POOL_AMENDMENT_SUPERSEDED');
    for (const w of waiting) refuse(refused, w.list, winner ? 'POOL_AMENDMENT_SUPERSEDED' : w.code);
    if (!winner) break;
    charters.push(adopt(winner.candidate, winner.signed, winner.completeAt));
  }
  // 6. epochs that do not follow an adopted one
  const last = charters.length - 1;
  refuse(
    refused,
    later.filter((c) => c.charter.poolId === pool && c.charter.epoch > last + 1).flatMap((c) => c.messages),
    'POOL_AMENDMENT_BAD_PREVIOUS',
  );
  refuse(
    refused,
    later.filter((c) => c.charter.poolId !== pool).flatMap((c) => c.messages),
    'POOL_WRONG_POOL',
  );
  return { poolId: pool, charters, refused };
}

function adopt(c: Candidate, signed: PoolMessage[], adoptedAt: number): AdoptedCharter {
  return {
    epoch: c.charter.epoch,
    charter: c.charter,
    payloadHash: c.payloadHash,
    ids: [...new Set(signed.map((m) => m.messageId))].sort(),
    adoptedAt,
  };
}

/** The charter in force at `t`: the highest adopted epoch with effectiveAt ≤ t (pools.md#snapshot). */
export function charterAt(charters: AdoptedCharter[], t: number): AdoptedCharter | null {
  let found: AdoptedCharter | null = null;
  for (const c of charters) if (c.charter.effectiveAt <= t) found = c;
  return found;
}
