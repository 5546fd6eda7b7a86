/**
 * An HTTP Retry-After header in milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3); undefined when absent or unreadable. Shared by channel delivery and the ARI client.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
