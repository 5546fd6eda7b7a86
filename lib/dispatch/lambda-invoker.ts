import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

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

export interface InvokerOptions {
  /** Attempts in all for one invocation. */
  maxAttempts?: number;
  /** First backoff; doubles each retry, with full jitter, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of each throttled attempt (for the `throttled` metric). */
  onThrottle?: () => void;
}

/**
 * Invokes a function asynchronously (InvocationType Event), retrying throttling and service
 * errors with exponential backoff and jitter. The SDK client should be built with
 * `maxAttempts: 1` so that retries happen here, where they are counted.
 */
export class LambdaInvoker {
  private readonly lambda: LambdaClient;
  private readonly functionName: string;
  private readonly options: Required<Omit<InvokerOptions, 'onThrottle'>> & Pick<InvokerOptions, 'onThrottle'>;

  constructor(lambda: LambdaClient, functionName: string, options: InvokerOptions = {}) {
    this.lambda = lambda;
    this.functionName = functionName;
    this.options = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      onThrottle: options.onThrottle,
    };
  }

  async invoke(payload: unknown): Promise<void> {
    const body = Buffer.from(JSON.stringify(payload));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.lambda.send(
          new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: body }),
        );
        return;
      } catch (error) {
        if (isThrottle(error)) this.options.onThrottle?.();
        if (attempt >= this.options.maxAttempts || !isRetryable(error)) throw error;
        const cap = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
        await this.options.sleep(Math.random() * cap);
      }
    }
  }
}
