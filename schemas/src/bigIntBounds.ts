/** 2^256 − 1, the largest `Uint256` (computed, so that the digits cannot be mistyped). */
const uint256Max = ((1n << 256n) - 1n).toString();
/** 2^255 − 1 and 2^255: the bounds of `Int256`, [-2^255, 2^255 − 1]. */
const int256Max = ((1n << 255n) - 1n).toString();
const int256MinAbs = (1n << 255n).toString();

/** Compares two decimal digit strings without leading zeros: is `a` ≤ `b`? */
function digitsAtMost(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a <= b);
}

/**
 * Is `s` (already matched by the `Uint256` pattern) below 2^256? Strings that are not decimal digits
 * are left to the pattern and pass here.
 */
export function isUint256InRange(s: string): boolean {
  if (!/^[0-9]+$/.test(s)) return true;
  return digitsAtMost(s, uint256Max);
}

/** Is `s` (already matched by the `Int256` pattern) within [-2^255, 2^255 − 1]? */
export function isInt256InRange(s: string): boolean {
  if (!/^-?[0-9]+$/.test(s)) return true;
  return s.startsWith('-') ? digitsAtMost(s.slice(1), int256MinAbs) : digitsAtMost(s, int256Max);
}
