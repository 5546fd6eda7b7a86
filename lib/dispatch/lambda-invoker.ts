import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { isRetryable, isThrottle, type RetryOptions, RetryPolicy } from './retry-policy.ts';

/**
 * Invokes a function asynchronously (InvocationType Event), retrying throttling and service
 * errors with exponential backoff and jitter.
 */
export class LambdaInvoker {
  private readonly lambda: LambdaClient;
  private readonly functionName: string;
  private readonly retry: RetryPolicy;

  constructor(lambda: LambdaClient, functionName: string, options: RetryOptions = {}) {
    this.lambda = lambda;
    this.functionName = functionName;
    this.retry = new RetryPolicy(options);
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
        if (isThrottle(error)) this.retry.onThrottle();
        if (attempt >= this.retry.maxAttempts || !isRetryable(error)) throw error;
        await this.retry.backoff(attempt);
      }
    }
  }
}
