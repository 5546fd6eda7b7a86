// Issue 31 in local mode over real HTTP: an expired certificate is announced, reminded once per
// period (local mode takes the reminder settings in hours, decimals allowed, so a period here is
// 7.2 s), and its reminder's signed link acknowledges it, which stops the reminders. Started as a
// user would (the npm script), against a real TLS server on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { daysFromNow, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const TOKEN = 'e2e-reminders-token';
/** Hours between reminders of a critical event: 7.2 s (two dispatches in a row stay in one period). */
const PERIOD_HOURS = 0.002;
let dir: string;
let local: ChildProcess;
let output = '';
let url: string;
let expired: RunningServer;
let healthy: RunningServer;
let caFile: string;
/** The owner's own Slack (a stand-in on loopback). */
let teamSlack: ScriptedServer;

interface Sent {
  id: string;
  event: string;
  subject: string;
  text: string;
  reminderOf?: string;
  actions?: { ack: string; snooze: string };
}

function outbox(): Sent[] {
  const file = join(dir, 'outbox.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-e2e-reminders-'));
  const { certPem, keyPem } = inject('testCa');
  caFile = join(dir, 'test-ca.pem');
  writeFileSync(caFile, certPem);
  const issuer = await issueCertificate(await importCa(certPem, keyPem), { ca: true });
  expired = await startTlsServer(
    credentials(await issueCertificate(issuer, { notBefore: daysFromNow(-95), notAfter: daysFromNow(-2.5) })),
  );
  healthy = await startTlsServer(
    credentials(await issueCertificate(issuer, { notBefore: daysFromNow(-10), notAfter: daysFromNow(80) })),
  );
  teamSlack = await startScriptedServer();
  teamSlack.answer({ status: 200, body: 'ok' });
  local = spawn(
    'npm',
    [
      'run',
      '--silent',
      'local',
      '--',
      '--port',
      '0',
      '--data',
      dir,
      '--remind-critical-hours',
      String(PERIOD_HOURS),
      '--escalate-after-hours',
      '0',
      // The test CA from a file, not the environment: --ca alone makes it trusted.
      '--ca',
      caFile,
    ],
    {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: '',
        CERTVIGIL_LOCAL_TOKEN: TOKEN,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  local.stdout?.on('data', (c) => {
    output += c;
  });
  local.stderr?.on('data', (c) => {
    output += c;
  });
  const deadline = Date.now() + 90_000;
  while (!/admin API:\s+(http:\/\/127\.0\.0\.1:\d+)/.test(output)) {
    if (local.exitCode !== null || Date.now() > deadline) throw new Error(`local mode did not start:\n${output}`);
    await sleep(100);
  }
  url = /admin API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
}, 120_000);

afterAll(async () => {
  if (local && local.exitCode === null && local.signalCode === null) {
    if (local.pid) process.kill(-local.pid, 'SIGINT');
    await new Promise((r) => local.once('exit', r));
  }
  await expired.close();
  await healthy.close();
  await teamSlack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reminders in local mode, end to end', () => {
  it('says a port in use at once, before starting DynamoDB Local, in one line', async () => {
    const started = Date.now();
    const busy = await runCli(['local', '--port', new URL(url).port], {
      env: { ...process.env, CERTVIGIL_LOCAL_TOKEN: 'x' },
    });
    expect(busy.code).toBe(3);
    expect(busy.stderr).toBe(
      `certvigil: port ${new URL(url).port} is in use (another local mode?); pick another with --port\n`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    const badCa = await runCli(['local', '--port', '0', '--ca', join(dir, 'missing.pem')]);
    expect(badCa.stderr).toMatch(/^certvigil: --ca: cannot read CA file .*missing\.pem: no such file\n$/);
  });

  it('says its reminder settings and how it trusts certificates at start', () => {
    expect(output).toContain('reminders:  critical every 0.002 h, warning every 168 h, escalation never');
    expect(output).toContain(`trust:      the system's CAs, --ca ${caFile} (a private CA: --ca FILE)`);
    // The signing key of the links is kept in the data directory, readable by its owner only.
    expect(statSync(join(dir, 'action-key')).mode & 0o777).toBe(0o600);
  });

  it('trusts a private CA given with --ca alone (NODE_EXTRA_CA_CERTS is empty here)', async () => {
    const target = `127.0.0.1:${healthy.port}`;
    expect((await api('POST', '/targets', { host: target })).status).toBe(201);
    const checked = await api('POST', `/targets/${target}/check`);
    expect(checked.json).toMatchObject({ status: 'ok', trusted: true });
  });

  it("reminds an unacknowledged event once per period, to the owner's own channel too, and its signed link stops the reminders", async () => {
    const target = `127.0.0.1:${expired.port}`;
    // The owner's own Slack channel, its URL read from a file (kept out of the shell's history).
    const file = join(dir, 'web-slack-url');
    writeFileSync(file, teamSlack.url);
    const added = await runCli(['owners', 'add', 'web', '--channel', `slack=@${file}`], {
      env: { ...process.env, CERTVIGIL_URL: url, CERTVIGIL_TOKEN: TOKEN },
    });
    expect(added.stdout).toContain('web: slack channel');
    expect(added.stdout).not.toContain('secret-token');
    expect((await api('POST', '/targets', { host: target, owner: 'web' })).status).toBe(201);
    await api('POST', '/dispatch');
    const [announced] = outbox();
    expect(announced).toMatchObject({ event: 'expired' });

    await sleep(PERIOD_HOURS * 3_600_000 + 500);
    await api('POST', '/dispatch?all=true');
    await api('POST', '/dispatch?all=true'); // the same period again: nothing new
    const reminders = outbox().filter((n) => n.event === 'reminder');
    expect(reminders).toHaveLength(1);
    const [reminder] = reminders;
    expect(reminder?.subject).toContain(`${target}: reminder 1: certificate expired`);
    expect(reminder?.text).toMatch(
      /^reminder 1: certificate expired 3 days ago, unacknowledged for 0 days, expired 3 days ago\./,
    );
    expect(reminder?.reminderOf).toBe(announced?.id);
    // The reminder's link acknowledges the event it repeats.
    const link = new URL(reminder?.actions?.ack ?? 'http://missing');
    expect(link.pathname).toBe(`/actions/${announced?.id}/ack`);
    const done = await fetch(`${url}${link.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: link.searchParams.get('token') ?? '', name: 'Sam' }),
    });
    expect(done.status).toBe(200);

    // The owner's Slack got the announcement and the reminder, the reminder with its buttons.
    const slackTexts = teamSlack.requests.map((r) => JSON.parse(r.body));
    expect(slackTexts.map((m) => m.text)).toEqual([announced?.subject, reminder?.subject]);
    expect(JSON.stringify(slackTexts[1])).toContain(reminder?.actions?.ack);

    // Acknowledged: later periods bring no reminder.
    await sleep(PERIOD_HOURS * 3_600_000 + 500);
    await api('POST', '/dispatch?all=true');
    expect(outbox().filter((n) => n.event === 'reminder')).toHaveLength(1);
    const events = await api('GET', `/events?q=${encodeURIComponent(target)}`);
    expect(events.json[0]?.acknowledged).toMatchObject({ kind: 'ack', by: 'Sam (signed link)' });
  }, 60_000);
});
