import { getReasonCode } from '@sfr/schemas';
import { describe, expect, it } from 'vitest';
import { adapterErrorCodes } from '../src/index.js';

describe('reason codes', () => {
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
