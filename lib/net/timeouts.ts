/** Time limits of one check, in milliseconds. */
export interface ProbeTimeouts {
  /** Resolving the host's addresses. */
  dnsMs: number;
  /** Opening the TCP connection to one address. */
  connectMs: number;
  /** The plaintext STARTTLS dialogue. */
  starttlsMs: number;
  /** The TLS handshake. */
  handshakeMs: number;
  /** Everything for one address: connect, STARTTLS and handshake together. */
  endpointMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<ProbeTimeouts> = {
  dnsMs: 5_000,
  connectMs: 5_000,
  starttlsMs: 10_000,
  handshakeMs: 10_000,
  endpointMs: 15_000,
};

/**
 * The deadline of one check, as one AbortSignal that every step under it honours (resolution,
 * connect, STARTTLS, handshake, and the CRL and renewal-information fetches after it): a function
 * with `budgetMs` left ends the check by then. Undefined without a budget (the phases' own limits
 * bound the check).
 */
export function checkDeadline(budgetMs?: number): AbortSignal | undefined {
  if (budgetMs === undefined || !Number.isFinite(budgetMs)) return undefined;
  return AbortSignal.timeout(Math.max(200, budgetMs));
}

/** Defaults with a per-address total; phases never exceed the total. */
export function timeoutsWithTotal(endpointMs: number, base: ProbeTimeouts = DEFAULT_TIMEOUTS): ProbeTimeouts {
  return {
    dnsMs: Math.min(base.dnsMs, endpointMs),
    connectMs: Math.min(base.connectMs, endpointMs),
    starttlsMs: Math.min(base.starttlsMs, endpointMs),
    handshakeMs: Math.min(base.handshakeMs, endpointMs),
    endpointMs,
  };
}

/**
 * Timeouts for a check that must finish within `budgetMs` (DNS plus the addresses, which are
 * probed in parallel), so that a function running out of time records a timeout instead of
 * being killed mid-check. Without a budget, the per-address total applies alone.
 */
export function timeoutsWithinBudget(endpointMs: number, budgetMs?: number): ProbeTimeouts {
  if (budgetMs === undefined || !Number.isFinite(budgetMs)) return timeoutsWithTotal(endpointMs);
  const budget = Math.max(200, budgetMs);
  const dnsMs = Math.min(DEFAULT_TIMEOUTS.dnsMs, Math.floor(budget / 4));
  return { ...timeoutsWithTotal(Math.min(endpointMs, budget - dnsMs)), dnsMs };
}
