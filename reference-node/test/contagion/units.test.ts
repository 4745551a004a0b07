/**
 * Contagion pure functions: matching, the corroboration formula (with fast-check properties), the
 * HMAC signature checked by an independent implementation, the retry schedule, and the code registry.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Address } from '@sfr/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALERT_CODES,
  buildExposureProfile,
  CorroborationState,
  combineConfidence,
  corroborate,
  isRetryableStatus,
  matchSubject,
  parseActionReport,
  retryDelayMs,
  signWebhook,
  verifyWebhookSignature,
} from '../../src/contagion/index.js';

const USDC: Address = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
/** Lower-casing an address keeps it one. */
const lower = (a: Address): Address => a.toLowerCase() as Address;
const FEED = '0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818f6';
const BRIDGE = '0x3ee18B2214AFF97000D974cf647E7C347E8fa585';

const profile = buildExposureProfile({
  config: {
    assets: [
      { chain: 'eip155:1', address: USDC, symbol: 'USDC', decimals: 6 },
      { chain: 'eip155:10', address: 'native', symbol: 'ETH', decimals: 18 },
    ],
    oracles: [{ kind: 'oracle_feed', chain: 'eip155:1', address: FEED }],
    protocols: ['aave-v3'],
    bridges: [{ kind: 'bridge', protocol: 'wormhole', chain: 'eip155:1', address: BRIDGE }],
  },
  adapters: [
    {
      subjects: [
        { kind: 'contract', chain: 'eip155:42161', address: '0x1111111111111111111111111111111111111111' },
      ],
    },
  ],
});

describe('matching (contagion.md#matching)', () => {
  const cases: [string, Record<string, unknown>, number][] = [
    [
      'asset, same chain and address (case-insensitive)',
      { kind: 'asset', chain: 'eip155:1', address: lower(USDC) },
      1,
    ],
    ['asset on another chain', { kind: 'asset', chain: 'eip155:8453', address: USDC }, 0],
    ['asset with another address', { kind: 'asset', chain: 'eip155:1', address: FEED }, 0],
    ['oracle feed', { kind: 'oracle_feed', chain: 'eip155:1', address: FEED }, 1],
    ['an asset subject never matches a feed entry', { kind: 'asset', chain: 'eip155:1', address: FEED }, 0],
    ['contract = the token contract', { kind: 'contract', chain: 'eip155:1', address: USDC }, 1],
    [
      'contract from the adapter',
      { kind: 'contract', chain: 'eip155:42161', address: '0x1111111111111111111111111111111111111111' },
      1,
    ],
    ['protocol slug', { kind: 'protocol', protocol: 'aave-v3' }, 1],
    ['protocol owning a bridge', { kind: 'protocol', protocol: 'wormhole' }, 1],
    ['unknown protocol', { kind: 'protocol', protocol: 'compound-v3' }, 0],
    ['bridge by protocol', { kind: 'bridge', protocol: 'wormhole' }, 1],
    ['bridge by address', { kind: 'bridge', chain: 'eip155:1', address: BRIDGE }, 1],
    ['chain: everything addressed on it', { kind: 'chain', chain: 'eip155:1' }, 3],
    ['chain of a native asset', { kind: 'chain', chain: 'eip155:10' }, 1],
    ['other never matches', { kind: 'other', name: 'USDC' }, 0],
    ['asset without address', { kind: 'asset', chain: 'eip155:1' }, 0],
  ];
  for (const [name, subject, n] of cases) {
    it(name, () => {
      expect(matchSubject(profile, subject)).toHaveLength(n);
    });
  }
  it('merges config and adapters without duplicates', () => {
    const p = buildExposureProfile({
      config: { protocols: ['aave-v3'] },
      adapters: [
        {
          subjects: [
            { kind: 'protocol', protocol: 'aave-v3' },
            { kind: 'asset', chain: 'eip155:1', address: USDC },
          ],
        },
        { subjects: [{ kind: 'asset', chain: 'eip155:1', address: lower(USDC) }] },
      ],
    });
    expect(p.entries).toHaveLength(2);
  });
});

