import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ProbePayload, ProbeSender } from './dispatch-round.ts';
import { isRetryable, isThrottle, type RetryOptions, RetryPolicy } from './retry-policy.ts';

/**
 * The scale path: sends probe payloads to the probe queue in batches of ten (SendMessageBatch),
 * retrying throttling, service errors and the entries SQS reports as failed on its side. The
 * probe function consumes the queue one message per invocation, with a maximum concurrency.
 */
export class SqsSender implements ProbeSender {
  readonly batchSize = 10;
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;
  private readonly retry: RetryPolicy;

  constructor(sqs: SQSClient, queueUrl: string, options: RetryOptions = {}) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.retry = new RetryPolicy(options);
  }

  async send(payloads: ProbePayload[]): Promise<{ payload: ProbePayload; error: unknown }[]> {
    let pending = payloads.map((payload, i) => ({ id: String(i), payload }));
    let lastError: Map<string, unknown> = new Map();
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: pending.map((p) => ({ Id: p.id, MessageBody: JSON.stringify(p.payload) })),
          }),
        );
        const failed = new Map((result.Failed ?? []).map((f) => [f.Id ?? '', f]));
        lastError = new Map(
          [...failed].map(([id, f]) => [
            id,
            Object.assign(new Error(f.Message ?? f.Code ?? 'failed'), { name: f.Code ?? 'BatchEntryFailed' }),
          ]),
        );
        // Entries failed on the sender's side (a malformed entry) will not pass on a retry.
        const retry = pending.filter((p) => failed.has(p.id) && !failed.get(p.id)?.SenderFault);
        const final = pending.filter((p) => failed.get(p.id)?.SenderFault);
        if (retry.length === 0 || attempt >= this.retry.maxAttempts) {
          return [...final, ...retry].map((p) => ({ payload: p.payload, error: lastError.get(p.id) }));
        }
        for (const p of retry) if (/Throttl/.test(failed.get(p.id)?.Code ?? '')) this.retry.onThrottle();
        pending = retry;
      } catch (error) {
        if (isThrottle(error)) this.retry.onThrottle();
        if (attempt >= this.retry.maxAttempts || !isRetryable(error))
          return pending.map((p) => ({ payload: p.payload, error }));
      }
      await this.retry.backoff(attempt);
    }
    return [];
  }
}
