// Notifications about no one certificate: the test notification an operator asks for, and the
// certificate fields such notifications (a test, an owner's weekly digest) leave empty.
import type { Notification } from './render-message.ts';

/** The certificate fields of a notification about no one certificate (a test, a digest). */
export const ABOUT_NO_CERTIFICATE = {
  status: 'ok',
  daysLeft: null,
  notAfter: null,
  issuer: null,
  serialNumber: null,
  fingerprint256: null,
  previous: null,
  endpoints: [],
  error: null,
  resolves: [],
} as const satisfies Partial<Notification>;

/**
 * A clearly marked test notification, sent through the same channels as real ones so that an
 * operator can prove the wiring after a deploy.
 */
export function testNotification(options: { id: string; at: Date; requestedBy?: string | undefined }): Notification {
  const occurredAt = options.at.toISOString();
  return {
    version: 1,
    id: options.id,
    event: 'test',
    severity: 'info',
    target: 'certvigil-test',
    occurredAt,
    subject: '[certvigil] TEST notification: alerts reach this channel',
    text: [
      'This is a test notification from certvigil. No certificate is affected.',
      '',
      `Sent ${occurredAt}${options.requestedBy ? ` at the request of ${options.requestedBy}` : ''}.`,
      'If you can read this, certvigil alerts reach this channel.',
    ].join('\n'),
    ...ABOUT_NO_CERTIFICATE,
    owner: null,
    tags: [],
  };
}
