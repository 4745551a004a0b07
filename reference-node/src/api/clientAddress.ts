/**
 * The client an anonymous request counts as for budgets and stream slots (spec/v1/api.md#limits rules 1
 * and 2): its IP address, except that all of loopback (127.0.0.0/8, ::1) is ONE client, since any local
 * process can send from 127.0.0.2, 127.0.0.3, … (issue 13 finding 5: from 8 such addresses one process
 * held all 64 anonymous stream slots), and an IPv6 address counts by its /64 prefix, the block one
 * host is routed (RFC 4291 interface identifiers: a host may pick any address in it).
 */
export function clientAddressOf(ip: string): string {
  const v4 = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  if (!v4.includes(':')) return v4.startsWith('127.') ? 'loopback' : v4;
  const bare = v4.split('%')[0]!.toLowerCase();
  if (bare === '::1') return 'loopback';
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (g === '' ? '0' : g.replace(/^0+(?=.)/, '')))
    .join(':')}::/64`;
}
