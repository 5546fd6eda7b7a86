import { isIP, isIPv4 } from 'node:net';

/**
 * `net.isIP` without its IPv6 pattern for text with fewer than two colons (every host name,
 * IPv4 address and `host:port`): Node compiles that large pattern on first use, about 8 ms of a
 * `certvigil check`'s start, and an IPv6 address always has two colons at least (`::`).
 * Same answers as `net.isIP`: 4, 6 or 0.
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  const colon = text.indexOf(':');
  if (colon === -1) return isIPv4(text) ? 4 : 0;
  if (text.indexOf(':', colon + 1) === -1) return 0;
  return isIP(text) as 0 | 4 | 6;
}
