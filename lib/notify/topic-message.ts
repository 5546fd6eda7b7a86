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
  if (notification.success) return { kind: 'notification', notification: notification.data as unknown as Notification };
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
