import { describe, expect, it } from 'vitest';
import { clientAddressOf } from '../../src/api/clientAddress.js';

describe('clientAddressOf (api.md#limits: who counts as one client)', () => {
  it('counts all of loopback as one client, IPv4-mapped or not', () => {
    for (const ip of ['127.0.0.1', '127.0.0.2', '127.255.3.9', '::1', '::ffff:127.0.0.5'])
      expect(clientAddressOf(ip)).toBe('loopback');
  });

  it('counts another IPv4 address as itself', () => {
    expect(clientAddressOf('10.0.0.7')).toBe('10.0.0.7');
    expect(clientAddressOf('::ffff:192.168.1.20')).toBe('192.168.1.20');
    expect(clientAddressOf('128.0.0.1')).toBe('128.0.0.1');
  });

  it('counts an IPv6 address by its /64 prefix, however it is written', () => {
    const a = clientAddressOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientAddressOf('2001:0db8:0001:0002::1')).toBe(a);
    expect(clientAddressOf('2001:db8:1:2::ffff%eth0')).toBe(a);
    expect(clientAddressOf('2001:db8:1:3::1')).not.toBe(a);
    expect(clientAddressOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressOf('fe80::1')).toBe('fe80:0:0:0::/64');
  });
});
