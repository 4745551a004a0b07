import { getReasonCode, reasonCodes } from '@sfr/schemas';
import { describe, expect, it } from 'vitest';
import { adapterErrorCodes, evidenceFailureCodes } from '../src/index.js';

describe('reason codes', () => {
  it('every code the kit returns is registered in its domain, and every registered code is used', () => {
    for (const [domain, codes] of [
      ['EVIDENCE', evidenceFailureCodes],
      ['ADAPTER', adapterErrorCodes],
    ] as const) {
      for (const code of codes) expect(getReasonCode(code), code).toMatchObject({ domain, code });
      const registered = reasonCodes.filter((c) => c.domain === domain).map((c) => c.code);
      expect([...registered].sort()).toEqual([...codes].sort());
    }
  });

  it('cannot-tell-yet evidence codes are IGNORE, disproving ones REJECT, adapter errors ERROR', () => {
    expect(getReasonCode('EVIDENCE_INSUFFICIENT_CONFIRMATIONS')?.outcome).toBe('ignore');
    expect(getReasonCode('EVIDENCE_RPC_UNAVAILABLE')?.outcome).toBe('ignore');
    expect(getReasonCode('EVIDENCE_REORGED')?.outcome).toBe('reject');
    for (const code of adapterErrorCodes) expect(getReasonCode(code)?.outcome).toBe('error');
  });
});

describe('toLabel', () => {
  it('turns display names into schema labels', async () => {
    const { toLabel } = await import('../src/index.js');
    expect(toLabel('ETH / USD')).toBe('ETH-/-USD');
    expect(toLabel('USD₮0')).toBe('USD-0');
    expect(toLabel('.hidden')).toBe('x.hidden');
    expect(toLabel('a'.repeat(200))).toHaveLength(128);
  });
});
