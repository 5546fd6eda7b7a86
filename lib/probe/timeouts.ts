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
