// Issue 30: "certvigil report --out FILE" writes the whole targets report of any size, a page at a
// time, against real local mode: the same rows as the whole report, formula-safe CSV or JSON,
// progress on stderr, and nothing left under FILE when it fails.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMode, startLocalMode } from '../../lib/local/local-mode.ts';
import { runCli } from '../fixtures/run-cli.ts';

const TOKEN = 'report-export-token-0123456789';
const HOSTILE = '=HYPERLINK("http://evil.example","x")';
const COUNT = 1_234;
let local: LocalMode;
let dir: string;

async function api(path: string, init: RequestInit = {}) {
  return fetch(`${local.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
}

function cli(args: string[], url = local.url) {
  return runCli(['report', '--url', url, '--token', TOKEN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    timeoutMs: 120_000,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-report-'));
  local = await startLocalMode({ port: 0, intervalSeconds: 3600, token: TOKEN, print: () => undefined });
  // More than two pages of targets, imported in parts (an import takes at most 5,000 rows).
  const rows = Array.from({ length: COUNT }, (_, i) => ({
    host: `host-${i}.export.example`,
    owner: `team-${i % 7}`,
    tags: i % 2 ? ['edge'] : [],
    notes: i === 7 ? HOSTILE : undefined,
  }));
  const imported = await api('/import', { method: 'POST', body: JSON.stringify(rows) });
  expect(imported.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('certvigil report --out FILE', () => {
  it('writes every target as formula-safe CSV, the rows of the whole report, with progress', async () => {
    const file = join(dir, 'inventory.csv');
    const run = await cli(['--out', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(`report: ${COUNT} targets written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`),
    );
    const written = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    const whole = (await (await api('/report?format=csv')).text()).split('\r\n').filter(Boolean);
    expect(written[0]).toBe(whole[0]); // one header
    expect(written.length).toBe(COUNT + 1);
    expect(new Set(written.slice(1))).toEqual(new Set(whole.slice(1)));
    expect(written.find((line) => line.includes('HYPERLINK'))).toContain(`'=HYPERLINK`);
    expect(existsSync(`${file}.partial`)).toBe(false);
  }, 120_000);

  it('writes JSON that parses to the whole report', async () => {
    const file = join(dir, 'inventory.json');
    const run = await cli(['--out', file]);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(readFileSync(file, 'utf8')) as { target: string; notes: string | null }[];
    const whole = (await (await api('/report?format=json')).json()) as { target: string }[];
    expect(rows.map((r) => r.target).sort()).toEqual(whole.map((r) => r.target).sort());
    expect(rows.find((r) => r.notes !== null)?.notes).toBe(HOSTILE); // JSON keeps the text as it is
  }, 120_000);

  it('leaves nothing under FILE when a page fails, and says why', async () => {
    // A stand-in that answers the first page from local mode, then fails.
    let pages = 0;
    const standIn = http.createServer((req, res) => {
      req.resume();
      req.on('end', async () => {
        if (++pages > 1) {
          res.writeHead(500, { 'content-type': 'application/problem+json' }).end('{"detail":"the store is down"}');
          return;
        }
        const answer = await api(
          new URL(req.url ?? '/', 'http://x').pathname + new URL(req.url ?? '/', 'http://x').search,
        );
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', () => resolve()));
    try {
      const file = join(dir, 'broken.csv');
      const run = await cli(['--out', file], `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('the store is down');
      expect(existsSync(file)).toBe(false);
      expect(existsSync(`${file}.partial`)).toBe(false);
    } finally {
      await new Promise((resolve) => standIn.close(resolve));
    }
  }, 60_000);

  it('refuses --out with the table format, in one line (exit 3, as every usage error)', async () => {
    const run = await cli(['--out', join(dir, 'x.txt'), '--format', 'table']);
    expect(run.code).toBe(3);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--out writes csv or json/);
  });
});
