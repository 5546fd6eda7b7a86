// POST /discover in AWS: the admin function runs the discovery function and waits for its
// summary, up to a limit; past it the run goes on and the answer says where to look.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { boundText } from '../text-bounds.ts';
import { DISCOVERY_WAIT_MS } from './discovery-types.ts';
import type { DiscoverAnswer, DiscoverySummary } from './enrol.ts';

export function invokeDiscovery(
  lambda: LambdaClient,
  functionName: string,
  waitMs = DISCOVERY_WAIT_MS,
): () => Promise<DiscoverAnswer> {
  return async () => {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waited'>((resolve) => {
      timer = setTimeout(() => resolve('waited'), waitMs);
    });
    try {
      const answer = await Promise.race([
        lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: Buffer.from(JSON.stringify({ source: 'admin' })),
          }),
          { abortSignal: abort.signal },
        ),
        waited,
      ]);
      if (answer === 'waited') {
        // Only this request stops waiting: the invocation itself runs to its end.
        abort.abort();
        return {
          done: false,
          detail: `discovery is still running (longer than ${Math.round(waitMs / 1000)} s); its summary goes to the discovery function's log, and new targets carry the tag "discovered"`,
        };
      }
      const text = Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8');
      if (answer.FunctionError) {
        let message: string = answer.FunctionError;
        try {
          message = (JSON.parse(text) as { errorMessage?: string }).errorMessage ?? message;
        } catch {
          // not JSON: the error name stands
        }
        throw new Error(boundText(message, 500));
      }
      return { done: true, summary: JSON.parse(text) as DiscoverySummary };
    } finally {
      clearTimeout(timer);
    }
  };
}
