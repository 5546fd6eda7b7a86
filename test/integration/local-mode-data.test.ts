// Local mode with --data keeps its targets across restarts (DynamoDB Local on disk); without, its
// outbox goes at stop with the store it kept in memory.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalMode } from '../../lib/local/local-mode.ts';

const dir = mkdtempSync(join(tmpdir(), 'certvigil-local-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function api(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => undefined) };
}

describe('local mode without --data', () => {
  it('keeps its outbox in a scratch folder while it runs, and removes the folder at stop', async () => {
    const local = await startLocalMode({ port: 0, intervalSeconds: 3600, token: 't', print: () => undefined });
    const folder = dirname(local.outboxPath);
    expect(folder.startsWith(join(tmpdir(), 'certvigil-local-'))).toBe(true);
    try {
      expect((await api(local.url, 'POST', '/test-alert')).status).toBe(202);
      const written = () => (existsSync(local.outboxPath) ? readFileSync(local.outboxPath, 'utf8') : '');
      for (let i = 0; i < 50 && !written(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(written()).toContain('"target"');
    } finally {
      await local.stop();
    }
    expect(existsSync(folder)).toBe(false);
  }, 120_000);
});

describe('local mode --data', () => {
  it('finds the targets of an earlier run, and writes the outbox into the data folder', async () => {
    const options = { port: 0, dataDir: dir, intervalSeconds: 3600, token: 't', print: () => undefined };
    const first = await startLocalMode(options);
    expect(first.outboxPath).toBe(join(dir, 'outbox.jsonl'));
    expect((await api(first.url, 'POST', '/targets', { host: 'kept.example', owner: 'ops' })).status).toBe(201);
    await first.stop();

    const second = await startLocalMode(options);
    try {
      const kept = await api(second.url, 'GET', '/targets/kept.example');
      expect(kept.status).toBe(200);
      expect(kept.json).toMatchObject({ id: 'kept.example:443', owner: 'ops' });
    } finally {
      await second.stop();
    }
  }, 120_000);
});
