import { BlockList, isIP } from 'node:net';

/**
 * Where an IP address points, for the webhook request-forgery check. node's BlockList does the prefix
 * matching (no I/O, deterministic; it also matches IPv4-mapped IPv6 such as ::ffff:10.0.0.1 against IPv4
 * ranges), so no hand-written IPv6 parser is needed.
 */
export type AddressKind = 'public' | 'unspecified' | 'loopback' | 'private' | 'cgnat' | 'link-local' | 'multicast' | 'broadcast' | 'reserved';

export interface AddressClass {
  kind: AddressKind;
  /** The range that matched, as written in RANGES; absent for public addresses. */
  range?: string;
}

/** First match wins, so a narrower range comes before the wider one that holds it. */
const RANGES: ReadonlyArray<readonly [Exclude<AddressKind, 'public'>, string]> = [
  // Before 0.0.0.0/8, whose IPv4-compatible form (::/104) covers them too.
  ['unspecified', '::/128'],
  ['loopback', '::1/128'],
  // RFC 1122: 0/8 is "this network"; Linux connects 0.0.0.0 to the local host.
  ['unspecified', '0.0.0.0/8'],
  ['loopback', '127.0.0.0/8'],
  // RFC 1918 and RFC 4193 (unique local); fec0::/10 is the deprecated site-local (RFC 3879).
  ['private', '10.0.0.0/8'],
  ['private', '172.16.0.0/12'],
  ['private', '192.168.0.0/16'],
  ['private', 'fc00::/7'],
  ['private', 'fec0::/10'],
  // RFC 6598: carrier-grade NAT, the inside of a provider's network.
  ['cgnat', '100.64.0.0/10'],
  // RFC 3927 / RFC 4291; 169.254.169.254 is the cloud metadata service.
  ['link-local', '169.254.0.0/16'],
  ['link-local', 'fe80::/10'],
  ['multicast', '224.0.0.0/4'],
  ['multicast', 'ff00::/8'],
  ['broadcast', '255.255.255.255/32'],
  // RFC 1112 (240/4, future use), RFC 6890 (192.0.0/24 protocol assignments), RFC 6666 (discard-only).
  ['reserved', '240.0.0.0/4'],
  ['reserved', '192.0.0.0/24'],
  ['reserved', '100::/64'],
];

/**
 * IPv6 forms that carry an IPv4 address the network may reach: NAT64 (RFC 6052, 64:ff9b::/96), 6to4
 * (RFC 3056, 2002::/16) and the deprecated IPv4-compatible form (::/96). Each IPv4 range is also listed in
 * those forms; the IPv4-mapped form (::ffff:0:0/96) needs nothing, BlockList matches it already.
 */
function embeddedForms(v4: string, prefix: number): Array<[string, number]> {
  const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
  const hi = ((a << 8) | b).toString(16);
  const lo = ((c << 8) | d).toString(16);
  return [
    [`64:ff9b::${hi}:${lo}`, 96 + prefix],
    [`2002:${hi}:${lo}::`, 16 + prefix],
    [`::${hi}:${lo}`, 96 + prefix],
  ];
}

function addRange(list: BlockList, range: string): void {
  const [net, bits] = range.split('/') as [string, string];
  const prefix = Number(bits);
  if (isIP(net) === 4) {
    list.addSubnet(net, prefix, 'ipv4');
    for (const [v6, p] of embeddedForms(net, prefix)) list.addSubnet(v6, p, 'ipv6');
  } else {
    list.addSubnet(net, prefix, 'ipv6');
  }
}

const RULES = RANGES.map(([kind, range]) => {
  const list = new BlockList();
  addRange(list, range);
  return { kind, range, list };
});
// Every range in one list: a public address (the usual case) costs one check instead of one per range.
const ANY = new BlockList();
for (const [, range] of RANGES) addRange(ANY, range);

/** The class of an IP address (IPv4 or IPv6, zone id allowed); throws on text that is not an address. */
export function classifyAddress(address: string): AddressClass {
  const version = isIP(address);
  if (version === 0) throw new TypeError(`not an IP address: ${address}`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (!ANY.check(address, family)) return { kind: 'public' };
  for (const rule of RULES) if (rule.list.check(address, family)) return { kind: rule.kind, range: rule.range };
  return { kind: 'public' };
}
