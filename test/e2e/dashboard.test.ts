// The dashboard in a real browser (Debian's Chromium through puppeteer-core): local mode with
// DynamoDB Local and real TLS servers minted here, then `certvigil dashboard` forwarding to a
// stand-in function URL that checks every SigV4 signature.
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalMode, startLocalMode } from '../../lib/local/local-mode.ts';
import { launchBrowser, type RunningBrowser, SCREENSHOTS } from '../fixtures/browser.ts';
import { daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { BIN, runCli } from '../fixtures/run-cli.ts';
import { credentials, type RunningServer, sharedPortServers, startTlsServer } from '../fixtures/servers.ts';
import { verify } from '../fixtures/sigv4.ts';

// Code inside page.evaluate() and friends runs in the browser; these name its globals for the
// type checker only (the DOM library is not part of this Node program).
// biome-ignore lint/suspicious/noExplicitAny: browser globals, typed by the browser
declare const document: any, window: any, location: any, sessionStorage: any;
declare const requestAnimationFrame: (callback: () => void) => number;

const TOKEN = 'dashboard-e2e-token-0123456789';
const XSS = '<img src=x onerror=window.__xss=1>';
const CREDENTIALS = { accessKeyId: 'AKIDDASHBOARD', secretAccessKey: 'dashboardSecretKey/K7MDENG+bPxRfiCYEXAMPLE' };

let dir: string;
let local: LocalMode;
let browser: RunningBrowser;
let ca: Minted;
const servers: Record<'warning' | 'expired' | 'healthy' | 'xss', RunningServer> = {} as never;
const leaves: Record<'warning' | 'expired' | 'healthy' | 'xss' | 'old' | 'renewed', Minted> = {} as never;
const rollout = sharedPortServers();
const ids: Record<string, string> = {};
/** Content-Security-Policy violations the page reported (none may happen). */
const violations: string[] = [];

const fingerprint = (minted: Minted) => new X509Certificate(minted.certPem).fingerprint256;

async function api(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${local.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function add(target: Record<string, unknown>): Promise<string> {
  const added = await api('POST', '/targets', target);
  expect(added.status).toBe(201);
  return added.json.id as string;
}

async function openPage(url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.browser.newPage();
  await page.setViewport(viewport);
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) => {
      (window as unknown as { __violations: string[] }).__violations ??= [];
      (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('dialog', (dialog) => {
    violations.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** Gives the token when the page asks for it, then waits for the view to show `ready`. */
async function signIn(page: Page, ready = 'table.target-table tbody tr'): Promise<void> {
  await page.waitForSelector('.token-form input');
  await page.type('.token-form input', TOKEN);
  await page.click('.token-form button');
  await page.waitForSelector(ready);
}

async function rowsOf(page: Page): Promise<{ target: string; cells: string[] }[]> {
  return page.$$eval('table.target-table tbody tr', (rows) =>
    rows.map((r) => ({
      target: (r as unknown as { dataset: { target?: string } }).dataset.target ?? '',
      cells: [...r.querySelectorAll('td')].map((td) => td.textContent ?? ''),
    })),
  );
}

async function closePage(page: Page): Promise<void> {
  const seen = await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []);
  violations.push(...seen);
  await page.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-dashboard-'));
  const { certPem, keyPem } = inject('testCa');
  ca = await issueCertificate(await importCa(certPem, keyPem), { ca: true });
  leaves.warning = await issueCertificate(ca, { notBefore: daysFromNow(-70), notAfter: daysFromNow(20.5) });
  leaves.expired = await issueCertificate(ca, { notBefore: daysFromNow(-95), notAfter: daysFromNow(-4.5) });
  leaves.healthy = await issueCertificate(ca, { notBefore: daysFromNow(-10), notAfter: daysFromNow(80) });
  leaves.xss = await issueCertificate(ca, {
    subject: `CN="${XSS}", O="<script>window.__xss=2</script>"`,
    notBefore: daysFromNow(-10),
    notAfter: daysFromNow(60),
  });
  leaves.old = await issueCertificate(ca, {
    sans: ['rollout.test'],
    notBefore: daysFromNow(-60),
    notAfter: daysFromNow(30),
  });
  leaves.renewed = await issueCertificate(ca, {
    sans: ['rollout.test'],
    notBefore: daysFromNow(-1),
    notAfter: daysFromNow(89),
  });
  for (const name of ['warning', 'expired', 'healthy', 'xss'] as const) {
    servers[name] = await startTlsServer(credentials(leaves[name]));
  }
  await rollout.serveOn('127.0.0.11', leaves.old);
  await rollout.serveOn('127.0.0.12', leaves.old);
  const bundle = join(dir, 'bundle.pem');
  writeFileSync(bundle, leaves.healthy.certPem);

  local = await startLocalMode({ port: 0, intervalSeconds: 3600, token: TOKEN, print: () => undefined });
  ids.warning = await add({ host: `127.0.0.1:${servers.warning.port}`, owner: 'payments', tags: ['edge', 'pci'] });
  ids.expired = await add({ host: `127.0.0.1:${servers.expired.port}`, owner: 'legacy', tags: ['internal'] });
  ids.healthy = await add({ host: `127.0.0.1:${servers.healthy.port}`, owner: 'web', tags: ['edge'] });
  ids.xss = await add({ host: `127.0.0.1:${servers.xss.port}`, owner: `${XSS} team`, notes: XSS });
  ids.rollout = await add({
    host: `rollout.test:${rollout.port}`,
    addresses: ['127.0.0.11', '127.0.0.12'],
    owner: 'web',
    tags: ['edge'],
  });
  ids.file = await add({ host: `file:${bundle}`, owner: 'platform' });
  expect((await api('POST', '/dispatch?all=true')).status).toBe(200);
  // One of the rollout target's two addresses gets the renewed certificate: "1 of 2 locations".
  rollout.serve('127.0.0.11', leaves.renewed);
  expect((await api('POST', '/dispatch?all=true')).status).toBe(200);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await local?.stop();
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await rollout.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard in local mode', () => {
  it('is served without the token, under a strict policy, and holds no data itself', async () => {
    const response = await fetch(`${local.url}/`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(policy).toMatch(/connect-src 'self'/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await response.text();
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(/);
    expect(html).not.toContain(ids.warning as string);
    // The API itself still wants the token.
    expect((await fetch(`${local.url}/report?format=json`)).status).toBe(401);
  });

  it('asks for the token on a 401, refuses a wrong one, and shows nothing until the right one', async () => {
    const page = await openPage(`${local.url}/`);
    await page.waitForSelector('.token-form input');
    expect(await page.$('table.target-table')).toBeNull();
    await page.type('.token-form input', 'not-the-token');
    await page.click('.token-form button');
    await page.waitForFunction(() => document.querySelector('.token-form')?.textContent?.includes('refused'));
    expect(await page.$('table.target-table')).toBeNull();
    expect(await page.evaluate(() => sessionStorage.getItem('certvigil-token'))).toBeNull();
    await page.type('.token-form input', TOKEN);
    await page.click('.token-form button');
    await page.waitForSelector('table.target-table tbody tr');
    expect(page.url()).not.toContain(TOKEN);
    await closePage(page);
  });

  it('lists every target with its status, kind and owner, soonest expiry first', async () => {
    const page = await openPage(`${local.url}/`);
    await signIn(page);
    const rows = await rowsOf(page);
    expect(rows.map((r) => r.target).sort()).toEqual(Object.values(ids).sort());
    const byId = new Map(rows.map((r) => [r.target, r.cells]));
    expect(byId.get(ids.warning as string)?.[0]).toBe('warning');
    expect(byId.get(ids.expired as string)?.[0]).toBe('expired');
    expect(byId.get(ids.healthy as string)?.[0]).toBe('ok');
    expect(byId.get(ids.file as string)?.[3]).toBe('file');
    expect(byId.get(ids.warning as string)?.[4]).toBe('payments');
    expect(rows[0]?.target).toBe(ids.expired); // default order: soonest expiry first
    expect(await page.$eval('.count-line', (e) => e.textContent)).toBe('6 of 6 targets');
    // Why a target is not ok has its own column (issue 32), not the Subject's.
    const header = await page.$$eval('table.target-table thead th', (th) => th.map((t) => t.textContent));
    expect(header.slice(6, 8)).toEqual(['Subject', 'Problem']);
    expect(byId.get(ids.healthy as string)?.[7]).toBe('—');
    // Browsers ask for an icon: answered without the token, never a 401.
    const icon = await fetch(`${local.url}/favicon.ico`);
    expect(icon.status).toBe(204);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-1280x800.png') });
    await closePage(page);
  });

  it('filters by status, kind, owner, tag and a piece of the id on the server, a page at a time', async () => {
    const page = await openPage(`${local.url}/`);
    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/targets') asked.push(url.search);
    });
    await signIn(page);
    const targets = async () => (await rowsOf(page)).map((r) => r.target).sort();
    /** The table once the server's answer to the last change stands. */
    const shows = async (expected: string[]) => {
      await page
        .waitForFunction(
          (want) =>
            JSON.stringify(
              [...document.querySelectorAll('table.target-table tbody tr')]
                .map((r: { dataset: { target: string } }) => r.dataset.target)
                .sort(),
            ) === want,
          { timeout: 5_000 },
          JSON.stringify([...expected].sort()),
        )
        .catch(() => undefined);
      expect(await targets()).toEqual([...expected].sort());
    };

    await page.select('select[name=status]', 'warning');
    await shows([ids.warning as string]);
    await page.select('select[name=status]', '');
    await page.select('select[name=kind]', 'file');
    await shows([ids.file as string]);
    await page.select('select[name=kind]', '');
    await page.select('select[name=owner]', 'web');
    await shows([ids.healthy, ids.rollout] as string[]);
    // Typing asks once it pauses: the answer to owner and tag together.
    const tagged = page.waitForResponse((r) => r.url().includes('owner=web&tag=edge'));
    await page.type('input[name=tag]', 'edge');
    await tagged;
    await shows([ids.healthy, ids.rollout] as string[]);
    await page.select('select[name=owner]', '');
    await shows([ids.warning, ids.healthy, ids.rollout] as string[]);
    await page.$eval('input[name=tag]', (e) => {
      (e as unknown as { value: string }).value = '';
      e.dispatchEvent(new Event('input'));
    });
    await page.type('input[name=text]', String(servers.expired.port));
    await shows([ids.expired as string]);
    await page.$eval('input[name=text]', (e) => {
      (e as unknown as { value: string }).value = '';
      e.dispatchEvent(new Event('input'));
    });
    await shows(Object.values(ids));
    // The status summary is a filter too.
    await page.click('button.count[data-status=expired]');
    await shows([ids.expired as string]);
    await page.click('button.count[data-status=expired]');
    await shows(Object.values(ids));
    // Every filter was the server's work: the page asked for pages, never the whole inventory.
    expect(asked).toContain('?status=warning&limit=200');
    expect(asked).toContain('?owner=web&tag=edge&limit=200');
    expect(asked).toContain(`?q=${servers.expired.port}&limit=200`);
    expect(asked.every((q) => q.includes('limit=200'))).toBe(true);
    await closePage(page);
  });

  it('shows the expiring certificate on the 90-day timeline, coloured by status, its owner on hover', async () => {
    const page = await openPage(`${local.url}/`);
    await signIn(page);
    const marks = await page.$$eval('svg.timeline circle.mark', (circles) =>
      circles.map((c) => ({
        fingerprint: c.getAttribute('data-fingerprint'),
        status: [...c.classList].find((k) => k.startsWith('s-')),
        x: Number(c.getAttribute('cx')),
      })),
    );
    const mark = (minted: Minted) => marks.find((m) => m.fingerprint === fingerprint(minted));
    expect(mark(leaves.warning)?.status).toBe('s-warning');
    expect(mark(leaves.expired)?.status).toBe('s-expired');
    expect(mark(leaves.healthy)?.status).toBe('s-ok');
    // Expired certificates stand left of today; 20 days out is left of 80 days out.
    expect(mark(leaves.expired)?.x).toBeLessThan(mark(leaves.warning)?.x as number);
    expect(mark(leaves.warning)?.x).toBeLessThan(mark(leaves.healthy)?.x as number);
    const hover = async (minted: Minted) => {
      await page.hover(`circle[data-fingerprint="${fingerprint(minted)}"]`);
      await page.waitForSelector('.tooltip:not([hidden])');
      return page.$eval('.tooltip', (t) => t.textContent ?? '');
    };
    expect(await hover(leaves.warning)).toMatch(/expires \d{4}-\d\d-\d\d \(warning\)owner: payments/);
    expect(await hover(leaves.expired)).toMatch(/owner: legacy/);
    expect(await hover(leaves.xss)).toContain(`owner: ${XSS} team`);
    expect(await page.$$eval('.tooltip img, .tooltip script', (found) => found.length)).toBe(0);
    // A click on a mark opens that certificate.
    await page.click(`circle[data-fingerprint="${fingerprint(leaves.warning)}"]`);
    await page.waitForFunction(() => location.hash.startsWith('#/certificate/'));
    await page.waitForSelector('.detail-head');
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toContain(ids.warning as string);
    await closePage(page);
  });

  it('renders a hostile subject, owner and note as text: no element is made and no script runs', async () => {
    const page = await openPage(`${local.url}/`);
    await signIn(page);
    const row = (await rowsOf(page)).find((r) => r.target === ids.xss);
    expect(row?.cells[4]).toBe(`${XSS} team`);
    const subject = (await api('GET', `/targets/${encodeURIComponent(ids.xss as string)}`)).json.lastCheck.subject;
    expect(subject).toContain('<img src=x onerror=window.__xss=1');
    expect(row?.cells[6]).toBe(subject);
    await page.goto(`${local.url}/#/target/${encodeURIComponent(ids.xss as string)}`);
    await page.waitForSelector('.detail-head h2');
    expect(await page.$eval('main', (m) => m.textContent)).toContain(`${XSS} team`);
    expect(await page.$eval('main', (m) => m.textContent)).toContain(subject);
    // The fingerprint whole where there is room (issue 32: it was cut to 24 characters).
    expect(await page.$eval('main a.fingerprint', (a) => a.textContent)).toBe(fingerprint(leaves.xss));
    await page.goto(`${local.url}/#/certificate/${encodeURIComponent(fingerprint(leaves.xss))}`);
    await page.waitForFunction((x) => document.querySelector('.detail-head h2')?.textContent === x, {}, subject);
    const state = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
      xss: (window as unknown as { __xss?: number }).__xss ?? null,
    }));
    expect(state).toEqual({ images: 0, scripts: 1, xss: null });
    await closePage(page);
  });

  it('shows where a certificate is served, its replacement and its rollout as "1 of 2 locations"', async () => {
    const page = await openPage(`${local.url}/#/certificate/${encodeURIComponent(fingerprint(leaves.old))}`);
    await signIn(page, '.rollout');
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    expect(text).toContain('1 of 2 locations');
    expect(text).toContain(fingerprint(leaves.renewed));
    expect(await page.$$eval('main table tbody tr', (rows) => rows.map((r) => r.textContent))).toEqual([
      `${ids.rollout}127.0.0.12accepted`,
    ]);
    expect(
      await page.$eval('progress', (p) => [
        (p as unknown as { value: number }).value,
        (p as unknown as { max: number }).max,
      ]),
    ).toEqual([1, 2]);
    // Following the replacement link leads to the new certificate and where it is served.
    await page.click(`a[href="#/certificate/${encodeURIComponent(fingerprint(leaves.renewed))}"]`);
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('127.0.0.11'));
    await closePage(page);
  });

  it('lists the certificates a page at a time, soonest expiry first, filtered on the server', async () => {
    const page = await openPage(`${local.url}/#/certificates`);
    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/certificates') asked.push(url.search);
    });
    await signIn(page, 'main table tbody tr');
    const listed = async () =>
      page.$$eval('main table tbody tr', (trs) =>
        trs.map((r) => {
          const a = r.querySelector('a') as unknown as { getAttribute(name: string): string } | null;
          return decodeURIComponent((a?.getAttribute('href') ?? '').replace('#/certificate/', ''));
        }),
      );
    // The page shows the API's first page, in its order.
    const first = await api('GET', '/certificates?limit=200');
    const all = first.json.items.map((c: { fingerprint256: string }) => c.fingerprint256);
    expect(await listed()).toEqual(all);
    expect(all).toContain(fingerprint(leaves.expired));
    expect(all.indexOf(fingerprint(leaves.expired))).toBeLessThan(all.indexOf(fingerprint(leaves.healthy)));
    await page.select('select[name=status]', 'expired');
    await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length === 1, { timeout: 5_000 });
    expect(await listed()).toEqual([fingerprint(leaves.expired)]);
    await page.select('select[name=status]', '');
    await page.waitForFunction((n) => document.querySelectorAll('main table tbody tr').length === n, {}, all.length);
    expect(asked).toContain('?limit=200');
    expect(asked).toContain('?status=expired&limit=200');
    expect(asked.every((q) => q.includes('limit=200'))).toBe(true);
    await closePage(page);
  });

  it("shows a target's settings, where it is served and its timeline of changes", async () => {
    const page = await openPage(`${local.url}/#/target/${encodeURIComponent(ids.rollout as string)}`);
    await signIn(page, '.detail-head');
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Timeline of changes'));
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    expect(text).toContain('127.0.0.11');
    expect(text).toContain('127.0.0.12');
    const timeline = await page.$$eval('main table', (tables) => {
      const last = tables.at(-1);
      return [...(last?.querySelectorAll('tbody tr') ?? [])].map((r) => r.textContent ?? '');
    });
    expect(timeline.length).toBeGreaterThanOrEqual(2); // the first check, then the new certificate on one address
    await closePage(page);
  });

  it('lists the open events, most severe first, and links each to its target', async () => {
    const page = await openPage(`${local.url}/#/events`);
    await signIn(page, 'main table tbody tr');
    const rows = await page.$$eval('main table tbody tr', (trs) =>
      trs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    const events = rows.map((r) => [r[0], r[1], r[2]]);
    expect(events).toContainEqual(['critical', 'expired', ids.expired]);
    expect(events).toContainEqual(['warning', 'entered-window', ids.warning]);
    expect(events.findIndex((e) => e[0] === 'warning')).toBeGreaterThan(events.findIndex((e) => e[0] === 'critical'));
    // The API agrees with the page (its first page), and its whole list holds the same events.
    const open = await api('GET', '/events?limit=100');
    const listed = open.json.items.map((e: { target: string; event: string; severity: string }) => [
      e.severity,
      e.event,
      e.target,
    ]);
    expect(listed).toEqual(events);
    expect((await api('GET', '/events')).json.length).toBe(events.length);
    await closePage(page);
  });

  it('acknowledges an event from the events view, keeping who and when', async () => {
    const page = await openPage(`${local.url}/#/events`);
    await signIn(page, 'main table tbody tr');
    const row = async () =>
      page.$$eval(
        'main table tbody tr',
        (trs, target) =>
          trs
            .map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? ''))
            .find((cells) => cells[2] === target),
        ids.warning,
      );
    expect((await row())?.[7]).toContain('acknowledge');
    const buttons = await page.$$('main table tbody tr');
    for (const tr of buttons) {
      const target = await tr.$eval('td:nth-child(3)', (td) => td.textContent);
      if (target === ids.warning) await (await tr.$('button.ack-ack'))?.click();
    }
    await page.waitForFunction(
      (target) =>
        [...document.querySelectorAll('main table tbody tr')].some(
          (r: { textContent: string }) =>
            r.textContent.includes(target) && r.textContent.includes('acknowledged by local mode'),
        ),
      { timeout: 5_000 },
      ids.warning as string,
    );
    const open = (await api('GET', '/events?limit=100')).json.items as {
      target: string;
      acknowledged: { kind: string; by: string } | null;
    }[];
    expect(open.find((e) => e.target === ids.warning)?.acknowledged).toMatchObject({ kind: 'ack', by: 'local mode' });
    expect(open.find((e) => e.target === ids.expired)?.acknowledged).toBeNull();
    // The target's timeline shows it: which event, who.
    await page.goto(`${local.url}/#/target/${encodeURIComponent(ids.warning as string)}`);
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('main table tbody tr')].map((r) => r.textContent ?? '');
        return rows.some((r) => r.includes('acknowledged') && r.includes('entered-window, by local mode'));
      },
      { timeout: 5_000 },
    );
    await closePage(page);
  });

  it('acknowledges and snoozes from the command line, by target', async () => {
    const cli = (args: string[]) =>
      runCli([...args, '--url', local.url, '--token', TOKEN], { env: { PATH: process.env.PATH ?? '', HOME: dir } });
    const refused = await cli(['snooze', ids.expired as string]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/snooze needs --until WHEN/);
    const snoozed = await cli(['snooze', ids.expired as string, '--until', '3d', '--note', 'vendor renews Friday']);
    expect(snoozed.code, snoozed.stderr).toBe(0);
    expect(snoozed.stdout).toMatch(
      new RegExp(`^snoozed critical expired on ${ids.expired} until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(`),
    );
    const open = (await api('GET', '/events?limit=100')).json.items as {
      target: string;
      acknowledged: { kind: string; note: string; until: string } | null;
    }[];
    const expired = open.find((e) => e.target === ids.expired)?.acknowledged;
    expect(expired).toMatchObject({ kind: 'snooze', note: 'vendor renews Friday' });
    expect(Date.parse(expired?.until ?? '') - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    const nothing = await cli(['ack', ids.healthy as string]);
    expect(nothing.code).toBe(0);
    expect(nothing.stderr).toContain(`nothing is open on ${ids.healthy}`);
  });

  it('prints the weekly digest of an owner, and of every owner', async () => {
    const cli = (args: string[]) =>
      runCli([...args, '--url', local.url, '--token', TOKEN], { env: { PATH: process.env.PATH ?? '', HOME: dir } });
    const payments = await cli(['digest', '--owner', 'payments']);
    expect(payments.code, payments.stderr).toBe(0);
    expect(payments.stdout).toMatch(/^certvigil weekly digest for owner payments, /);
    expect(payments.stdout).toContain('Expiring within 30 days (1)');
    expect(payments.stdout).toContain(
      `  ${ids.warning}  warning, 20 d left [entered-window]; acknowledged by local mode`,
    );
    const all = await cli(['digest']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('certvigil weekly digest for owner legacy');
    expect(all.stdout).toMatch(new RegExp(`In trouble \\(1\\)\\n  ${ids.expired?.replace(/[.]/g, '\\.')}  expired`));
    const json = await cli(['digest', '--owner', 'legacy', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ owner: 'legacy', trouble: { count: 1 } });
    expect((await cli(['digest', '--owner', 'x', '--unowned'])).code).toBe(3);
  });

  it('fits a phone: the tables become cards, every cell on screen under its column name', async () => {
    const page = await openPage(`${local.url}/`, { width: 390, height: 844 });
    await signIn(page);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    // Issue 32: every cell of a row fits the screen (the columns after Owner were off-screen), a
    // target name is not broken letter by letter, and each cell says its column.
    const card = await page.$eval('table.target-table tbody tr', (tr) => ({
      right: Math.max(...[...tr.querySelectorAll('td')].map((td) => td.getBoundingClientRect().right)),
      labels: [...tr.querySelectorAll('td')].map(
        (td) =>
          (globalThis as unknown as { getComputedStyle(e: unknown, p: string): { content: string } }).getComputedStyle(
            td,
            '::before',
          ).content,
      ),
      targetWidth: tr.querySelector('td a')?.getBoundingClientRect().width ?? 0,
    }));
    expect(card.right).toBeLessThanOrEqual(390);
    expect(card.labels.slice(0, 3)).toEqual(['"Status"', '"Expires"', '"Target"']);
    expect(card.targetWidth).toBeGreaterThan(100);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone.png'), fullPage: false });
    await closePage(page);
  });

  it('judges a certificate as its targets do, and says why in the certificates and events views (issue 32)', async () => {
    // The healthy certificate, asked for under a name it does not carry: refused there only.
    ids.wrongName = await add({ host: `wrong-name.test:${servers.healthy.port}`, addresses: ['127.0.0.1'] });
    expect((await api('POST', '/dispatch?all=true')).status).toBe(200);
    const healthy = fingerprint(leaves.healthy);
    const page = await openPage(`${local.url}/#/certificate/${encodeURIComponent(healthy)}`);
    await signIn(page, '.detail-head');
    expect(await page.$eval('.detail-head .badge', (b) => b.textContent)).toBe('invalid');
    const facts = await page.$eval('main', (m) => m.textContent ?? '');
    expect(facts).toMatch(/the certificate names [^,]+(, [^,]+)*, not wrong-name\.test \(at 1 of 3\)/);
    const where = await page.$$eval('main table tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(where[0]).toEqual([ids.wrongName, '127.0.0.1', 'invalid']);
    expect(where.slice(1).map((r) => r[2])).toEqual(['accepted', 'accepted']);
    // The list, filtered to the refused ones.
    await page.goto(`${local.url}/#/certificates`);
    await page.waitForSelector('main table tbody tr');
    await page.select('select[name=status]', 'invalid');
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('main table tbody tr')];
        return rows.length > 0 && rows.every((r) => r.textContent.includes('invalid'));
      },
      { timeout: 5_000 },
    );
    const refused = await page.$$eval('main table tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]?.[4]).toMatch(/not wrong-name\.test \(at 1 of 3\)$/);
    // The events view says why the target's event is open.
    await page.goto(`${local.url}/#/events`);
    await page.waitForFunction(
      (id) => document.querySelector('main')?.textContent?.includes(id),
      { timeout: 5_000 },
      ids.wrongName,
    );
    const header = await page.$$eval('main table thead th', (th) => th.map((t) => t.textContent));
    expect(header.slice(3, 5)).toEqual(['Certificate', 'Problem']);
    const row = await page.$$eval(
      'main table tbody tr',
      (rows, id) =>
        rows
          .map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? ''))
          .find((cells) => cells[2] === id),
      ids.wrongName,
    );
    expect(row?.[1]).toBe('invalid');
    expect(row?.[4]).toMatch(/^the certificate names .+, not wrong-name\.test$/);
    await closePage(page);
    // The command line says the same.
    const cli = (args: string[]) =>
      runCli([...args, '--url', local.url, '--token', TOKEN], { env: { PATH: process.env.PATH ?? '', HOME: dir } });
    const located = await cli(['where', healthy]);
    expect(located.code, located.stderr).toBe(0);
    expect(located.stdout).toMatch(/\n {2}refused at 1 of 3: the certificate names .+, not wrong-name\.test\n/);
    expect(located.stdout).toContain(`  ${ids.wrongName}  127.0.0.1  (refused)\n`);
    const events = await cli(['events']);
    const line = events.stdout.split('\n').find((l) => l.includes(ids.wrongName as string));
    expect(line).toMatch(/the certificate names .+, not wrong-name\.test$/);
  });

  it('leaves a screenshot of each view at 1280x800 and 390x844 (reports/screenshots)', async () => {
    const views: [string, string][] = [
      ['inventory', '/'],
      ['events', '/#/events'],
      ['certificates', '/#/certificates'],
      ['target', `/#/target/${encodeURIComponent(ids.rollout as string)}`],
      ['certificate', `/#/certificate/${encodeURIComponent(fingerprint(leaves.healthy))}`],
    ];
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      for (const [name, path] of views) {
        const page = await openPage(`${local.url}/`, { width, height });
        await signIn(page);
        await page.goto(`${local.url}${path}`);
        if (name === 'events' || name === 'certificates') {
          // The hash changes the view in place: wait for this view's own heading and rows.
          await page.waitForFunction(
            (heading) =>
              document.querySelector('main h2')?.textContent?.startsWith(heading) &&
              document.querySelector('main table tbody tr'),
            { timeout: 5_000 },
            name === 'events' ? 'Open events' : 'Certificates',
          );
        } else {
          await page.waitForSelector(name === 'inventory' ? 'table.target-table tbody tr' : '.detail-head h2');
        }
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}x${height}.png`), fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} at ${width}`).toBeLessThanOrEqual(0);
        await closePage(page);
      }
    }
  });

  it('asked only its own origin and broke no rule of its policy in any of these views', () => {
    expect(violations).toEqual([]);
  });
});

