import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENV } from '../../lib/env-names.ts';
import { RUNBOOK_SOURCE } from '../../lib/notify/runbook-event.ts';
import type { CertvigilFunction } from './certvigil-function.ts';

/** Runbooks read the account's default bus (opt-in stack setting `runbookEvents`). */
export const RUNBOOK_BUS = 'default';

/**
 * A function that publishes events also puts them on the default EventBridge bus: it is told the
 * bus, and may put entries there with source `certvigil` only.
 */
export function putsRunbookEvents(fn: CertvigilFunction): void {
  const { partition, region, account } = Stack.of(fn);
  fn.addEnvironment(ENV.eventBus, RUNBOOK_BUS);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [`arn:${partition}:events:${region}:${account}:event-bus/${RUNBOOK_BUS}`],
      // `events:source` holds the source of every entry of the request: all must be certvigil's,
      // and the key must be there (a set condition alone would pass a request without it).
      conditions: {
        'ForAllValues:StringEquals': { 'events:source': [RUNBOOK_SOURCE] },
        Null: { 'events:source': 'false' },
      },
    }),
  );
}
