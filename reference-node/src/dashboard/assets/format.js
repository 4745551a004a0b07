/**
 * Formatting for the dashboard: amounts (decimal strings in base units, never floats), basis
 * points, addresses, ids and times. Pure functions; every result is plain text for textContent.
 */

/** `0x1234…abcd` (an address or id shortened for a table cell). */
export function shortHex(s, head = 6, tail = 4) {
  if (typeof s !== 'string') return '—';
  return s.length > head + tail + 1 ? `${s.slice(0, head)}…${s.slice(-tail)}` : s;
}

/** A peer id shortened: `12D3Ko…Tkrj`. */
export function shortPeer(s) {
  return shortHex(s, 6, 4);
}

/** Groups the digits of a non-negative integer string: 1234567 → 1,234,567. */
function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A base-unit amount in whole units with at most `maxFraction` decimals, e.g.
 * formatAmount('125000000000', 6, 'USDC') → '125,000 USDC'. Exact: string arithmetic only.
 */
export function formatAmount(value, decimals = 0, symbol = '', maxFraction = 2) {
  if (typeof value !== 'string' || !/^-?[0-9]{1,78}$/.test(value)) return '—';
  const negative = value.startsWith('-');
  const raw = (negative ? value.slice(1) : value).padStart(decimals + 1, '0');
  const whole = raw.slice(0, raw.length - decimals).replace(/^0+(?=\d)/, '');
  let fraction = decimals > 0 ? raw.slice(raw.length - decimals).slice(0, maxFraction) : '';
  fraction = fraction.replace(/0+$/, '');
  const n = `${negative ? '−' : ''}${group(whole)}${fraction ? `.${fraction}` : ''}`;
  return symbol ? `${n} ${symbol}` : n;
}

/** Basis points as a percentage: 9400 → '94%', 9375 → '93.75%'. */
export function formatBps(bps) {
  if (typeof bps !== 'number' || !Number.isFinite(bps)) return '—';
  const p = bps / 100;
  return `${Number.isInteger(p) ? p : p.toFixed(2).replace(/0+$/, '')}%`;
}

/** The share `part / whole` of two integer strings in basis points (0 … 10 000), exact. */
export function shareBps(part, whole) {
  try {
    const w = BigInt(whole);
    if (w <= 0n) return 0;
    const r = (BigInt(part) * 10_000n) / w;
    return Number(r < 0n ? 0n : r > 10_000n ? 10_000n : r);
  } catch {
    return 0;
  }
}

/** A duration as its two largest units: 5h 59m, 3m 12s, 40s. */
export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** 'in 5h 59m' / '3m 12s ago' relative to `now`. */
export function formatRelative(at, now) {
  if (typeof at !== 'number' || !Number.isFinite(at)) return '—';
  const d = at - now;
  if (Math.abs(d) < 1000) return 'now';
  return d > 0 ? `in ${formatDuration(d)}` : `${formatDuration(-d)} ago`;
}

/** An absolute time in the viewer's zone, ISO-like: 2026-12-06 02:57:23. */
export function formatTime(at) {
  if (typeof at !== 'number' || !Number.isFinite(at)) return '—';
  const t = new Date(at);
  const p = (n) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/** snake_case wire names as words: emergency_pause → emergency pause. */
export function words(s) {
  return typeof s === 'string' ? s.replaceAll('_', ' ') : '—';
}

/** A subject's display name: its name, else protocol, else short address, else chain. */
export function subjectName(subject) {
  if (subject === null || typeof subject !== 'object') return 'unknown subject';
  return (
    subject.name ??
    subject.protocol ??
    (subject.address ? shortHex(subject.address) : subject.chain) ??
    subject.kind
  );
}

/** A base-unit amount in whole units, compact above a million: '1,000,000' → '1M', 2 345 678 → '2.34M'. */
export function formatCompact(value, decimals = 0) {
  const whole = formatAmount(value, decimals, '', 0).replaceAll(',', '');
  if (!/^−?[0-9]+$/.test(whole)) return whole;
  const digits = whole.replace('−', '');
  const units = [
    [13, 'T'],
    [10, 'B'],
    [7, 'M'],
  ];
  for (const [length, unit] of units) {
    if (digits.length >= length) {
      const cut = digits.length - length + 1;
      const fraction = digits.slice(cut, cut + 2).replace(/0+$/, '');
      return `${whole.startsWith('−') ? '−' : ''}${group(digits.slice(0, cut))}${fraction ? `.${fraction}` : ''}${unit}`;
    }
  }
  return formatAmount(value, decimals, '', 0);
}
