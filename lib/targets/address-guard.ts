import { BlockList, isIP } from 'node:net';

/**
 * Addresses a public monitor must not be pointed at: loopback, private, carrier-grade NAT,
 * link-local (which holds the cloud metadata services), unique-local, and other special ranges.
 * Refusing them keeps the admin API from becoming a way to probe the network the monitor runs in.
 */
const BLOCKED: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT (shared) address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (where cloud metadata services live)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol-assignment address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a unique-local (private) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const lists = BLOCKED.map(([network, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, reason };
});

/** Why `address` is refused, or undefined when it may be probed. */
export function blockedReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  // IPv4-mapped and NAT64-embedded IPv4 addresses are judged by the IPv4 address inside.
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blockedReason(mapped);
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (mappedHex) {
    const [hi, lo] = [Number.parseInt(mappedHex[1] ?? '0', 16), Number.parseInt(mappedHex[2] ?? '0', 16)];
    return blockedReason(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return lists.find((entry) => entry.family === type && entry.list.check(address, type))?.reason;
}

/** The guard, or a guard that allows everything when private targets are allowed. */
export function addressGuard(allowPrivate: boolean): (address: string) => string | undefined {
  return allowPrivate ? () => undefined : blockedReason;
}
