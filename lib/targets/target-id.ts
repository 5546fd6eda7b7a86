import { isIPv4 } from 'node:net';
import { domainToASCII } from 'node:url';
import { ipFamily } from '../ip-family.ts';
import { type Protocol, protocolForPort } from './protocols.ts';

export class InvalidTargetError extends Error {
  override name = 'InvalidTargetError';
  /** The input field the problem is about (`host`, `port`, …), when there is one. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * The canonical form of a host: lower-case ASCII (IDNA to punycode), no trailing dot, IPv6
 * without brackets and compressed. Throws InvalidTargetError naming the problem.
 */
export function canonicalHost(input: string): string {
  let host = input.trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') throw new InvalidTargetError('host is empty', 'host');
  if (host.includes('%')) {
    throw new InvalidTargetError(
      `"${clip(input)}" has an IPv6 zone id ("%…"), which names an interface of one machine; give the address without it`,
      'host',
    );
  }
  const family = ipFamily(host);
  if (family === 4) return host;
  if (family === 6) return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  if (host.length > 253 * 4) throw new InvalidTargetError('host is longer than 253 characters', 'host');
  const ascii = domainToASCII(host.toLowerCase());
  if (ascii === '') throw new InvalidTargetError(`host "${clip(input)}" is not a valid host name`, 'host');
  const labels = ascii.split('.');
  // WHATWG URL parsing turns "1.2.3" into an IPv4 address; a name ending in digits is a typo instead.
  if (/^\d+$/.test(labels.at(-1) ?? '') && !isIPv4(host)) {
    throw new InvalidTargetError(`host "${clip(input)}" is neither a host name nor an IPv4 address`, 'host');
  }
  if (ascii.length > 253) throw new InvalidTargetError('host is longer than 253 characters', 'host');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      throw new InvalidTargetError(
        `host "${clip(input)}" has an invalid label "${clip(label)}" (letters, digits, "-" and "_", at most 63 each)`,
        'host',
      );
    }
  }
  return ascii;
}

/**
 * The target id: `host:port`, plus `/protocol` when the protocol is not the one the port implies
 * (`mail.example.com:587/smtp` for STARTTLS, `mail.example.com:587/tls` for direct TLS on 587).
 * Adding the same endpoint twice therefore yields the same id.
 */
export function targetId(host: string, port: number, protocol: Protocol): string {
  const hostPart = ipFamily(host) === 6 ? `[${host}]` : host;
  const implied = protocolForPort(port);
  if (protocol === 'tls') return implied === 'tls' ? `${hostPart}:${port}` : `${hostPart}:${port}/tls`;
  return `${hostPart}:${port}/${protocol}`;
}

/** Shortens user input quoted in error messages. */
export function clip(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
