import { describe, expect, it } from 'vitest';
import { slackMessage } from '../../lib/notify/channels/slack.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import type { MonitorEvent } from '../../lib/policy/events.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { checkResult, DAY, type ResultSpec } from '../fixtures/check-results.ts';

const AT = '2026-06-01T00:00:00.000Z';
const at = (days: number) => new Date(Date.parse(AT) + days * DAY).toISOString();

function eventFor(spec: ResultSpec, previous?: ResultSpec): MonitorEvent {
  const before = previous ? decideTransition(undefined, checkResult({ at: at(-1), ...previous })).state : undefined;
  let state = before;
  if (spec.status === 'error' && before) state = decideTransition(before, checkResult({ ...spec, at: at(-0.5) })).state;
  const event = decideTransition(state, checkResult({ at: AT, ...spec })).events[0];
  if (!event) throw new Error('no event');
  return event;
}

describe('notification text', () => {
  it.each<[string, ResultSpec, ResultSpec | undefined, RegExp]>([
    [
      'entered-window',
      { status: 'warning', notAfter: at(20) },
      undefined,
      /WARNING www\.example\.com:443: certificate expires in 20 days \(2026-06-21\)$/,
    ],
    [
      'critical window',
      { status: 'critical', notAfter: at(3) },
      undefined,
      /CRITICAL www\.example\.com:443: certificate expires in 3 days/,
    ],
    [
      'expired',
      { status: 'expired', notAfter: at(-2) },
      undefined,
      /CRITICAL www\.example\.com:443: certificate expired 2 days ago$/,
    ],
    [
      'renewed',
      { fingerprint: 'F2', notAfter: at(90) },
      { fingerprint: 'F1', notAfter: at(10) },
      /INFO www\.example\.com:443: certificate renewed, valid until 2026-08-30$/,
    ],
    [
      'invalid',
      { status: 'invalid', trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      undefined,
      /certificate is not accepted: self-signed certificate/,
    ],
    [
      'unreachable',
      { status: 'error' },
      { fingerprint: 'F1' },
      /CRITICAL www\.example\.com:443: unreachable \(refused\)$/,
    ],
  ])('%s has a subject with the target and the news', (_name, spec, previous, subject) => {
    const n = renderNotification(eventFor(spec, previous));
    expect(n.subject).toMatch(/^\[certvigil\] /);
    expect(n.subject).toMatch(subject);
    expect(n.subject.length).toBeLessThan(100);
  });

  it('puts what happened, the date, issuer, serial, fingerprint, addresses and the next step in the body', () => {
    const n = renderNotification(
      eventFor({
        status: 'warning',
        notAfter: at(20),
        endpoints: [
          { address: '192.0.2.1', fingerprint: 'AA:AA' },
          { address: '192.0.2.2', fingerprint: null, status: 'error' },
        ],
      }),
    );
    expect(n.text).toContain('Expires: 2026-06-21 (in 20 days)');
    expect(n.text).toContain('Issuer: C=US, O=Let’s Encrypt, CN=R11');
    expect(n.text).toContain('Serial: 0A1B2C');
    expect(n.text).toContain('SHA-256 fingerprint: AA:AA');
    expect(n.text).toMatch(/192\.0\.2\.1 {2}warning {2}expires 2026-06-21/);
    expect(n.text).toMatch(/192\.0\.2\.2 {2}error {2}refused: connection refused/);
    expect(n.text).toMatch(/Next step: Renew the certificate/);
  });

  it('says old and new expiry for a renewal', () => {
    const n = renderNotification(
      eventFor({ fingerprint: 'F2', notAfter: at(90) }, { fingerprint: 'F1', notAfter: at(10) }),
    );
    expect(n.text).toContain('Previous certificate: valid until 2026-06-11, fingerprint F1');
    expect(n.text).toContain('Expires: 2026-08-30');
  });

  it('keeps a subject for a very long target under 100 ASCII characters', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.example:443`;
    const n = renderNotification(eventFor({ target: long, status: 'warning' }));
    expect(n.subject.length).toBeLessThanOrEqual(99);
    expect(n.subject).toMatch(/\.\.\.$/);
    expect(n.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('escapes Slack mrkdwn in server-controlled text', () => {
    const n = renderNotification(
      eventFor({ status: 'error', error: { kind: 'protocol', message: '<!channel> & <@U1>' } }, { fingerprint: 'F1' }),
    );
    const text = JSON.stringify(slackMessage(n));
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });
});
