import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ProbePayload, ProbeSender } from './dispatch-round.ts';
import { isRetryable, isThrottle } from './lambda-invoker.ts';

export interface SqsSenderOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onThrottle?: () => void;
}

/**
 * The scale path: sends probe payloads to the probe queue in batches of ten (SendMessageBatch),
 * retrying throttling, service errors and the entries SQS reports as failed on its side. The
 * probe function consumes the queue one message per invocation, with a maximum concurrency.
 */
export class SqsSender implements ProbeSender {
  readonly batchSize = 10;
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;
  private readonly options: Required<Omit<SqsSenderOptions, 'onThrottle'>> & Pick<SqsSenderOptions, 'onThrottle'>;

  constructor(sqs: SQSClient, queueUrl: string, options: SqsSenderOptions = {}) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.options = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      onThrottle: options.onThrottle,
    };
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
        if (retry.length === 0 || attempt >= this.options.maxAttempts) {
          return [...final, ...retry].map((p) => ({ payload: p.payload, error: lastError.get(p.id) }));
        }
        for (const p of retry) if (/Throttl/.test(failed.get(p.id)?.Code ?? '')) this.options.onThrottle?.();
        pending = retry;
      } catch (error) {
        if (isThrottle(error)) this.options.onThrottle?.();
        if (attempt >= this.options.maxAttempts || !isRetryable(error))
          return pending.map((p) => ({ payload: p.payload, error }));
      }
      const cap = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
      await this.options.sleep(Math.random() * cap);
    }
    return [];
  }
}