describe('matching properties', () => {
  const hex40 = fc.stringMatching(/^[0-9a-fA-F]{40}$/).map((h): Address => `0x${h}`);
  const chain = fc.constantFrom('eip155:1', 'eip155:10', 'eip155:42161');
  const slug = fc.constantFrom('aave-v3', 'gmx-v2', 'wormhole');
  const subject = fc.oneof(
    fc.record({ kind: fc.constantFrom('asset', 'oracle_feed', 'contract'), chain, address: hex40 }),
    fc.record({ kind: fc.constant('protocol'), protocol: slug }),
    fc.record({ kind: fc.constant('bridge'), protocol: slug }),
    fc.record({ kind: fc.constant('bridge'), chain, address: hex40 }),
    fc.record({ kind: fc.constant('chain'), chain }),
  );
  it('every subject touches a profile made of itself, whatever the address case; never an empty profile', () => {
    fc.assert(
      fc.property(subject, fc.boolean(), (s, upper) => {
        const p = buildExposureProfile({ adapters: [{ subjects: [s] }] });
        const probe =
          'address' in s
            ? {
                ...s,
                address: upper ? (s.address.toUpperCase().replace('0X', '0x') as Address) : lower(s.address),
              }
            : s;
        expect(matchSubject(p, probe)).toHaveLength(1);
        expect(matchSubject(buildExposureProfile({}), probe)).toHaveLength(0);
      }),
    );
  });
  it('an addressed subject never touches entries on another chain', () => {
    fc.assert(
      fc.property(subject, subject, (a, b) => {
        const p = buildExposureProfile({ adapters: [{ subjects: [b] }] });
        const aChain = 'chain' in a ? a.chain : undefined;
        const bChain = 'chain' in b ? b.chain : undefined;
        if (aChain !== undefined && bChain !== undefined && aChain !== bChain) {
          expect(matchSubject(p, a)).toHaveLength(0);
        }
      }),
    );
  });
});

describe('corroboration formula (contagion.md#corroboration)', () => {
  it('known values', () => {
    expect(combineConfidence([])).toBe(0);
    expect(combineConfidence([7000])).toBe(7000);
    expect(combineConfidence([9000, 5000])).toBe(9500);
    expect(combineConfidence([6000, 6000, 6000])).toBe(9360);
    expect(combineConfidence([10_000, 1])).toBe(10_000);
    expect(combineConfidence([3333, 3333])).toBe(5556); // 10 000 − ⌊6667² / 10 000⌋ = 10 000 − ⌊4444.8889⌋
  });
  const bps = fc.integer({ min: 0, max: 10_000 });
  it('property: bounded, at least the strongest issuer, order-independent, monotone in issuers', () => {
    fc.assert(
      fc.property(fc.array(bps, { maxLength: 20 }), bps, (cs, extra) => {
        const c = combineConfidence(cs);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(10_000);
        expect(c).toBeGreaterThanOrEqual(Math.max(0, ...cs));
        expect(combineConfidence([...cs].reverse())).toBe(c);
        expect(combineConfidence([...cs, extra])).toBeGreaterThanOrEqual(c);
      }),
    );
  });
  it('property: one issuer repeating itself never counts twice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), bps), { minLength: 1, maxLength: 30 }),
        (alerts) => {
          const state = new CorroborationState();
          const subject = { kind: 'asset' as const, chain: 'eip155:1', address: lower(USDC) };
          let seq = 0;
          const latest = new Map<number, number>();
          let view = undefined as ReturnType<CorroborationState['views']>[number] | undefined;
          for (const [issuer, confidence] of alerts) {
            seq++;
            latest.set(issuer, confidence);
            const r = state.observe(
              subject,
              'depeg',
              {
                id: `0x${seq}`,
                issuer: `i${issuer}`,
                seq,
                confidence,
                severity: 'critical',
                expiresAt: 2000,
              },
              1000,
            );
            if (r.status !== 'expired') view = r.group;
          }
          const c = corroborate(view!);
          expect(c.issuers).toBe(latest.size);
          expect(c.confidenceBps).toBe(combineConfidence([...latest.values()]));
        },
      ),
    );
  });
  it('state: renewal by seq, resolution only by the issuer, expiry, severity filter, bound', () => {
    const s = new CorroborationState({ maxGroups: 2 });
    const subj = { kind: 'asset' as const, chain: 'eip155:1', address: '0xaa' as Address };
    const a = (
      id: string,
      issuer: string,
      seq: number,
      confidence: number,
      severity = 'critical',
      expiresAt = 5000,
    ) => ({ id, issuer, seq, confidence, severity, expiresAt });
    s.observe(subj, 'depeg', a('x1', 'A', 2, 6000), 0);
    expect(s.observe(subj, 'depeg', a('x0', 'A', 1, 9000), 0).status).toBe('stale');
    const r = s.observe(subj, 'depeg', a('x2', 'B', 1, 6000, 'high', 3000), 0);
    expect(r.status === 'counted' && corroborate(r.group)).toEqual({
      issuers: 2,
      confidenceBps: 8400,
      alertIds: ['x1', 'x2'],
    });
    expect(r.status === 'counted' && corroborate(r.group, 'critical').issuers).toBe(1);
    expect(s.resolve('x1', 'B')).toEqual({ resolved: false, wrongIssuer: true });
    expect(s.views(3000)[0]!.alerts.map((x) => x.id)).toEqual(['x1']); // x2 expired at 3000
    expect(s.resolve('x1', 'A').resolved).toBe(true);
    expect(s.size).toBe(0);
    expect(s.observe(subj, 'depeg', a('x3', 'A', 3, 1, 'critical', 10), 10).status).toBe('expired');
    s.observe(subj, 'depeg', a('g1', 'A', 4, 1, 'critical', 100), 0);
    s.observe(subj, 'stale_oracle', a('g2', 'A', 5, 1, 'critical', 200), 0);
    const third = s.observe(subj, 'insolvency', a('g3', 'A', 6, 1, 'critical', 300), 0);
    expect(third.status === 'counted' && third.evicted).toBe('asset:eip155:1:0xaa|depeg');
    expect(s.size).toBe(2);
  });
});

