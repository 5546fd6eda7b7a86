/** Errors worth retrying: throttling, service trouble, and the network. */
const RETRYABLE = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'RequestThrottled',
  'KmsThrottled',
  'EC2ThrottledException',
  'ServiceException',
  'ResourceConflictException',
  'ResourceNotReadyException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return RETRYABLE.has(e?.name ?? '') || RETRYABLE.has(e?.code ?? '') || status === 429 || status >= 500;
}

export function isThrottle(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return /Throttl|TooManyRequests/.test(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429;
}

export interface RetryOptions {
  /** Attempts in all for one delivery. */
  maxAttempts?: number;
  /** First backoff; doubles each retry, with full jitter, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of each throttled attempt (for the `invokeThrottled` metric). */
  onThrottle?: () => void;
}

/**
 * How the dispatcher retries a delivery: up to `maxAttempts`, waiting a random time up to an
 * exponentially growing cap between attempts. The SDK clients are built with `maxAttempts: 1`
 * so that retries happen here, where they are counted.
 */
export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly throttled: (() => void) | undefined;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.throttled = options.onThrottle;
  }

  /** Waits before attempt `attempt + 1`. */
  backoff(attempt: number): Promise<void> {
    return this.sleep(Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)));
  }

  onThrottle(): void {
    this.throttled?.();
  }
}
