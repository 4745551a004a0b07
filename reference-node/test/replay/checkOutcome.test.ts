/** The outcome check of a crisis replay (node.md#crisis-replays rule 5), on hand-made node views. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MessageId, Scenario } from '@sfr/schemas/types';
import { describe, expect, it } from 'vitest';
import { checkOutcome, formatOutcome, outcomeSettled } from '../../src/replay/index.js';
import type { NoticeItem, StreamItem } from '../../src/replay/scenarioNetwork.js';

const scenario = JSON.parse(
  readFileSync(
    path.resolve(
      import.meta.dirname,
      '../../../schemas/v1/examples/Scenario/valid/pause-seen-everywhere.json',
    ),
    'utf8',
  ),
) as Scenario;
const PERPS = '0x00000000000000000000000000000000000000a1';
const LENDER = '0x00000000000000000000000000000000000000b2';

const item = (id: MessageId, issuer: string, type: string, payload: Record<string, unknown>): StreamItem => ({
  messageId: id,
  receivedAt: 0,
  envelope: { type, issuer, seq: 1, payload },
});
const pause = item('0x01', PERPS, 'RecoveryEvent', { kind: 'emergency_pause' });
const hello = item('0x02', LENDER, 'NodeAnnouncement', {});
const seen: NoticeItem = {
  event: 'recovery_event',
  body: { event: { payload: { kind: 'emergency_pause' } } },
};

function net(perps: StreamItem[], lender: StreamItem[], lenderNotices: NoticeItem[]) {
  return {
    nodes: [
      { name: 'perps', member: PERPS, held: new Map(perps.map((m) => [m.messageId, m])), notices: [] },
      {
        name: 'lender',
        member: LENDER,
        held: new Map(lender.map((m) => [m.messageId, m])),
        notices: lenderNotices,
      },
    ],
    nameOf: (m: string) => (m === PERPS ? 'perps' : m === LENDER ? 'lender' : m),
  };
}

describe('checkOutcome', () => {
  it('holds when every node has exactly the expected messages (heartbeats aside) and the notices', () => {
    const cases = checkOutcome(scenario, net([pause, hello], [pause, hello], [seen]), new Map());
    expect(cases.map((c) => [c.what, c.ok])).toEqual([
      ['1 × RecoveryEvent emergency_pause from perps', true],
      ['no other RecoveryEvent or ContagionAlert', true],
      ['lender pushed ≥ 1 × recovery_event emergency_pause notice', true],
    ]);
  });

  it('names the node that lacks a message, holds an extra one, or pushed no notice', () => {
    const extra = item('0x03', LENDER, 'ContagionAlert', { indicator: 'depeg' });
    const cases = checkOutcome(scenario, net([pause, extra], [extra], []), new Map());
    expect(formatOutcome('pause-seen-everywhere', cases)).toBe(
      [
        'replay pause-seen-everywhere: 0/3 expectations hold',
        '✗ 1 × RecoveryEvent emergency_pause from perps',
        '    ✓ perps        1',
        '    ✗ lender       0',
        '✗ no other RecoveryEvent or ContagionAlert',
        '    ✗ perps        1 × ContagionAlert depeg from lender',
        '    ✗ lender       1 × ContagionAlert depeg from lender',
        '✗ lender pushed ≥ 1 × recovery_event emergency_pause notice',
        '    ✗ lender       0',
        '',
      ].join('\n'),
    );
  });

  it('a claim holds only when decided the same at every node, with the stated shares', () => {
    const withClaim = {
      ...scenario,
      expect: {
        messages: scenario.expect.messages,
        claims: [
          { incidentId: 'i', outcome: 'approved', approvedAmount: '300', contributions: { lender: '300' } },
        ],
      },
    } as Scenario;
    const decision = {
      outcome: 'approved',
      approvedAmount: '300',
      contributions: [{ member: LENDER, amount: '300' }],
    };
    const views = (a: unknown, b: unknown) =>
      new Map([
        [
          'i',
          new Map([
            ['perps', { decision: a }],
            ['lender', { decision: b }],
          ]),
        ],
      ]) as never;
    const n = net([pause], [pause], []);
    expect(checkOutcome(withClaim, n, views(decision, decision)).at(-1)!.ok).toBe(true);
    const other = {
      ...decision,
      contributions: [
        { member: LENDER, amount: '299' },
        { member: PERPS, amount: '1' },
      ],
    };
    const split = checkOutcome(withClaim, n, views(decision, other)).at(-1)!;
    expect(split.nodes).toEqual([
      { node: 'perps', ok: true, got: 'approved 300 (lender 300)' },
      { node: 'lender', ok: false, got: 'approved 300 (lender 299, perps 1) — differs from the first node' },
    ]);
    expect(checkOutcome(withClaim, n, views(decision, null)).at(-1)!.nodes[1]).toEqual({
      node: 'lender',
      ok: false,
      got: 'undecided',
    });
  });

  it('is settled early only when a failed case can no longer hold: more of a message than expected, or one not expected', () => {
    const second = item('0x04', PERPS, 'RecoveryEvent', {
      kind: 'emergency_pause',
    });
    // Lacking a message or a notice may still change: not settled, the runner keeps waiting.
    const lacking = checkOutcome(scenario, net([pause], [], []), new Map());
    expect(lacking.map((c) => c.final)).toEqual([undefined, undefined, undefined]);
    expect(outcomeSettled(lacking)).toBe(false);
    // A second pause held by one node: that count can never come back to 1 — but the lender's notice may still come.
    const over = checkOutcome(scenario, net([pause, second], [pause], []), new Map());
    expect(over.map((c) => [c.ok, c.final])).toEqual([
      [false, true],
      [true, undefined],
      [false, undefined],
    ]);
    expect(outcomeSettled(over)).toBe(false);
    expect(outcomeSettled(checkOutcome(scenario, net([pause, second], [pause], [seen]), new Map()))).toBe(
      true,
    );
    const extra = item('0x03', LENDER, 'ContagionAlert', {
      indicator: 'depeg',
    });
    const unexpected = checkOutcome(scenario, net([pause], [pause, extra], [seen]), new Map());
    expect(unexpected.map((c) => c.final)).toEqual([undefined, true, undefined]);
    expect(outcomeSettled(unexpected)).toBe(true);
    expect(outcomeSettled(checkOutcome(scenario, net([pause], [pause], [seen]), new Map()))).toBe(true);

    const withClaim = {
      ...scenario,
      expect: {
        messages: scenario.expect.messages,
        claims: [{ incidentId: 'i', outcome: 'approved', approvedAmount: '300' }],
      },
    } as Scenario;
    const views = (a: unknown, b: unknown) =>
      new Map([
        [
          'i',
          new Map([
            ['perps', { decision: a }],
            ['lender', { decision: b }],
          ]),
        ],
      ]) as never;
    const n = net([pause], [pause], []);
    const approved = { outcome: 'approved', approvedAmount: '300', contributions: [] };
    const denied = { outcome: 'denied', approvedAmount: '0', contributions: [] };
    // Undecided, or decided otherwise: a node's decision is derived from the votes it holds, and a
    // vote synced late can still change it, so neither is final.
    expect(checkOutcome(withClaim, n, views(null, approved)).at(-1)!.final).toBeUndefined();
    expect(checkOutcome(withClaim, n, views(approved, denied)).at(-1)!.final).toBeUndefined();
    expect(outcomeSettled(checkOutcome(withClaim, n, views(approved, denied)))).toBe(false);
  });
});