describe('webhook signature (contagion.md#webhook-delivery)', () => {
  // An independent receiver: HMAC over the raw bytes `${ts}.${body}` computed with Buffer.concat.
  const independent = (secret: string, ts: string, body: string): string => {
    const h = createHmac('sha256', Buffer.from(secret, 'utf8'));
    h.update(Buffer.concat([Buffer.from(ts, 'ascii'), Buffer.from([0x2e]), Buffer.from(body, 'utf8')]));
    return `v1=${h.digest('hex')}`;
  };
  it('matches an independent HMAC-SHA256 and a known vector', () => {
    const body = JSON.stringify({ event: 'alert', note: 'dépeg €' });
    expect(signWebhook('s3cret-s3cret-s3cret', 1767225600000, body)).toBe(
      independent('s3cret-s3cret-s3cret', '1767225600000', body),
    );
    // RFC 4231-style fixed vector computed with openssl: printf '1.{}' | openssl dgst -sha256 -hmac key
    expect(signWebhook('key', 1, '{}')).toBe(
      `v1=${createHmac('sha256', 'key').update('1.{}').digest('hex')}`,
    );
  });
  it('verification: accepts the right signature, refuses tampering, a wrong secret and an old timestamp', () => {
    const body = '{"a":1}';
    const sig = signWebhook('k'.repeat(16), 1000, body);
    expect(
      verifyWebhookSignature({ secret: 'k'.repeat(16), timestamp: '1000', signature: sig, body, now: 1000 }),
    ).toBe(true);
    expect(
      verifyWebhookSignature({
        secret: 'k'.repeat(16),
        timestamp: '1000',
        signature: sig,
        body: '{"a":2}',
        now: 1000,
      }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({ secret: 'x'.repeat(16), timestamp: '1000', signature: sig, body, now: 1000 }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({
        secret: 'k'.repeat(16),
        timestamp: '1000',
        signature: sig,
        body,
        now: 1000 + 300_001,
      }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({ secret: 'k'.repeat(16), timestamp: 'x', signature: sig, body, now: 1000 }),
    ).toBe(false);
  });
});

describe('retry schedule', () => {
  it('doubles from 1 s, caps at 5 min, gives up after 12 attempts', () => {
    const delays = Array.from({ length: 12 }, (_, i) => retryDelayMs(i + 1));
    expect(delays).toEqual([
      1000,
      2000,
      4000,
      8000,
      16000,
      32000,
      64000,
      128000,
      256000,
      300000,
      300000,
      undefined,
    ]);
    expect(retryDelayMs(3, { baseMs: 10, capMs: 25, maxAttempts: 5 })).toBe(25);
  });
  it('retries 408, 429 and 5xx only', () => {
    expect([200, 400, 401, 404, 408, 410, 429, 500, 503].map(isRetryableStatus)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      true,
      true,
      true,
    ]);
  });
});

describe('protective action report', () => {
  it('parses a report and refuses bad ones with ALERT_ACTION_BAD_OUTPUT', () => {
    const ok = parseActionReport(
      '{"scope":{"chain":"eip155:1","contracts":["0x1111111111111111111111111111111111111111"]},"evidence":[{}]}\n',
    );
    expect(ok.kind).toBe('emergency_pause');
    for (const bad of [
      '',
      'not json',
      '[]',
      '{"scope":{}}',
      '{"scope":{},"evidence":[]}',
      '{"scope":{},"evidence":[{}],"kind":"resume"}',
    ]) {
      expect(() => parseActionReport(bad)).toThrowError(
        expect.objectContaining({ code: 'ALERT_ACTION_BAD_OUTPUT' }),
      );
    }
  });
});

describe('ALERT registry', () => {
  it('the code list and schemas/v1/registry/reason-codes/ALERT.json agree both ways', () => {
    const file = JSON.parse(
      readFileSync(new URL('../../../schemas/v1/registry/reason-codes/ALERT.json', import.meta.url), 'utf8'),
    ) as { domain: string; codes: { code: string; section: string }[] };
    expect(file.domain).toBe('ALERT');
    expect(file.codes.map((c) => c.code).sort()).toEqual([...ALERT_CODES].sort());
    for (const c of file.codes) expect(c.section).toMatch(/^contagion\.md#/);
  });
});