describe('certvigil dashboard against a deployed admin URL', () => {
  let standIn: http.Server;
  let standInUrl: string;
  const forwarded: { path: string; valid: boolean; service?: string; region?: string }[] = [];
  let proxy: ChildProcess;
  let proxyUrl: string;
  let output = '';

  beforeAll(async () => {
    // The function URL: checks the SigV4 signature of every request (as AWS_IAM auth does), then
    // answers from local mode's admin API, which holds the same targets.
    standIn = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const check = verify(
          { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body },
          CREDENTIALS,
        );
        forwarded.push({ path: url.pathname, valid: check.valid, service: check.service, region: check.region });
        if (!check.valid) {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"Message":"Forbidden"}');
          return;
        }
        const answer = await fetch(`${local.url}${url.pathname}${url.search}`, {
          method: req.method ?? 'GET',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          ...(body ? { body } : {}),
        });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', () => resolve()));
    standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    proxy = spawn(process.execPath, [BIN, 'dashboard', '--url', standInUrl, '--port', '0'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proxy.stdout?.on('data', (c) => {
      output += c;
    });
    proxy.stderr?.on('data', (c) => {
      output += c;
    });
    const deadline = Date.now() + 30_000;
    while (!/open:\s+(http:\/\/127\.0\.0\.1:\d+)/.test(output)) {
      if (proxy.exitCode !== null || Date.now() > deadline)
        throw new Error(`certvigil dashboard did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    proxyUrl = /open:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
  }, 60_000);

  afterAll(async () => {
    if (proxy && proxy.exitCode === null) {
      proxy.kill('SIGINT');
      await new Promise((r) => proxy.once('exit', r));
    }
    await new Promise((r) => standIn?.close(r));
  });

  it('shows the deployed inventory, every call signed for the lambda service in the right region', async () => {
    const page = await openPage(`${proxyUrl}/`);
    await page.waitForSelector('table.target-table tbody tr'); // no token asked: the proxy signs
    expect((await rowsOf(page)).map((r) => r.target).sort()).toEqual(Object.values(ids).sort());
    await page.click(`a[href="#/target/${encodeURIComponent(ids.warning as string)}"]`);
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Timeline of changes'));
    await closePage(page);
    // The summary and first pages: nothing that reads the whole inventory.
    expect(forwarded.map((f) => f.path).sort()).toEqual(
      [
        '/events',
        '/summary',
        '/targets',
        `/targets/${encodeURIComponent(ids.warning as string)}`,
        `/targets/${encodeURIComponent(ids.warning as string)}/timeline`,
      ].sort(),
    );
    expect(forwarded.every((f) => f.valid && f.service === 'lambda' && f.region === 'eu-west-1')).toBe(true);
    expect(output).not.toContain(CREDENTIALS.secretAccessKey);
  });

  it('only reads, only for its own page, only under its own name', async () => {
    const before = forwarded.length;
    const own = { 'x-certvigil-dashboard': '1' };
    const post = await fetch(`${proxyUrl}/targets`, { method: 'POST', headers: own, body: '{"host":"x.example"}' });
    expect(post.status).toBe(405);
    expect((await fetch(`${proxyUrl}/report`)).status).toBe(403); // not from the page: no header
    const foreign = await fetch(`${proxyUrl}/report`, { headers: { ...own, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const rebound = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(proxyUrl);
      http
        .get({ host: '127.0.0.1', port, path: '/report', headers: { ...own, host: `evil.example:${port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(rebound).toBe(403);
    expect((await fetch(`${proxyUrl}/test-alert`, { headers: own })).status).toBe(404);
    const ackAsText = await fetch(`${proxyUrl}/events/abc/ack`, { method: 'POST', headers: own, body: '{}' });
    expect(ackAsText.status).toBe(415);
    const huge = await fetch(`${proxyUrl}/events/abc/ack`, {
      method: 'POST',
      headers: { ...own, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(9000) }),
    });
    expect(huge.status).toBe(413);
    expect(forwarded.length).toBe(before); // none of these reached the admin URL
  });

  it('lets Prometheus scrape /metrics without the page header, signed, and only under its own name (issue 32)', async () => {
    const before = forwarded.length;
    const scraped = await fetch(`${proxyUrl}/metrics`);
    expect(scraped.status).toBe(200);
    const text = await scraped.text();
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain(`certvigil_certificate_not_after_seconds{target="${ids.warning}"`);
    expect(forwarded.slice(before)).toEqual([
      expect.objectContaining({ path: '/metrics', valid: true, service: 'lambda' }),
    ]);
    expect((await fetch(`${proxyUrl}/metrics`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await fetch(`${proxyUrl}/metrics`, { method: 'POST' })).status).toBe(403); // only GET is exempt
    expect((await fetch(`${proxyUrl}/summary`)).status).toBe(403); // the exemption is /metrics alone
  });

  it('forwards an acknowledgement from the page, signed with its body', async () => {
    const open = (await api('GET', '/events?limit=100')).json.items as { id: string; target: string }[];
    const event = open.find((e) => e.target === ids.xss) ?? open[0];
    const answer = await fetch(`${proxyUrl}/events/${event?.id}/ack`, {
      method: 'POST',
      headers: { 'x-certvigil-dashboard': '1', 'content-type': 'application/json', origin: proxyUrl },
      body: JSON.stringify({ target: event?.target, note: 'seen from the deployed dashboard' }),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect(((await answer.json()) as { acknowledged: unknown }).acknowledged).toMatchObject({
      kind: 'ack',
      note: 'seen from the deployed dashboard',
    });
    const last = forwarded.at(-1);
    expect(last).toMatchObject({ path: `/events/${event?.id}/ack`, valid: true, service: 'lambda' });
  });

  it('says what to do when the admin URL refuses the signature', async () => {
    const wrong = spawn(process.execPath, [BIN, 'dashboard', '--url', standInUrl, '--port', '0'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: 'not-the-secret',
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    wrong.stdout?.on('data', (c) => {
      said += c;
    });
    try {
      while (!/open:\s+(http:\/\/127\.0\.0\.1:\d+)/.test(said)) await new Promise((r) => setTimeout(r, 50));
      const url = /open:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(said)?.[1] as string;
      const page = await openPage(`${url}/`);
      await page.waitForSelector('p.error');
      expect(await page.$eval('p.error', (p) => p.textContent)).toMatch(/AdminCallerPolicyArn/);
      await closePage(page);
    } finally {
      wrong.kill('SIGINT');
      await new Promise((r) => wrong.once('exit', r));
    }
  });
});
