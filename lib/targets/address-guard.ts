import ipaddr from 'ipaddr.js';
import { ipFamily } from '../ip-family.ts';

/**
 * Addresses a public monitor must not be pointed at: anything but global unicast. Refusing them
 * keeps the admin API from becoming a way to probe the network the monitor runs in (and the
 * cloud metadata service at 169.254.169.254). IPv6 forms that embed an IPv4 address (mapped,
 * translated, NAT64, 6to4, Teredo) are judged by the IPv4 address inside, because a NAT64 or
 * 6to4 gateway in the VPC would carry the connection there.
 */
const IPV4_REASONS: Record<string, string> = {
  unspecified: 'an unspecified ("this network") address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (where cloud metadata services live)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT (shared) address',
  private: 'a private address',
  reserved: 'a reserved, benchmarking or documentation address',
  as112: 'an AS112 (DNS sink) address',
  amt: 'an AMT relay anycast address',
};

const IPV6_REASONS: Record<string, string> = {
  unspecified: 'the unspecified address',
  linkLocal: 'a link-local address',
  multicast: 'a multicast address',
  loopback: 'a loopback address',
  uniqueLocal: 'a unique-local (private) address',
  deprecatedSiteLocal: 'a deprecated site-local address',
  discard: 'a discard-only address',
  benchmarking: 'a benchmarking address',
  amt: 'an AMT relay anycast address',
  as112v6: 'an AS112 (DNS sink) address',
  deprecatedOrchid: 'an ORCHID identifier (not routable)',
  orchid2: 'an ORCHID identifier (not routable)',
  droneRemoteIdProtocolEntityTags: 'a DRIP entity tag (not routable)',
  segmentRouting: 'a segment-routing identifier',
  reserved: 'a reserved or documentation address',
};

/** Why `address` is refused, or undefined when it may be probed (or is not an IP address). */
export function blockedReason(address: string): string | undefined {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (text.includes('%')) {
    return ipFamily(text.slice(0, text.indexOf('%'))) === 6 ? 'an address with a zone id (link-local)' : undefined;
  }
  const family = ipFamily(text);
  if (family === 0) return undefined;
  if (family === 4) return ipv4Reason(ipaddr.IPv4.parse(text));
  // Written in hex first: ipaddr.js reads `::a.b.c.d` (IPv4-compatible) as IPv4-mapped.
  return ipv6Reason(ipaddr.IPv6.parse(new URL(`http://[${text}]`).hostname.slice(1, -1)));
}

function ipv4Reason(address: ipaddr.IPv4): string | undefined {
  const range = address.range();
  return range === 'unicast' ? undefined : (IPV4_REASONS[range] ?? `a special-purpose address (${range})`);
}

function ipv6Reason(address: ipaddr.IPv6): string | undefined {
  const parts = address.parts;
  const embedded = (hi: number, lo: number) =>
    ipaddr.IPv4.parse(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`) as ipaddr.IPv4;
  const inside = (what: string, v4: ipaddr.IPv4) => {
    const reason = ipv4Reason(v4);
    return reason ? `${what} of ${v4.toString()}, ${reason}` : undefined;
  };
  const range = address.range();
  if (range !== 'unspecified' && range !== 'loopback' && parts.slice(0, 6).every((p) => p === 0)) {
    return 'a deprecated IPv4-compatible address';
  }
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return inside('an IPv4-mapped address', embedded(parts[6] ?? 0, parts[7] ?? 0));
    case 'rfc6052':
      // 64:ff9b::/96 carries the IPv4 address in its last 32 bits; the local-use prefix
      // 64:ff9b:1::/48 is a private NAT64 network, refused whatever it embeds.
      if (parts[2] !== 0) return 'a local-use NAT64 address (a private translation network)';
      return inside('a NAT64 address', embedded(parts[6] ?? 0, parts[7] ?? 0));
    case '6to4':
      return inside('a 6to4 address', embedded(parts[1] ?? 0, parts[2] ?? 0));
    case 'teredo':
      // The Teredo server is in bits 32-63, the client's public address (inverted) in the last 32.
      return (
        inside('a Teredo address with server', embedded(parts[2] ?? 0, parts[3] ?? 0)) ??
        inside('a Teredo address with client', embedded(~(parts[6] ?? 0) & 0xffff, ~(parts[7] ?? 0) & 0xffff))
      );
  }
  if (range !== 'unicast') return IPV6_REASONS[range] ?? `a special-purpose address (${range})`;
  // Only 2000::/3 is global unicast; the rest of the space is unassigned.
  if (((parts[0] ?? 0) & 0xe000) !== 0x2000) return 'not a global unicast address';
  return undefined;
}

/** The guard, or a guard that allows everything when private targets are allowed. */
export function addressGuard(allowPrivate: boolean): (address: string) => string | undefined {
  return allowPrivate ? () => undefined : blockedReason;
}
