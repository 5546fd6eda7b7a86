// Issue 31: the signed action tokens and links: what a token grants and how it is checked, the links
// in the email text (never lost to a long text), Slack's and Teams' buttons within their limits, and
// the channels' refusal to show a link the publisher did not make.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ActionLinks, textWithoutLinks } from '../../lib/notify/action-links.ts';
import { ActionKeyError, signActionToken, verifyActionToken } from '../../lib/notify/action-token.ts';
import { slackMessage } from '../../lib/notify/channels/slack.ts';
import { TEAMS_MAX_BYTES, teamsCard } from '../../lib/notify/channels/teams.ts';
import { MAX_TEXT_BYTES, type Notification, renderNotification } from '../../lib/notify/render-message.ts';
import { parseTopicMessage } from '../../lib/notify/topic-message.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { checkResult, DAY } from '../fixtures/check-results.ts';

const KEY = new Uint8Array(randomBytes(32));
const NOW = new Date('2026-12-07T10:00:00.000Z');
const claims = {
  target: 'www.example.com:443',
  event: 'abcDEF_-123',
  action: 'ack' as const,
  type: 'expired',
  expiresAt: NOW.getTime() / 1000 + 3600,
};

function critical(target = 'www.example.com:443'): Notification {
  const event = decideTransition(
    undefined,
    checkResult({
      target,
      status: 'critical',
      at: NOW.toISOString(),
      notAfter: new Date(NOW.getTime() + 3 * DAY).toISOString(),
    }),
  ).events[0];
  if (!event) throw new Error('no event');
  return renderNotification(event);
}

const links = (days?: number) =>
  new ActionLinks({ baseUrl: 'https://abc.lambda-url.eu-west-1.on.aws/', key: async () => KEY, days, now: () => NOW });

