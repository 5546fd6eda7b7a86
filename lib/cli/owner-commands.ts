// `certvigil owners list|add|remove` (issue 31): the owner directory through the admin API. `add`
// adds addresses to an owner's routes (creating the owner), `remove` takes addresses off (or the
// whole owner); both read the entry first and write it back with its version, so two people
// changing one owner at the same moment never lose each other's change silently.
import { readFileSync } from 'node:fs';
import type { DirectoryAnswer } from '../admin/owner-directory.ts';
import { AdminError } from '../net/admin-client.ts';
import { CHANNEL_NAMES } from '../notify/channels/channel.ts';
import type { ExitCode } from '../policy/status.ts';
import type { OwnerEntry } from '../store/directory-store.ts';
import { UsageError } from '../usage-error.ts';
import { fileProblem, type Io } from './io.ts';
import { adminClientFor, parseRemote } from './remote-options.ts';
import { formatColumns } from './render-table.ts';

export const OWNERS_USAGE = `The owner directory: who receives the alerts of each owner's targets (remote: --url or CERTVIGIL_URL).

  certvigil owners list [--json]
  certvigil owners add NAME [--email ADDRESS]... [--escalation ADDRESS]...
                          [--channel CHANNEL=VALUE|CHANNEL=@FILE]... [--json]
      every message about targets whose owner is NAME goes to each --email; its escalations
      (critical, unacknowledged) also to each --escalation; and to NAME's own channels: slack or
      teams (a webhook URL), pagerduty (a routing key) or webhook (its JSON), VALUE or read from
      FILE (@FILE keeps it out of the shell's history)
  certvigil owners remove NAME [--email ADDRESS]... [--channel CHANNEL]... [--json]
      takes those addresses and channels off NAME's routes; without either, NAME and all its routes

Deployed, each address is an email subscription to the alert topic, filtered on the owner: SNS
sends it a confirmation email, and nothing reaches it until its owner confirms. A channel must be
one the stack deploys (its channels setting); its value is kept as a secret and never shown. Local
mode keeps the directory and delivers to owners' channels, but sends no email.`;

const ownerPath = (name: string) => `/owners/${encodeURIComponent(name)}`;

export async function runOwners(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {
    email: { type: 'string', multiple: true },
    escalation: { type: 'string', multiple: true },
    channel: { type: 'string', multiple: true },
  });
  const [verb, name, ...extra] = positionals;
  if (verb !== 'list' && verb !== 'add' && verb !== 'remove') {
    throw new UsageError(`owners takes list, add or remove${verb ? ` (got "${verb.slice(0, 40)}")` : ''}`);
  }
  if (verb !== 'list' && !name) throw new UsageError(`owners ${verb} takes the owner's NAME`);
  if (extra.length || (verb === 'list' && name)) {
    throw new UsageError(
      `owners ${verb} takes ${verb === 'list' ? 'no arguments' : 'one NAME'}; quote a name with spaces`,
    );
  }
  const emails = values.email ?? [];
  const escalation = values.escalation ?? [];
  const channels = channelOptions(values.channel ?? [], verb === 'add');
  if (verb === 'add' && !emails.length && !escalation.length && !Object.keys(channels).length) {
    throw new UsageError('owners add takes at least one --email or --escalation ADDRESS, or a --channel');
  }
  if (verb !== 'add' && escalation.length) throw new UsageError('--escalation belongs to owners add');
  const admin = adminClientFor(values, env);
  const print = (answer: unknown, text: string) =>
    io.stdout(values.json ? `${JSON.stringify(answer, null, 2)}\n` : text);
  try {
    if (verb === 'list') {
      const owners: OwnerEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await admin.json<{ owners: OwnerEntry[]; cursor?: string }>('GET', '/owners', {
          query: { limit: '100', cursor },
        });
        owners.push(...page.owners);
        cursor = page.cursor;
      } while (cursor);
      print(
        owners,
        owners.length ? listText(owners) : 'no owners in the directory (certvigil owners add NAME --email ADDRESS)\n',
      );
      return 0;
    }
    const current = await readOwner(admin, name as string);
    if (verb === 'remove' && !current) throw new AdminError(404, `no owner ${name} in the directory`);
    const lower = (list: string[]) => list.map((a) => a.trim().toLowerCase());
    const next = {
      emails: [...new Set([...(current?.emails ?? []), ...lower(emails)])],
      escalationEmails: [...new Set([...(current?.escalationEmails ?? []), ...lower(escalation)])],
      channels,
      version: current?.version ?? 0,
    };
    if (verb === 'remove') {
      const gone = new Set(lower(emails));
      next.emails = next.emails.filter((a) => !gone.has(a));
      next.escalationEmails = next.escalationEmails.filter((a) => !gone.has(a));
      const unknown = [...gone].filter((a) => !current?.emails.includes(a) && !current?.escalationEmails.includes(a));
      if (unknown.length)
        throw new UsageError(`${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not on ${name}'s routes`);
      const absent = Object.keys(channels).filter((c) => !current?.channels?.includes(c));
      if (absent.length) throw new UsageError(`${name} has no ${absent.join(', ')} channel`);
    }
    const left = (current?.channels ?? []).filter((c) => !(c in channels));
    const removeAll =
      verb === 'remove' &&
      ((!emails.length && !Object.keys(channels).length) ||
        (!next.emails.length && !next.escalationEmails.length && !left.length));
    const answer = removeAll
      ? await admin.json<DirectoryAnswer>('DELETE', ownerPath(name as string))
      : await admin.json<DirectoryAnswer>('PUT', ownerPath(name as string), { body: JSON.stringify(next) });
    print(answer, answerText(name as string, answer));
    return 0;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    io.stderr(`certvigil: ${error.message}\n`);
    return 3;
  }
}

