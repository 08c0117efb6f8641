import { describe, expect, it } from 'vitest';
import { classifyAddress, type AddressKind } from './address-class.js';

describe('classifyAddress', () => {
  it.each<[string, AddressKind]>([
    // IPv4, each range and its edges
    ['8.8.8.8', 'public'],
    ['203.0.113.10', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', 'unspecified'],
    ['1.0.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['126.255.255.255', 'public'],
    ['128.0.0.0', 'public'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'public'],
    ['9.255.255.255', 'public'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['192.169.0.0', 'public'],
    ['100.64.0.0', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.0', 'link-local'],
    ['169.255.0.0', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['192.0.0.8', 'reserved'],
    // IPv6
    ['2606:4700::6810:84e5', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::2', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'private'],
    ['fc00::1', 'private'],
    ['fdff:ffff::1', 'private'],
    ['fbff::1', 'public'],
    ['ff02::1', 'multicast'],
    ['100::1', 'reserved'],
    // IPv4-mapped (::ffff:0:0/96), in both notations
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:8.8.8.8', 'public'],
    // NAT64, 6to4 and IPv4-compatible forms of internal addresses
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::808:808', 'public'],
    ['2002:a00:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:808:808::1', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['::10.0.0.1', 'private'],
  ])('%s -> %s', (address, kind) => {
    expect(classifyAddress(address).kind).toBe(kind);
  });

  it('names the range that matched', () => {
    expect(classifyAddress('172.20.1.1')).toEqual({ kind: 'private', range: '172.16.0.0/12' });
    expect(classifyAddress('8.8.8.8')).toEqual({ kind: 'public' });
  });

  it.each(['localhost', '10.0.0', '', '::g'])('throws on %j, which is not an address', (text) => {
    expect(() => classifyAddress(text)).toThrow(TypeError);
  });
});