describe('action tokens', () => {
  it('grants what it names until it expires', () => {
    const token = signActionToken(KEY, claims);
    const verified = verifyActionToken(KEY, token, NOW);
    expect(verified).toMatchObject({ ok: true, claims: { ...claims, expiresAt: Math.floor(claims.expiresAt) } });
    expect(verified.ok && verified.claims.nonce).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(verifyActionToken(KEY, token, new Date(NOW.getTime() + 3600_000))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('makes each token unique (single use is per token)', () => {
    expect(signActionToken(KEY, claims)).not.toBe(signActionToken(KEY, claims));
  });

  it('refuses altered, foreign and malformed tokens before believing anything in them', () => {
    const token = signActionToken(KEY, claims);
    const [v, payload = '', mac = ''] = token.split('.');
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...body, a: 'snooze' })).toString('base64url');
    const cases: [string, string][] = [
      [`${v}.${altered}.${mac}`, 'signature'],
      [signActionToken(new Uint8Array(randomBytes(32)), claims), 'signature'],
      [`v2.${payload}.${mac}`, 'malformed'],
      [`${v}.${payload}`, 'malformed'],
      [`${v}.${payload}.${mac}.x`, 'malformed'],
      [`${v}.${payload}!.${mac}`, 'malformed'],
      [`${v}.${payload}.${mac.slice(1)}`, 'malformed'],
      ['v1.'.padEnd(10_000, 'A'), 'malformed'],
      ['', 'malformed'],
    ];
    for (const [candidate, reason] of cases) {
      expect(verifyActionToken(KEY, candidate, NOW), candidate.slice(0, 40)).toMatchObject({ ok: false, reason });
    }
    // Signed, but not claims certvigil makes (a key shared with something else signing JSON).
    const signedJunk = signActionToken(KEY, { ...claims, event: 'not an id!' });
    expect(verifyActionToken(KEY, signedJunk, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => signActionToken(new Uint8Array(16), claims)).toThrow(ActionKeyError);
  });
});

describe('the links in a message', () => {
  it('adds links to an open event and keeps them whole when the text is long', async () => {
    const n = await links(3).attach({ ...critical(), text: 'x'.repeat(MAX_TEXT_BYTES) });
    expect(n.actions?.ack).toMatch(/^https:\/\/abc\.lambda-url\.eu-west-1\.on\.aws\/actions\/[\w-]+\/ack\?token=v1\./);
    expect(n.actions?.expiresAt).toBe(new Date(NOW.getTime() + 3 * DAY).toISOString());
    expect(Buffer.byteLength(n.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(n.text.endsWith(`${n.actions?.snooze}`)).toBe(true);
    expect(textWithoutLinks(n.text)).not.toContain('/actions/');
  });

  it('links a reminder to the event it repeats', async () => {
    const n = await links().attach({ ...critical(), id: 'reminder-id', event: 'reminder', reminderOf: 'open-id' });
    expect(n.actions?.ack).toContain('/actions/open-id/ack?');
  });

  it('adds none to a test, a digest or a renewal; a key that cannot be read leaves them out', async () => {
    for (const event of ['test', 'digest', 'renewed', 'recovered'] as const) {
      expect((await links().attach({ ...critical(), event })).actions).toBeUndefined();
    }
    const errors: Error[] = [];
    const keyless = new ActionLinks({
      baseUrl: 'https://abc.example',
      key: async () => {
        throw new Error('AccessDeniedException');
      },
      onKeyError: (e) => errors.push(e),
    });
    const n = critical();
    expect(await keyless.attach(n)).toBe(n);
    expect(errors.map((e) => e.message)).toEqual(['AccessDeniedException']);
  });

  it('refuses a plain-http URL except on loopback', () => {
    expect(() => new ActionLinks({ baseUrl: 'http://actions.example', key: async () => KEY })).toThrow(/https/);
    expect(() => new ActionLinks({ baseUrl: 'http://127.0.0.1:8080', key: async () => KEY })).not.toThrow();
  });
});

describe('the links in the channels', () => {
  it('shows two buttons in Slack and Teams, and the text without the links', async () => {
    const n = await links().attach(critical());
    const slack = slackMessage(n) as { attachments: { blocks: Record<string, unknown>[] }[] };
    const actions = slack.attachments[0]?.blocks.find((b) => b.type === 'actions') as {
      elements: { url: string; text: { text: string } }[];
    };
    expect(actions.elements.map((e) => [e.text.text, e.url])).toEqual([
      ['Acknowledge', n.actions?.ack],
      ['Snooze', n.actions?.snooze],
    ]);
    const card = teamsCard(n) as { attachments: { content: Record<string, unknown> }[] };
    const content = card.attachments[0]?.content as { actions: { type: string; url: string }[] };
    expect(content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Acknowledge', url: n.actions?.ack },
      { type: 'Action.OpenUrl', title: 'Snooze', url: n.actions?.snooze },
    ]);
    expect(JSON.stringify(content).split('/actions/').length - 1).toBe(2);
  });

  it('leaves the buttons out when a link is longer than the channel takes', async () => {
    const n = await links().attach(critical(`${'a'.repeat(60)}.${'b'.repeat(60)}.example:443`.padStart(2500, 'c')));
    expect(n.actions?.ack.length).toBeGreaterThan(3000);
    const slack = JSON.stringify(slackMessage(n));
    expect(slack).not.toContain('"actions"');
    const card = teamsCard(n);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
  });

  it('drops links on the topic that the publisher did not make', async () => {
    const n = await links().attach(critical());
    const parse = (actions: unknown) => {
      const parsed = parseTopicMessage(JSON.stringify({ ...n, actions }));
      return parsed.kind === 'notification' ? parsed.notification.actions : 'not a notification';
    };
    expect(parse(n.actions)).toEqual(n.actions);
    for (const bad of [
      { ...n.actions, ack: 'https://phish.example/login' },
      { ...n.actions, ack: 'javascript:alert(1)//actions/a/ack?token=x' },
      { ...n.actions, snooze: 'http://actions.example/actions/a/snooze?token=x' },
      { ...n.actions, ack: `${n.actions?.ack}"><b>` },
      'links',
    ]) {
      expect(parse(bad)).toBeUndefined();
    }
  });
});
