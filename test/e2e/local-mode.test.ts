import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSelfSigned, daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { jwks, samlMetadata } from '../fixtures/documents.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const TOKEN = 'e2e-token';
let dir: string;
let local: ChildProcess;
let output = '';
let url: string;
let issuer: Minted;
const servers: Record<'warning' | 'expired' | 'healthy', RunningServer> = {} as never;
let docs: DocumentServer;
/** Stand-ins for Slack, Teams, PagerDuty's Events API and a webhook receiver, on loopback. */
const channels: Record<'slack' | 'teams' | 'pagerduty' | 'webhook', ScriptedServer> = {} as never;
const ROUTING_KEY = 'R0e2eroutingkey00000000000000000';

async function api(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

function outbox(): {
  id: string;
  event: string;
  severity: string;
  target: string;
  subject: string;
  text: string;
  resolves: string[];
  actions?: { ack: string; snooze: string; expiresAt: string };
}[] {
  const file = join(dir, 'outbox.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-e2e-'));
  const { certPem, keyPem } = inject('testCa');
  issuer = await issueCertificate(await importCa(certPem, keyPem), { ca: true });
  servers.warning = await startTlsServer(
    credentials(await issueCertificate(issuer, { notBefore: daysFromNow(-70), notAfter: daysFromNow(20.5) })),
  );
  servers.expired = await startTlsServer(
    credentials(await issueCertificate(issuer, { notBefore: daysFromNow(-95), notAfter: daysFromNow(-4.5) })),
  );
  servers.healthy = await startTlsServer(
    credentials(await issueCertificate(issuer, { notBefore: daysFromNow(-10), notAfter: daysFromNow(80) })),
  );
  docs = await startDocumentServer();
  for (const name of ['slack', 'teams', 'pagerduty', 'webhook'] as const) {
    channels[name] = await startScriptedServer();
    channels[name].answer({ status: name === 'pagerduty' || name === 'teams' ? 202 : 200, body: 'ok' });
  }

  // Started as a user would: the npm script, on a port the system picks (--port 0; the address is
  // read from its start-up lines, so no other test can take the port in between).
  // NODE_EXTRA_CA_CERTS (the test CA) is inherited.
  local = spawn('npm', ['run', '--silent', 'local', '--', '--port', '0', '--outbox', join(dir, 'outbox.jsonl')], {
    env: {
      ...process.env,
      CERTVIGIL_LOCAL_TOKEN: TOKEN,
      SLACK_WEBHOOK_URL: channels.slack.url,
      TEAMS_WEBHOOK_URL: channels.teams.url,
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: channels.pagerduty.url,
      WEBHOOK_URL: channels.webhook.url,
      WEBHOOK_SECRET: 'e2e-signing-secret-0123456789',
      // No AWS credentials anywhere (and no instance metadata to ask): discovery must say so.
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_REGION: 'eu-west-1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that "Ctrl-C" reaches every process of it
  });
  local.stdout?.on('data', (c) => {
    output += c;
  });
  local.stderr?.on('data', (c) => {
    output += c;
  });
  const deadline = Date.now() + 90_000;
  while (!/admin API:\s+(http:\/\/127\.0\.0\.1:\d+)/.test(output)) {
    if (local.exitCode !== null || Date.now() > deadline) throw new Error(`local mode did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = /admin API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
}, 120_000);

/** What Ctrl-C in a terminal does: SIGINT to the whole foreground process group. */
function ctrlC(): void {
  if (local.pid) process.kill(-local.pid, 'SIGINT');
}

afterAll(async () => {
  if (local && local.exitCode === null && local.signalCode === null) {
    ctrlC();
    await new Promise((r) => local.once('exit', r));
  }
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await docs.close();
  await Promise.all(Object.values(channels).map((c) => c.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('local mode, end to end', () => {
  it('prints where it listens, the outbox, and refuses requests without the token', async () => {
    expect(output).toContain(`admin API:  ${url}`);
    expect(output).toContain('channels:   Slack, Microsoft Teams, PagerDuty, Webhook');
    expect(output).toContain(`outbox:     ${join(dir, 'outbox.jsonl')}`);
    const denied = await api('GET', '/targets', undefined, 'wrong');
    expect(denied.status).toBe(401);
    expect(denied.json.detail).toMatch(/^the token was refused: it is not this local mode's/);
    const none = await fetch(`${url}/targets`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { detail: string }).detail).toMatch(/Authorization: Bearer/);
  });

  it('checks targets added over HTTP on a dispatch and notifies each event exactly once', async () => {
    for (const server of Object.values(servers)) {
      expect((await api('POST', '/targets', { host: `127.0.0.1:${server.port}` })).status).toBe(201);
    }
    const first = await api('POST', '/dispatch');
    expect(first.json).toMatchObject({ dispatched: 3, checked: 3, probeFailures: 0 });
    const expected = [
      ['entered-window', 'warning', `127.0.0.1:${servers.warning.port}`],
      ['expired', 'critical', `127.0.0.1:${servers.expired.port}`],
    ];
    const events = () => outbox().map((e) => [e.event, e.severity, e.target]);
    expect(events().sort()).toEqual(expected.sort());
    expect(output).toContain(`[certvigil] WARNING 127.0.0.1:${servers.warning.port}: certificate expires in 20 days`);

    // Nothing is due any more; a round of every target checks them all again and sends nothing new.
    expect((await api('POST', '/dispatch')).json).toMatchObject({ dispatched: 0 });
    expect((await api('POST', '/dispatch?all=true')).json).toMatchObject({ dispatched: 3, checked: 3 });
    expect(events().sort()).toEqual(expected.sort());
  });

  it('announces a renewal once when a server starts serving a new certificate', async () => {
    servers.warning.setCredentials?.(
      credentials(await issueCertificate(issuer, { notBefore: daysFromNow(-1), notAfter: daysFromNow(89) })),
    );
    expect((await api('POST', '/dispatch?all=true')).json).toMatchObject({ dispatched: 3, checked: 3 });
    const view = await api('GET', `/targets/127.0.0.1:${servers.warning.port}`);
    expect(view.json.lastCheck).toMatchObject({ status: 'ok', daysLeft: 88 });
    await api('POST', '/dispatch?all=true');
    const renewed = outbox().filter((e) => e.event === 'renewed');
    expect(renewed).toHaveLength(1);
    expect(renewed[0]?.text).toMatch(/Previous certificate: valid until/);
    expect(outbox()).toHaveLength(3);
  });

  it('answers the CLI remote commands with the local token', async () => {
    const cli = (...args: string[]) =>
      runCli(args, { env: { ...process.env, CERTVIGIL_URL: url, CERTVIGIL_TOKEN: TOKEN } });
    expect((await cli('targets', 'add', `127.0.0.1:${servers.healthy.port}`, '--owner', 'web')).stdout).toBe(
      `updated 127.0.0.1:${servers.healthy.port}\n`,
    );
    const list = await cli('targets', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^TARGET\s+STATUS\s+DAYS\s+EXPIRES\s+OWNER/);
    expect(list.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${servers.expired.port}\\s+expired\\s+-5`));
    const csv = await cli('report', '--format', 'csv');
    expect(csv.stdout.split('\r\n')[1]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${servers.expired.port},expired,-5,`));
    const now = await cli('check-now', `127.0.0.1:${servers.expired.port}`);
    expect(now.code).toBe(2);
    expect(now.stdout).toMatch(/^STATUS\s+DAYS/);
    const certs = await cli('certs');
    expect(certs.stdout.split('\n')[0]).toMatch(/^STATUS\s+DAYS\s+EXPIRES\s+WHERE\s+SUBJECT\s+ROLLOUT\s+FINGERPRINT/);
    expect(certs.code).toBe(0);
    const where = await cli('where', `127.0.0.1:${servers.expired.port}`);
    expect(where.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${servers.expired.port}\\s+127\\.0\\.0\\.1`));
    const test = await cli('test-alert');
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(
      /^test notification \S+ sent: local mode has no topic: the test notification was printed here, appended to .*outbox\.jsonl and sent to Slack, Microsoft Teams, PagerDuty, Webhook\n$/,
    );
    const tests = outbox().filter((e) => e.event === 'test');
    expect(tests).toHaveLength(1);
    // Discovery needs the user's AWS credentials; without any it says what to set.
    const discover = await cli('discover');
    expect(discover.code).toBe(3);
    expect(discover.stderr).toMatch(
      /^certvigil: discovery needs AWS credentials and could not use any \(.*Set AWS_PROFILE/,
    );
    expect(tests[0]).toMatchObject({
      severity: 'info',
      subject: '[certvigil] TEST notification: alerts reach this channel',
    });
  });

  it('lists open events, shows a timeline and runs a round from the CLI, and says what was wrong (issue 32)', async () => {
    const cli = (...args: string[]) =>
      runCli(args, { env: { ...process.env, CERTVIGIL_URL: url, CERTVIGIL_TOKEN: TOKEN } });
    const expired = `127.0.0.1:${servers.expired.port}`;
    const events = await cli('events');
    expect(events.stdout.split('\n')[0]).toMatch(
      /^SEVERITY\s+EVENT\s+TARGET\s+SINCE \(UTC\)\s+OWNER\s+ACKNOWLEDGED\s+ID\s+PROBLEM$/,
    );
    expect(events.stdout).toMatch(new RegExp(`\\ncritical\\s+expired\\s+${expired.replace(/\./g, '\\.')}\\s`));
    const critical = JSON.parse((await cli('events', '--severity', 'critical', '--json')).stdout);
    expect(critical.map((e: { target: string }) => e.target)).toContain(expired);
    const timeline = await cli('timeline', expired);
    expect(timeline.stdout.split('\n')[0]).toMatch(/^WHEN \(UTC\)\s+STATUS\s+CHANGE\s+DAYS\s+DETAIL$/);
    expect(timeline.stdout).toMatch(/\sexpired\s+first\s+-5\s/);
    const round = await cli('dispatch', '--all');
    expect(round.stdout).toMatch(/^dispatched \d+ targets \(every enabled target\), \d+ checked, 0 failed\n$/);
    expect((await cli('dispatch')).stdout).toMatch(/^dispatched \d+ targets? \(those due\)/);
    // What was wrong, in words.
    const wrongToken = await runCli(['events'], {
      env: { ...process.env, CERTVIGIL_URL: url, CERTVIGIL_TOKEN: 'nope' },
    });
    expect(wrongToken.stderr).toBe(
      "certvigil: the token was refused: it is not this local mode's (local mode prints its token at start; CERTVIGIL_LOCAL_TOKEN sets it)\n",
    );
    const withPath = await cli('events', '--url', `${url}/targets`);
    expect(withPath.stderr).toBe(
      `certvigil: --url ${url}/targets has a path, which is not used: give the admin URL alone (${url}/); each command adds its own path\n`,
    );
    expect((await cli('timeline')).stderr).toContain('timeline takes one TARGET');
  });

  it('keeps owners, digests and maintenance windows over real HTTP, with the CLI (issue 31)', async () => {
    const cli = (...args: string[]) =>
      runCli(args, { env: { ...process.env, CERTVIGIL_URL: url, CERTVIGIL_TOKEN: TOKEN } });
    const added = await cli(
      'owners',
      'add',
      'web',
      '--email',
      'web-team@example.com',
      '--escalation',
      'lead@example.com',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('web: web-team@example.com, lead@example.com (escalations)');
    expect(added.stdout).toContain('local mode sends no email: the routes are kept, nothing is subscribed');
    expect((await cli('owners', 'list')).stdout).toMatch(/\nweb\s+web-team@example\.com\s+lead@example\.com/);
    // The digest of the owner the healthy target has (set by the CLI test above), and of the unowned.
    const digest = await cli('digest', '--owner', 'web');
    expect(digest.stdout).toMatch(/^certvigil weekly digest for owner web, \d{4}-\d{2}-\d{2}\n/);
    const unowned = await cli('digest', '--unowned', '--json');
    expect(JSON.parse(unowned.stdout)).toMatchObject({ owner: null, trouble: { count: expect.any(Number) } });
    expect(JSON.parse(unowned.stdout).trouble.rows.map((r: { target: string }) => r.target)).toContain(
      `127.0.0.1:${servers.expired.port}`,
    );
    // A maintenance window on one target: made, listed, ended.
    const window = await cli('maintenance', 'add', '--target', `127.0.0.1:${servers.healthy.port}`, '--until', '1h');
    expect(window.code).toBe(0);
    const id = /^window ([0-9a-f]{12}): /.exec(window.stdout)?.[1] as string;
    expect((await cli('maintenance', 'list')).stdout).toContain(id);
    expect((await cli('maintenance', 'end', id)).stdout).toBe(`window ${id} ended\n`);
    expect((await cli('owners', 'remove', 'web')).stdout).toContain('web removed from the directory');
  });

  it('serves the signed links in its messages without the token, acting once on POST (issue 31)', async () => {
    const expired = outbox().find((n) => n.event === 'expired');
    const link = new URL(expired?.actions?.ack ?? 'http://missing');
    expect(link.origin).toBe(url);
    expect(link.pathname).toBe(`/actions/${expired?.id}/ack`);
    expect(expired?.text).toContain(expired?.actions?.snooze);
    // Slack's stand-in got the same links as buttons.
    const slack = channels.slack.requests.map((r) => JSON.parse(r.body)).find((m) => m.text === expired?.subject);
    const buttons = slack.attachments[0].blocks.find((b: { type: string }) => b.type === 'actions');
    expect(buttons.elements.map((e: { url: string }) => e.url)).toEqual([
      expired?.actions?.ack,
      expired?.actions?.snooze,
    ]);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acknowledge this alert?');
    const form = new URLSearchParams({
      token: link.searchParams.get('token') ?? '',
      name: 'Dana',
      note: 'new cert on order',
    });
    const post = () =>
      fetch(`${url}${link.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    const done = await post();
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Acknowledged');
    expect((await post()).status).toBe(410);
    const events = await api('GET', `/events?q=${encodeURIComponent(expired?.target ?? '')}`);
    expect(events.json.find((e: { id: string }) => e.id === expired?.id)?.acknowledged).toMatchObject({
      kind: 'ack',
      by: 'Dana (signed link)',
      note: 'new cert on order',
    });
    for (let i = 0; i < 50 && !output.includes('action link: used (410)'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain(`action link: ack (200) ${expired?.target}`);
    // The messages printed carry the links (as an email does); the lines about their use never do.
    const uses = output.split('\n').filter((line) => line.startsWith('action link:'));
    expect(uses).toHaveLength(3);
    for (const line of uses) expect(line).not.toContain(link.searchParams.get('token')?.split('.')[2] ?? 'no token');
  });

  it('monitors SAML metadata, a JWKS and a PEM bundle, announcing each event once', async () => {
    const signing = await createSelfSigned({
      subject: 'CN=e2e idp',
      notBefore: daysFromNow(-85),
      notAfter: daysFromNow(3),
    });
    const old = await createSelfSigned({
      subject: 'CN=e2e old key',
      notBefore: daysFromNow(-400),
      notAfter: daysFromNow(-1),
    });
    const bundle = await createSelfSigned({ subject: 'CN=e2e ca', notAfter: daysFromNow(700) });
    docs.serve(
      '/idp.xml',
      samlMetadata([
        {
          entityId: 'https://e2e-idp.example',
          roles: [{ role: 'IDPSSODescriptor', keys: [{ cert: signing, use: 'signing' }] }],
        },
      ]),
      'application/samlmetadata+xml',
    );
    docs.serve('/keys', jwks([{ kid: 'old', use: 'sig', cert: old }]), 'application/json');
    docs.serve('/ca.pem', bundle.certPem, 'application/x-pem-file');
    const ids = [`saml:${docs.origin}/idp.xml`, `jwks:${docs.origin}/keys`, `pem:${docs.origin}/ca.pem`];
    for (const id of ids) expect((await api('POST', '/targets', { host: id })).status).toBe(201);
    const before = outbox().length;
    expect((await api('POST', '/dispatch')).json).toMatchObject({ dispatched: 3, checked: 3, probeFailures: 0 });
    const statuses = await Promise.all(
      ids.map(async (id) => (await api('GET', `/targets/${encodeURIComponent(id)}`)).json),
    );
    expect(statuses.map((t) => [t.kind, t.lastCheck.status, t.lastCheck.certificateCount])).toEqual([
      ['saml', 'critical', 1],
      ['jwks', 'expired', 1],
      ['pem', 'ok', 1],
    ]);
    await api('POST', '/dispatch?all=true');
    const news = outbox()
      .slice(before)
      .map((e) => [e.event, e.target])
      .sort();
    expect(news).toEqual([
      ['entered-window', ids[0]],
      ['expired', ids[1]],
    ]);
  });

  it('names its own /dispatch route in the 404 and 405 answers of the one route table', async () => {
    const wrongMethod = await api('GET', '/dispatch');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.detail).toBe(
      'GET is not supported on /dispatch; use POST (POST /dispatch runs a round now; POST /dispatch?all=true checks every target)',
    );
    const nowhere = await api('GET', '/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.json.detail).toMatch(/the API has \/targets, .*, \/test-alert and \/dispatch$/);
  });

  it('delivered every notification to Slack, Teams, PagerDuty and the webhook, once per event each', () => {
    const sent = outbox();
    expect(sent.length).toBeGreaterThanOrEqual(6);
    const subjects = sent.map((n) => n.subject).sort();
    // Slack: the subject is the message's text; Teams: the card's first line.
    expect(channels.slack.requests.map((r) => JSON.parse(r.body).text).sort()).toEqual(subjects);
    expect(
      channels.teams.requests
        .map((r) => JSON.parse(r.body).attachments[0].content.body[0].items[0].inlines[0].text)
        .sort(),
    ).toEqual(subjects);
    // The webhook: the notification itself, signed.
    expect(channels.webhook.requests.map((r) => JSON.parse(r.body).id).sort()).toEqual(sent.map((n) => n.id).sort());
    for (const r of channels.webhook.requests) expect(r.headers['x-certvigil-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    // PagerDuty: a trigger per warning or critical event (and the test), a resolve per ended one.
    const pd = channels.pagerduty.requests.map((r) => JSON.parse(r.body));
    const triggers = pd.filter((e) => e.event_action === 'trigger').map((e) => e.dedup_key);
    const expectedTriggers = sent
      .filter((n) => n.severity !== 'info' || n.event === 'test')
      .map((n) => (n.event === 'test' ? `certvigil-test-${n.id}` : `certvigil-${n.id}`));
    expect(triggers.sort()).toEqual(expectedTriggers.sort());
    const resolves = pd.filter((e) => e.event_action === 'resolve').map((e) => e.dedup_key);
    const renewal = sent.find((n) => n.event === 'renewed');
    const warning = sent.find((n) => n.event === 'entered-window' && n.severity === 'warning');
    expect(renewal?.resolves).toEqual([warning?.id]);
    expect(resolves).toEqual([`certvigil-${warning?.id}`]);
    expect(new Set(pd.map((e) => e.routing_key))).toEqual(new Set([ROUTING_KEY]));
    // Nothing about the channels' secrets reached the console.
    expect(output).not.toContain(ROUTING_KEY);
    expect(output).not.toContain('e2e-signing-secret');
    expect(output).not.toContain('/services/T000/B000/secret-token');
  });

  it('stops everything it started on Ctrl-C, DynamoDB Local included', async () => {
    ctrlC();
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      local.once('exit', (c, s) => r([c, s])),
    );
    // npm re-raises the SIGINT it was sent once its script has exited; certvigil itself exits 0.
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    expect(output).toContain('stopped');
    await expect(fetch(`${url}/targets`)).rejects.toThrow();
    // No process of the group is left (DynamoDB Local, its namespace bridge, the CLI).
    const alive = () => {
      try {
        process.kill(-(local.pid as number), 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  });
});
