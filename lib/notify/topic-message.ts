// What arrives on the alert topic: certvigil's own notifications, CloudWatch alarm state changes
// (the stack's alarms publish there too), or anything else someone published. Subscribers tell
// them apart here, and never fail on a message they do not know.
import * as z from 'zod/mini';
import { boundText, LIMITS } from '../text-bounds.ts';
import { MAX_RESOLVES, type Notification } from './render-message.ts';

/** A CloudWatch alarm state change as CloudWatch publishes it to SNS (the fields we use). */
export interface AlarmMessage {
  AlarmName: string;
  AlarmDescription: string | null;
  AWSAccountId: string;
  NewStateValue: string;
  NewStateReason: string;
  OldStateValue: string;
  StateChangeTime: string;
  Region: string;
  AlarmArn: string | null;
}

export type TopicMessage =
  | { kind: 'notification'; notification: Notification }
  | { kind: 'alarm'; alarm: AlarmMessage }
  | { kind: 'unknown'; reason: string };

const text = z.string();
const notificationShape = z.looseObject({
  version: z.literal(1),
  id: text,
  event: text,
  severity: z.enum(['info', 'warning', 'critical']),
  target: text,
  occurredAt: text,
  subject: text,
  text,
  endpoints: z.array(z.looseObject({ address: text, status: text })),
  // Absent in messages published before events said what they resolve.
  resolves: z._default(z.array(text.check(z.maxLength(64))).check(z.maxLength(MAX_RESOLVES)), []),
});
/**
 * A signed action link as the publisher makes it (action-links.ts): https (http on loopback, local
 * mode), the action path, the token. Anything else in `actions` is dropped, so a message shaped by
 * another publisher cannot put its own link behind the channels' buttons.
 */
const ACTION_URL =
  /^(?:https:\/\/[A-Za-z0-9.-]{1,253}|http:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]))(?::\d{1,5})?\/actions\/[A-Za-z0-9_-]{1,64}\/(?:ack|snooze)\?token=[A-Za-z0-9._-]{1,6000}$/;
const actionUrl = text.check(z.maxLength(8192), z.regex(ACTION_URL));
const actionsShape = z.object({ ack: actionUrl, snooze: actionUrl, expiresAt: text.check(z.maxLength(40)) });

const alarmShape = z.looseObject({
  AlarmName: text,
  AlarmDescription: z.nullish(text),
  AWSAccountId: text,
  NewStateValue: text,
  NewStateReason: text,
  OldStateValue: text,
  StateChangeTime: text,
  Region: text,
  AlarmArn: z.nullish(text),
});

/** Classifies one SNS message body. Never throws. */
export function parseTopicMessage(body: string): TopicMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'unknown', reason: 'not JSON' };
  }
  const notification = notificationShape.safeParse(value);
  if (notification.success) {
    const actions = actionsShape.safeParse(notification.data.actions);
    return {
      kind: 'notification',
      notification: {
        ...notification.data,
        actions: actions.success ? actions.data : undefined,
      } as unknown as Notification,
    };
  }
  const alarm = alarmShape.safeParse(value);
  if (alarm.success) {
    // Only the fields channels use, each bounded: anyone allowed to publish could shape one, and
    // the webhook forwards the alarm as it is kept here.
    const a = alarm.data;
    const token = (text: string) => boundText(text, LIMITS.token);
    return {
      kind: 'alarm',
      alarm: {
        AlarmName: boundText(a.AlarmName, 255),
        AlarmDescription: a.AlarmDescription ? boundText(a.AlarmDescription, 1024) : null,
        AWSAccountId: token(a.AWSAccountId),
        NewStateValue: token(a.NewStateValue),
        NewStateReason: boundText(a.NewStateReason, 1024),
        OldStateValue: token(a.OldStateValue),
        StateChangeTime: token(a.StateChangeTime),
        Region: token(a.Region),
        AlarmArn: a.AlarmArn ? boundText(a.AlarmArn, 512) : null,
      },
    };
  }
  return { kind: 'unknown', reason: 'neither a certvigil notification nor a CloudWatch alarm' };
}
