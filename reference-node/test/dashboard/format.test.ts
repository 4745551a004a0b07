/**
 * The dashboard's formatting (src/dashboard/assets/format.js, a browser module with no imports):
 * amounts are decimal strings in base units and must be shown exactly, never through a float.
 */
import { describe, expect, it } from 'vitest';

type Format = {
  formatAmount(value: unknown, decimals?: number, symbol?: string, maxFraction?: number): string;
  formatCompact(value: unknown, decimals?: number): string;
  formatBps(bps: unknown): string;
  shareBps(part: string, whole: string): number;
  formatDuration(ms: number): string;
  formatRelative(at: unknown, now: number): string;
  shortHex(s: unknown): string;
};

// A browser module without type declarations: imported by URL, typed here.
const f = (await import(new URL('../../src/dashboard/assets/format.js', import.meta.url).href)) as Format;

describe('dashboard formatting', () => {
  it('shows base-unit amounts exactly, grouped, truncated to two decimals', () => {
    expect(f.formatAmount('125000000000', 6, 'USDC')).toBe('125,000 USDC');
    expect(f.formatAmount('1', 6, 'USDC')).toBe('0 USDC'); // 0.000001 truncated to 2 decimals
    expect(f.formatAmount('1234567', 6)).toBe('1.23');
    expect(f.formatAmount('1050000', 6)).toBe('1.05');
    expect(f.formatAmount('0', 18, 'WETH')).toBe('0 WETH');
    // 2^256 − 1 wei: exact where a float would print 1.157920892373162e+59.
    expect(
      f.formatAmount('115792089237316195423570985008687907853269984665640564039457584007913129639935', 18),
    ).toBe('115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.58');
    expect(f.formatAmount('-2500000', 6)).toBe('−2.5');
    expect(f.formatAmount('12.5', 6)).toBe('—');
    expect(f.formatAmount(undefined, 6)).toBe('—');
  });

  it('compacts large whole amounts for the summary tiles', () => {
    expect(f.formatCompact('1000000000000', 6)).toBe('1M');
    expect(f.formatCompact('2345678000000', 6)).toBe('2.34M');
    expect(f.formatCompact('999999000000', 6)).toBe('999,999');
    expect(f.formatCompact('12000000000000000', 6)).toBe('12B');
  });

  it('shows basis points, shares and times', () => {
    expect([f.formatBps(9400), f.formatBps(9375), f.formatBps(0)]).toEqual(['94%', '93.75%', '0%']);
    expect(f.shareBps('500000000000', '600000000000')).toBe(8333);
    expect(f.shareBps('1', '0')).toBe(0);
    expect(f.formatDuration(6 * 3_600_000 - 1)).toBe('5h 59m');
    expect(f.formatRelative(1_000, 61_000)).toBe('1m 0s ago');
    expect(f.formatRelative(90_000_000, 0)).toBe('in 1d 1h');
    expect(f.shortHex('0x84AE8Ab6c793F1a8Ccd8c7A26eDF9410672dE59F')).toBe('0x84AE…E59F');
  });
});
