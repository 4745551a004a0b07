import type { PoolCharter } from '@sfr/schemas/types';
import { type Hex, hashPayload } from '../envelope/index.js';
import { addrKey, eip155ChainId, parseUint256, sameAsset } from './amounts.js';
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

/** Why an amendment may not replace `prev`, in spec order (pools.md#amendments), or null. */
function amendmentRefusal(prev: AdoptedCharter, next: PoolCharter): PoolCode | null {
  if (next.poolId !== prev.charter.poolId) return 'POOL_WRONG_POOL';
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

/**
 * The adopted charter of every epoch (pools.md#charter, #amendments) from all `PoolCharter`
 * envelopes seen: epoch 0 when every founding member signed the same charter text; epoch e+1 when
 * members of epoch e carrying its quorum, and every member the amendment adds, signed the same
 * text naming one of epoch e's envelopes as `previousCharter`. Among complete candidates of one
 * epoch the earliest completed wins (ties: lower payload hash). Independent of input order.
 */
export function resolveCharters(messages: PoolMessage[], poolId?: Hex): ResolveChartersReturnType {
  const refused: PoolRefusal[] = [];
  const byHash = new Map<Hex, Candidate>();
  const textCache = new Map<string, { bad: PoolCode | null; hash: Hex | null }>();
  for (const m of messages) {
    const charter = m.envelope.payload as unknown as PoolCharter;
    const scope = m.envelope.scope;
    if (!scope || scope.poolId !== charter.poolId || scope.epoch !== charter.epoch) {
      refuse(refused, [m], 'POOL_SCOPE_MISMATCH');
      continue;
    }
    if (poolId !== undefined && charter.poolId !== poolId) {
      refuse(refused, [m], 'POOL_WRONG_POOL');
      continue;
    }
    if (!domainMatches(m, charter)) {
      refuse(refused, [m], 'ENVELOPE_DOMAIN_MISMATCH');
      continue;
    }
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
    // Many members sign one text: check and hash each distinct text once (JSON.stringify is a
    // cheap exact pre-key; payloads spelled with another key order still meet under one hash).
    const hash = known?.hash ?? (hashPayload(m.envelope.payload) as Hex);
    textCache.set(quick, { bad: null, hash });
    payloadMemo.set(m.envelope.payload, { bad: null, hash });
    const c = byHash.get(hash) ?? { payloadHash: hash, charter, messages: [] };
    c.messages.push(m);
    byHash.set(hash, c);
  }
  const candidates = [...byHash.values()];
  const charters: AdoptedCharter[] = [];

  // Epoch 0: every founding member signs.
  const founding: { candidate: Candidate; completeAt: number; signed: PoolMessage[] }[] = [];
  for (const c of candidates.filter((c) => c.charter.epoch === 0)) {
    const members = new Set(c.charter.members.map((m) => addrKey(m.member)));
    const signed = firstPerSigner(c.messages).filter((m) => members.has(addrKey(m.envelope.issuer)));
    refuse(
      refused,
      c.messages.filter((m) => !members.has(addrKey(m.envelope.issuer))),
      'POOL_SIGNER_NOT_MEMBER',
    );
    if (signed.length === members.size) {
      founding.push({
        candidate: c,
        completeAt: Math.max(...signed.map((m) => m.envelope.issuedAt)),
        signed,
      });
    } else refuse(refused, signed, 'POOL_NOT_FOUNDED');
  }
  // With several founding texts seen (several pool ids when none is given), the pool is the earliest founded.
  const first = pickEarliest(founding);
  for (const f of founding) {
    if (f !== first)
      refuse(
        refused,
        f.signed,
        first && f.candidate.charter.poolId !== first.candidate.charter.poolId
          ? 'POOL_WRONG_POOL'
          : 'POOL_AMENDMENT_SUPERSEDED',
      );
  }
  if (!first) {
    const rest = candidates.filter((c) => c.charter.epoch > 0);
    refuse(
      refused,
      rest.flatMap((c) => c.messages),
      'POOL_NOT_FOUNDED',
    );
    return { poolId: null, charters, refused };
  }
  charters.push(adopt(first.candidate, first.signed, first.completeAt));

  for (let epoch = 1; ; epoch++) {
    const prev = charters[charters.length - 1] as AdoptedCharter;
    const here = candidates.filter(
      (c) => c.charter.epoch === epoch && c.charter.poolId === prev.charter.poolId,
    );
    if (here.length === 0) break;
    const complete: { candidate: Candidate; completeAt: number; signed: PoolMessage[] }[] = [];
    const prevWeights = cappedWeights(prev.charter.members, prev.charter.maxMemberWeightBps);
    let prevTotal = 0n;
    for (const w of prevWeights.values()) prevTotal += w;
    for (const c of here) {
      const bad = amendmentRefusal(prev, c.charter);
      if (bad) {
        refuse(refused, c.messages, bad);
        continue;
      }
      const newMembers = new Set(
        c.charter.members.map((m) => addrKey(m.member)).filter((k) => !prevWeights.has(k)),
      );
      const signers = firstPerSigner(c.messages);
      refuse(
        refused,
        c.messages.filter(
          (m) => !prevWeights.has(addrKey(m.envelope.issuer)) && !newMembers.has(addrKey(m.envelope.issuer)),
        ),
        'POOL_SIGNER_NOT_MEMBER',
      );
      let weight = 0n;
      let count = 0;
      let newSigned = 0;
      let completeAt: number | null = null;
      const signed: PoolMessage[] = [];
      for (const m of signers) {
        const k = addrKey(m.envelope.issuer);
        const w = prevWeights.get(k);
        if (w !== undefined) {
          weight += w;
          count++;
        } else if (newMembers.has(k)) newSigned++;
        else continue;
        signed.push(m);
        if (meetsQuorum(prev.charter, weight, count, prevTotal) && newSigned === newMembers.size) {
          completeAt = m.envelope.issuedAt;
          break;
        }
      }
      if (completeAt === null) {
        refuse(
          refused,
          signed,
          meetsQuorum(prev.charter, weight, count, prevTotal)
            ? 'POOL_NEW_MEMBER_NOT_SIGNED'
            : 'POOL_AMENDMENT_NO_QUORUM',
        );
        continue;
      }
      if (c.charter.effectiveAt < completeAt || c.charter.effectiveAt < prev.charter.effectiveAt) {
        refuse(refused, c.messages, 'POOL_AMENDMENT_RETROACTIVE');
        continue;
      }
      // Signatures after completion still carry the same text: they are ids of this charter too.
      complete.push({
        candidate: c,
        completeAt,
        signed: signers.filter(
          (m) => prevWeights.has(addrKey(m.envelope.issuer)) || newMembers.has(addrKey(m.envelope.issuer)),
        ),
      });
    }
    const winner = pickEarliest(complete);
    for (const f of complete) if (f !== winner) refuse(refused, f.signed, 'POOL_AMENDMENT_SUPERSEDED');
    if (!winner) break;
    charters.push(adopt(winner.candidate, winner.signed, winner.completeAt));
  }
  const last = charters.length - 1;
  refuse(
    refused,
    candidates.filter((c) => c.charter.epoch > last + 1).flatMap((c) => c.messages),
    'POOL_AMENDMENT_BAD_PREVIOUS',
  );
  return { poolId: first.candidate.charter.poolId as Hex, charters, refused };
}

function adopt(c: Candidate, signed: PoolMessage[], adoptedAt: number): AdoptedCharter {
  return {
    epoch: c.charter.epoch,
    charter: c.charter,
    payloadHash: c.payloadHash,
    ids: signed.map((m) => m.messageId).sort(),
    adoptedAt,
  };
}

/** The charter in force at `t`: the highest adopted epoch with effectiveAt ≤ t (pools.md#snapshot). */
export function charterAt(charters: AdoptedCharter[], t: number): AdoptedCharter | null {
  let found: AdoptedCharter | null = null;
  for (const c of charters) if (c.charter.effectiveAt <= t) found = c;
  return found;
}
