/**
 * settlement.md#taking-turns: the candidates are ranked by lower-case address whatever the order or
 * case they were held in, one rank per signer; rank 0 acts at the start, rank r ≥ 1 at the take-over
 * origin + stepMs × r (turnsOf: the table's origin per effect). Expected values are written out from
 * the spec's table; the conformance vectors settlement/settlementTurns check the same through the harness op.
 */
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { rankOf, rankSigners, turnAt, turnsOf } from '../../src/poolsNode/turns.js';

const sig = (signer: string, n: number) => ({
  signer: signer as Hex,
  signature: `0x${'0'.repeat(129)}${n}` as Hex,
});
// 0x0A… < 0x3b… < 0xc0… once lower-cased (as held: mixed case, out of order, one signer twice)
const A = '0x0Aa0000000000000000000000000000000000001';
const B = '0x3bB0000000000000000000000000000000000002';
const C = '0xC000000000000000000000000000000000000003';

describe('taking turns', () => {
  it('ranks one candidate per signer in ascending lower-case address order, the first copy held', () => {
    const ranked = rankSigners([sig(C, 1), sig(A, 2), sig(B.toLowerCase(), 3), sig(A.toLowerCase(), 4)]);
    expect(ranked.map((s) => s.signer)).toEqual([A, B.toLowerCase(), C]);
    expect(ranked[0]!.signature.endsWith('2')).toBe(true); // A's first copy, not the later one
    expect(rankOf(ranked, A.toLowerCase())).toBe(0);
    expect(rankOf(ranked, B)).toBe(1);
    expect(rankOf(ranked, C.toLowerCase())).toBe(2);
    expect(rankOf(ranked, '0x00000000000000000000000000000000000000ff')).toBe(-1);
  });

  it('rank 0 at the start, rank r at the take-over origin + stepMs × r, the origin by the table', () => {
    // registration: start = take-over origin = adoptedAt
    const register = turnsOf('register', 1_000_000, 1_500);
    expect(register).toEqual({ start: 1_000_000, takeOverFrom: 1_000_000, stepMs: 1_500 });
    expect([0, 1, 2].map((r) => turnAt(register, r))).toEqual([1_000_000, 1_001_500, 1_003_000]);
    // settlement: start = decidedAt, take-over origin = decidedAt + challengeMs
    const settle = turnsOf('settle', 2_000_000, 1_500);
    expect(settle).toEqual({ start: 2_000_000, takeOverFrom: 2_001_500, stepMs: 1_500 });
    expect([0, 1, 2].map((r) => turnAt(settle, r))).toEqual([2_000_000, 2_003_000, 2_004_500]);
    // release: start = take-over origin = when the node saw chain time reach nextReleaseAt
    const release = turnsOf('release', 3_000_000, 1_500);
    expect([0, 1, 2].map((r) => turnAt(release, r))).toEqual([3_000_000, 3_001_500, 3_003_000]);
  });
});
