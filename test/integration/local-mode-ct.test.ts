// Local mode with --ct-domain: POST /discover reads Certificate Transparency (a Cert Spotter
// stand-in on loopback) without any AWS credentials, enrols the unwatched name once and announces
// it in the outbox; the account itself is reported as not listed, and nothing else changes.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMode, startLocalMode } from '../../lib/local/local-mode.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';

const AWS_VARIABLES = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
const saved: Record<string, string | undefined> = {};
let server: DocumentServer;
let local: LocalMode;

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${local.url}${path}`, {
    method,
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json().catch(() => undefined)) as Record<string, unknown> };
}

beforeAll(async () => {
  // No AWS credentials, region or instance metadata: only CT can be read.
  for (const name of [...AWS_VARIABLES, 'AWS_EC2_METADATA_DISABLED']) saved[name] = process.env[name];
  for (const name of AWS_VARIABLES) delete process.env[name];
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  server = await startDocumentServer();
  const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  server.route('/v1/issuances', (req: IncomingMessage, res: ServerResponse) => {
    const after = new URL(req.url ?? '/', 'https://x').searchParams.get('after');
    const page = after
      ? []
      : [
          {
            id: '1',
            tbs_sha256: 'ab'.repeat(32),
            dns_names: ['staging.example.com'],
            issuer: { name: "C=US, O=Let's Encrypt, CN=R11" },
            not_before: later(-1),
            not_after: later(89),
          },
        ];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
  });
  local = await startLocalMode({
    port: 0,
    intervalSeconds: 3600,
    token: 't',
    print: () => undefined,
    ct: { domains: ['example.com'], baseUrl: server.origin },
  });
}, 120_000);
afterAll(async () => {
  await local?.stop();
  await server?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('local mode with --ct-domain', () => {
  it('reads CT without AWS credentials, enrols the unwatched name once and announces it in the outbox', async () => {
    const first = await api('POST', '/discover');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      enrolled: 0,
      accountUnavailable: expect.stringMatching(/region|credentials/),
      ct: [{ domain: 'example.com', read: 1, unlisted: 1, enrolled: ['staging.example.com:443'], problem: null }],
    });
    expect((await api('GET', '/targets/staging.example.com')).json).toMatchObject({ tags: ['discovered', 'ct'] });
    const second = await api('POST', '/discover');
    expect(second.json).toMatchObject({ ct: [{ read: 0, enrolled: [] }] });
    const outbox = readFileSync(local.outboxPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; target: string });
    expect(outbox.filter((n) => n.event === 'unlisted-certificate').map((n) => n.target)).toEqual([
      'staging.example.com:443',
    ]);
  }, 60_000);

  it('answers 202 when a run outlasts the wait, lets a second request join it, and stop ends its rate-limit wait', async () => {
    // A CT API that keeps asking to wait: a run in progress for as long as it is let.
    let asked = 0;
    const limited = await startDocumentServer();
    limited.route('/v1/issuances', (_req: IncomingMessage, res: ServerResponse) => {
      asked++;
      res.writeHead(429, { 'retry-after': '50' }).end();
    });
    const slow = await startLocalMode({
      port: 0,
      intervalSeconds: 3600,
      token: 't',
      print: () => undefined,
      discoveryWaitMs: 1_000,
      ct: { domains: ['example.com'], baseUrl: limited.origin },
    });
    try {
      const ask = () =>
        fetch(`${slow.url}/discover`, { method: 'POST', headers: { authorization: 'Bearer t' } }).then(async (r) => ({
          status: r.status,
          json: (await r.json()) as { detail?: string },
        }));
      const started = performance.now();
      const [first, second] = await Promise.all([ask(), ask()]);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(first.json.detail).toMatch(/^discovery is still running \(longer than 1 s\)/);
      // One run for both requests: the API was asked once, and is waited out.
      expect(asked).toBe(1);
      const third = await ask();
      expect(third.status).toBe(202);
      expect(asked).toBe(1);
    } finally {
      const stopping = performance.now();
      await slow.stop();
      // The 50 s wait ends with local mode, not after it.
      expect(performance.now() - stopping).toBeLessThan(10_000);
      await limited.close();
    }
  }, 60_000);
});
