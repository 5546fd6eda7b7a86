// Issue 31: the weekly digest as Slack and Teams show it: its headline, then each section under its
// title, within each channel's limits, with hostile target names kept as text.
import { describe, expect, it } from 'vitest';
import { type Digest, type DigestRow, digestNotification } from '../../lib/admin/digest.ts';
import { SLACK_LIMITS, slackMessage } from '../../lib/notify/channels/slack.ts';
import { TEAMS_MAX_BYTES, teamsCard } from '../../lib/notify/channels/teams.ts';

const row = (target: string, status: DigestRow['status'], daysLeft: number): DigestRow => ({
  target,
  status,
  daysLeft,
  notAfter: null,
  subject: null,
  events: status === 'ok' ? [] : ['entered-window'],
  acknowledged: null,
});

function digest(rows: number, idLength: number): Digest {
  const section = (prefix: string, status: DigestRow['status']) => ({
    count: rows + 7,
    rows: Array.from({ length: rows }, (_, i) => row(`${prefix}-${i}`.padEnd(idLength, 'x'), status, i)),
  });
  return {
    owner: 'payments <!channel> *team*',
    at: '2026-12-07T08:00:00.000Z',
    trouble: {
      count: 2,
      rows: [row('<!channel>.example.com:443', 'expired', -2), row('*bold*.example:443', 'critical', 3)],
    },
    expiring: section('soon', 'warning'),
    acknowledged: { count: 0, rows: [] },
    stuck: { count: 0, rows: [] },
    rollouts: section('rolling', 'ok'),
    incomplete: false,
  };
}

type SlackBlock = { type: string; text?: { text: string }; elements?: { text: string }[] };
const slackBlocksOf = (m: Record<string, unknown>) => (m.attachments as { blocks: SlackBlock[] }[])[0]?.blocks ?? [];

describe('the weekly digest in Slack and Teams', () => {
  it('Slack: a block per section under its bold title, hostile names escaped, no block over its limit', () => {
    const message = slackMessage(digestNotification(digest(3, 30)));
    const blocks = slackBlocksOf(message);
    const texts = blocks.map((b) => b.text?.text ?? b.elements?.[0]?.text ?? '');
    expect(texts[0]).toMatch(
      /^\*\[certvigil\] weekly digest for payments &lt;!channel&gt; \*team\*: 2 in trouble, 10 expiring\*$/,
    );
    expect(
      texts.some((t) => t.startsWith('*In trouble (2)*\n') && t.includes('&lt;!channel&gt;.example.com:443')),
    ).toBe(true);
    expect(texts.some((t) => t.startsWith('*Expiring within 30 days (10)*\n') && t.includes('soon-0'))).toBe(true);
    expect(texts.join('\n')).not.toContain('<!channel>');
    // The event-shaped fields (Target, Status, Expires) are not a digest's.
    expect(texts.join('\n')).not.toContain('*Target*');
  });

  it('Slack: a large digest (100 rows of 2 KB ids per section) stays within 50 blocks of 3,000 characters', () => {
    const message = slackMessage(digestNotification(digest(100, 2_000)));
    const blocks = slackBlocksOf(message);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of blocks) expect((b.text?.text ?? b.elements?.[0]?.text ?? '').length).toBeLessThanOrEqual(3_000);
    expect((message.text as string).length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  });

  it('Teams: each section under its title as plain text runs, within the card size at any size', () => {
    for (const [rows, idLength] of [
      [3, 30],
      [100, 2_000],
    ] as const) {
      const card = teamsCard(digestNotification(digest(rows, idLength)));
      const json = JSON.stringify(card);
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
      expect(json).toContain('"text":"In trouble (2) "');
      expect(json).toContain('<!channel>.example.com:443');
      expect(json).not.toContain('"Target "');
      // Only TextRuns carry text: nothing is read as markdown.
      expect(json).not.toMatch(/"type":"TextBlock"/);
    }
  });
});
