import { describe, expect, it } from 'vitest';
import { forbiddenReason } from './address-ranges.js';

describe('forbiddenReason', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1 is a loopback address'],
    ['127.255.255.254', '127.255.255.254 is a loopback address'],
    ['10.1.2.3', '10.1.2.3 is a private address'],
    ['172.16.0.1', '172.16.0.1 is a private address'],
    ['172.31.255.255', '172.31.255.255 is a private address'],
    ['192.168.1.1', '192.168.1.1 is a private address'],
    ['169.254.169.254', '169.254.169.254 is a link-local address'],
    ['100.64.0.1', '100.64.0.1 is a shared (CGNAT) address'],
    ['100.127.255.255', '100.127.255.255 is a shared (CGNAT) address'],
    ['224.0.0.1', '224.0.0.1 is a multicast address'],
    ['239.255.255.250', '239.255.255.250 is a multicast address'],
    ['0.0.0.0', '0.0.0.0 is an unspecified address'],
    ['0.1.2.3', '0.1.2.3 is a reserved ("this network") address'],
    ['255.255.255.255', '255.255.255.255 is the broadcast address'],
    ['240.0.0.1', '240.0.0.1 is a reserved address'],
    ['192.0.0.8', '192.0.0.8 is a reserved (IETF protocol) address'],
    ['192.0.2.1', '192.0.2.1 is a reserved (documentation) address'],
    ['198.51.100.7', '198.51.100.7 is a reserved (documentation) address'],
    ['203.0.113.9', '203.0.113.9 is a reserved (documentation) address'],
    ['198.18.0.1', '198.18.0.1 is a reserved (benchmarking) address'],
    ['192.88.99.1', '192.88.99.1 is a reserved (6to4 relay) address'],
  ])('refuses the IPv4 address %s', (address, reason) => {
    expect(forbiddenReason(address)).toBe(reason);
  });

  it.each([
    ['::1', '::1 is a loopback address'],
    ['::', ':: is an unspecified address'],
    ['ff02::1', 'ff02::1 is a multicast address'],
    ['fc00::1', 'fc00::1 is a unique-local address'],
    ['fd12:3456::1', 'fd12:3456::1 is a unique-local address'],
    ['fe80::1', 'fe80::1 is a link-local address'],
    ['fec0::1', 'fec0::1 is a site-local address'],
    ['::ffff:7f00:1', '::ffff:7f00:1 is an IPv4-mapped IPv6 address'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1 is an IPv4-mapped IPv6 address'],
    // Mapped is refused whatever it maps: it is a way round IPv4 rules, never a webhook's address.
    ['::ffff:8.8.8.8', '::ffff:8.8.8.8 is an IPv4-mapped IPv6 address'],
    ['64:ff9b::7f00:1', '64:ff9b::7f00:1 is a NAT64 form of 127.0.0.1, a loopback address'],
    ['64:ff9b::10.0.0.1', '64:ff9b::10.0.0.1 is a NAT64 form of 10.0.0.1, a private address'],
    ['64:ff9b:1::1', '64:ff9b:1::1 is a local-use NAT64 address'],
    ['2002:7f00:1::', '2002:7f00:1:: is a 6to4 form of 127.0.0.1, a loopback address'],
    ['2002:a9fe:a9fe::1', '2002:a9fe:a9fe::1 is a 6to4 form of 169.254.169.254, a link-local address'],
    ['::7f00:1', '::7f00:1 is a reserved address'],
    ['2001:db8::1', '2001:db8::1 is a reserved (documentation) address'],
    ['2001::1', '2001::1 is a reserved (IETF protocol) address'],
    ['100::1', '100::1 is a reserved (discard-only) address'],
    ['4000::1', '4000::1 is a reserved address'],
  ])('refuses the IPv6 address %s', (address, reason) => {
    expect(forbiddenReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.32.0.1', '93.184.215.14', '2606:4700:4700::1111', '2a00:1450::1', '64:ff9b::808:808', '2002:808:808::1'])(
    'lets the public address %s through',
    (address) => {
      expect(forbiddenReason(address)).toBeNull();
    },
  );

  it('refuses what is not an IP address', () => {
    expect(forbiddenReason('localhost')).toBe('localhost is not an IP address');
  });
});
