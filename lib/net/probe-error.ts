/** Why no certificate could be read from an endpoint. */
export const ERROR_KINDS = [
  'dns',
  'refused',
  'timeout',
  'reset',
  'handshake',
  'starttls',
  'protocol',
  // Documents: a non-2xx answer, not the expected document, a document without certificates.
  'http',
  'parse',
  'empty',
  // AWS sources: the API refused or failed (access denied, not found, throttled for good).
  'aws',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class ProbeError extends Error {
  override name = 'ProbeError';
  readonly kind: ErrorKind;
  /** Kind `http`: the status of the answer that was not 2xx. */
  readonly status: number | undefined;
  /** Kind `http`: the answer's Retry-After header (a 429 or 503), when it had one. */
  readonly retryAfter: string | undefined;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; status?: number; retryAfter?: string }) {
    super(message, options);
    this.kind = kind;
    this.status = options?.status;
    this.retryAfter = options?.retryAfter;
  }
}

/** The stage of a check an error happened in, for classification and messages. */
export type Phase = 'connect' | 'starttls' | 'handshake';

/** Errors that mean "the peer does not speak TLS here" rather than "TLS negotiation failed". */
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_HTTPS_PROXY_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNEXPECTED_RECORD',
]);

/** Maps a socket or TLS error to a ProbeError with a message a person can act on. */
export function classifyError(error: unknown, phase: Phase): ProbeError {
  if (error instanceof ProbeError) return error;
  const err = error as NodeJS.ErrnoException;
  const code = err?.code ?? '';
  const detail = err?.message ?? String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return new ProbeError('refused', 'connection refused: nothing listens on this port', { cause: error });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return new ProbeError('refused', `cannot reach the address (${code})`, { cause: error });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return new ProbeError(
        'reset',
        phase === 'handshake'
          ? 'the server closed the connection during the TLS handshake'
          : `the server closed the connection during ${phase}`,
        { cause: error },
      );
    case 'ETIMEDOUT':
      return new ProbeError('timeout', `${phase} timed out`, { cause: error });
  }
  if (NOT_TLS.has(code)) {
    return new ProbeError('protocol', `the server did not answer with TLS (${detail}): is this a TLS port?`, {
      cause: error,
    });
  }
  if (code.startsWith('ERR_SSL_') || phase === 'handshake') {
    return new ProbeError('handshake', `TLS handshake failed: ${detail}`, { cause: error });
  }
  return new ProbeError(phase === 'connect' ? 'refused' : 'protocol', `${phase} failed: ${detail}`, { cause: error });
}