async function readOwner(admin: ReturnType<typeof adminClientFor>, name: string): Promise<OwnerEntry | undefined> {
  const reply = await admin.send('GET', ownerPath(name));
  if (reply.status === 404) return undefined;
  if (reply.status >= 400) return admin.json<OwnerEntry>('GET', ownerPath(name));
  return JSON.parse(reply.text) as OwnerEntry;
}

/** `--channel slack=URL` (or `=@FILE`) to add; `--channel slack` to remove: the body's `channels`. */
function channelOptions(given: string[], adding: boolean): Record<string, string | null> {
  const channels: Record<string, string | null> = {};
  for (const option of given) {
    const at = option.indexOf('=');
    const name = (at < 0 ? option : option.slice(0, at)).trim().toLowerCase();
    if (!(CHANNEL_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--channel takes one of ${CHANNEL_NAMES.join(', ')} (got "${name.slice(0, 40)}")`);
    }
    if (!adding) {
      if (at >= 0) throw new UsageError('owners remove takes --channel NAME, without a value');
      channels[name] = null;
      continue;
    }
    if (at < 0) throw new UsageError(`--channel ${name} needs its value: --channel ${name}=URL, or =@FILE`);
    const value = option.slice(at + 1);
    let text = value;
    if (value.startsWith('@')) {
      try {
        text = readFileSync(value.slice(1), 'utf8');
      } catch (error) {
        throw new UsageError(`--channel ${name}: cannot read ${value.slice(1, 200)}: ${fileProblem(error)}`);
      }
    }
    channels[name] = text.trim();
  }
  return channels;
}

function listText(owners: OwnerEntry[]): string {
  const table = formatColumns(
    ['OWNER', 'EMAILS', 'ESCALATION', 'CHANNELS', 'UPDATED (UTC)'],
    owners.map((o) => [
      o.name,
      o.emails.join(', ') || '-',
      o.escalationEmails.join(', ') || '-',
      o.channels?.join(', ') || '-',
      `${o.updatedAt.slice(0, 16).replace('T', ' ')}${o.pending?.length ? ' (not all applied: add again)' : ''}`,
    ]),
  );
  return `${table}\n`;
}

function answerText(name: string, answer: DirectoryAnswer): string {
  const lines = [
    answer.owner
      ? `${name}: ${[
          ...answer.owner.emails,
          ...answer.owner.escalationEmails.map((e) => `${e} (escalations)`),
          ...(answer.owner.channels ?? []).map((c) => `${c} channel`),
        ].join(', ')}`
      : `${name} removed from the directory`,
  ];
  if (answer.subscribed.length) {
    lines.push(
      `subscribed ${answer.subscribed.join(', ')}: SNS has sent each a confirmation email; nothing reaches an address until it is confirmed`,
    );
  }
  if (answer.unsubscribed.length) lines.push(`unsubscribed ${answer.unsubscribed.join(', ')}`);
  if (answer.delivery === 'none') lines.push('local mode sends no email: the routes are kept, nothing is subscribed');
  return `${lines.join('\n')}\n`;
}
