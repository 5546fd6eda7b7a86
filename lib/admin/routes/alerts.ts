// POST /test-alert: a clearly marked test notification through every channel.
import { randomUUID } from 'node:crypto';
import { testNotification } from '../../notify/plain-notifications.ts';
import { boundText } from '../../text-bounds.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';

/** Sends a clearly marked test notification through the real channels (SNS: email and Slack). */
async function testAlert(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  if (!deps.publisher) throw new ProblemError(501, 'this admin API has no alert channel to test');
  const notification = testNotification({
    id: randomUUID(),
    at: now(deps),
    requestedBy: request.caller ? boundText(request.caller, 256) : undefined,
  });
  await deps.publisher.publishNotification(notification);
  return json(202, {
    id: notification.id,
    event: notification.event,
    sentAt: notification.occurredAt,
    detail:
      deps.testAlertDelivery ??
      'a test notification was published to the alert topic: every confirmed email subscription and every enabled channel (Slack, Teams, PagerDuty, webhook) should receive it within a minute',
  });
}

export const ALERT_ROUTES: readonly Route[] = [
  { path: '/test-alert', pattern: /^\/test-alert$/, methods: { POST: (r, _, d) => testAlert(r, d) } },
];
