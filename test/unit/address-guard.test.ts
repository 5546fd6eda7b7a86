import { describe, expect, it } from 'vitest';
import { blockedReason } from '../../lib/targets/address-guard.ts';

describe('the address guard', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['10.0.0.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['255.255.255.255', /broadcast/],
    ['224.0.0.1', /multicast/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.10', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['192.0.0.170', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fd00::1', /unique-local/],
    ['fec0::1', /deprecated site-local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /documentation/],
    ['100::1', /discard/],
    ['5f00::1', /segment-routing/],
    ['4000::1', /not a global unicast/],
    // IPv4 inside IPv6, every standard way.
    ['::ffff:169.254.169.254', /IPv4-mapped address of 169\.254\.169\.254, a link-local/],
    ['::ffff:a9fe:a9fe', /IPv4-mapped address of 169\.254\.169\.254/],
    ['[::ffff:127.0.0.1]', /IPv4-mapped address of 127\.0\.0\.1, a loopback/],
    ['::ffff:0:a9fe:a9fe', /IPv4-mapped address of 169\.254\.169\.254/],
    ['64:ff9b::169.254.169.254', /NAT64 address of 169\.254\.169\.254, a link-local/],
    ['64:ff9b::a9fe:a9fe', /NAT64 address of 169\.254\.169\.254/],
    ['64:ff9b:1::a9fe:a9fe', /local-use NAT64/],
    ['2002:a9fe:a9fe::1', /6to4 address of 169\.254\.169\.254/],
    ['2002:0a00:0001::1', /6to4 address of 10\.0\.0\.1, a private/],
    ['2001:0:a9fe:a9fe::1', /Teredo address with server of 169\.254\.169\.254/],
    // Client 127.0.0.1, stored inverted: 0x80ff:0xfffe.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo address with client of 127\.0\.0\.1/],
    ['::169.254.169.254', /deprecated IPv4-compatible/],
    ['fe80::1%eth0', /zone id/],
  ])('refuses %s', (address, reason) => {
    expect(blockedReason(address)).toMatch(reason);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '2606:4700::6810:84e5',
    '2a00:1450:4001:82b::200e',
    '64:ff9b::8.8.8.8',
    '::ffff:8.8.8.8',
    '2002:0808:0808::1',
    'example.com',
  ])('allows %s', (address) => {
    expect(blockedReason(address)).toBeUndefined();
  });
});
