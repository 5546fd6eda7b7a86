// The dashboard with a large inventory in headless Chromium: serves the real page (built as local
// mode serves it) and the admin API answers it asks for, for N targets (synthetic rows of the real
// shapes): the summary, the first page of targets (the 200 soonest) and of open events. Prints, per
// round and as medians, the time from navigation to the data having arrived, to the inventory view
// standing (table, timeline, events), a status filter's answer (a page from the server), the JS
// heap; and the page's weight, raw and gzip. What the admin API costs to answer is bench:read's.
// Usage: npm run bench:dashboard -- [N=10000] [ROUNDS=5]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { CertificateView } from '../lib/admin/certificate-views.ts';
import type { OpenEventView } from '../lib/admin/open-events.ts';
import type { ReportRow } from '../lib/admin/report.ts';
import { dashboardPage } from '../lib/dashboard/page-asset.ts';
import { launchBrowser } from '../test/fixtures/browser.ts';

// Code inside page.evaluate() and friends runs in the browser; these name its globals for the
// type checker only (the DOM library is not part of this Node program).
// biome-ignore lint/suspicious/noExplicitAny: browser globals, typed by the browser
declare const document: any, window: any, location: any, sessionStorage: any;
declare const requestAnimationFrame: (callback: () => void) => number;

const n = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 5);
const DAY = 86_400_000;
const now = Date.now();
const STATUSES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'warning', 'critical', 'expired', 'error'] as const;
const owners = Array.from({ length: 40 }, (_, i) => `team-${i}`);
const hex = (i: number) => (i.toString(16).padStart(64, '0').toUpperCase().match(/../g) ?? []).join(':');

const targets: ReportRow[] = [];
const certificates: CertificateView[] = [];
const events: OpenEventView[] = [];
for (let i = 0; i < n; i++) {
  const status = STATUSES[i % STATUSES.length] as string;
  const daysLeft =
    status === 'expired'
      ? -(i % 9) - 1
      : status === 'critical'
        ? i % 7
        : status === 'warning'
          ? 8 + (i % 20)
          : 30 + (i % 300);
  const notAfter = new Date(now + daysLeft * DAY + 3_600_000).toISOString();
  const id = `host-${i}.example.com:443`;
  const fingerprint = hex(i + 1);
  targets.push({
    target: id,
    status,
    daysLeft: status === 'error' ? null : daysLeft,
    notAfter: status === 'error' ? null : notAfter,
    chainNotAfter: notAfter,
    issuer: "CN=R11, O=Let's Encrypt, C=US",
    subject: `CN=host-${i}.example.com`,
    serialNumber: fingerprint.slice(0, 47),
    fingerprint256: fingerprint,
    owner: owners[i % owners.length] as string,
    tags: i % 3 === 0 ? 'edge prod' : 'internal',
    notes: null,
    enabled: true,
    checkedAt: new Date(now - (i % 1440) * 60_000).toISOString(),
    error: status === 'error' ? 'timeout: no answer within 10 s' : null,
    kind: i % 25 === 0 ? 'saml' : 'tls',
    servername: null,
    addresses: '',
    warnDays: null,
    critDays: null,
    intervalMinutes: 60,
    findingsInvalid: false,
  });
  if (status === 'error') continue;
  certificates.push({
    fingerprint256: fingerprint,
    subject: `CN=host-${i}.example.com`,
    issuer: "CN=R11, O=Let's Encrypt, C=US",
    notBefore: new Date(now - 60 * DAY).toISOString(),
    notAfter,
    daysLeft,
    status: status as CertificateView['status'],
    problem: null,
    locations: [{ target: id, where: `192.0.2.${i % 250}`, refused: false }],
    locationCount: 1,
    refusedCount: 0,
    replacedBy: null,
    replaces: [],
    rollout: null,
    firstSeen: new Date(now - 60 * DAY).toISOString(),
    lastSeen: new Date(now).toISOString(),
  });
  if (status !== 'ok') {
    events.push({
      id: `e${i}`,
      target: id,
      event: status === 'expired' ? 'expired' : 'entered-window',
      severity: status === 'warning' ? 'warning' : 'critical',
      since: new Date(now - DAY).toISOString(),
      pending: false,
      problem: null,
      owner: owners[i % owners.length] as string,
      subject: `CN=host-${i}.example.com`,
      notAfter,
      acknowledged: null,
    });
  }
}
// What the page asks for (issue 30): the summary and the first pages, as the admin API answers
// them for this inventory (counts summed from the rows; the first page the 200 soonest).
const byStatus: Record<string, number> = {};
const byKind: Record<string, number> = {};
const byOwner: Record<string, number> = {};
const byDay = new Map<string, Record<string, number>>();
for (const t of targets) {
  byStatus[String(t.status)] = (byStatus[String(t.status)] ?? 0) + 1;
  byKind[String(t.kind)] = (byKind[String(t.kind)] ?? 0) + 1;
  byOwner[String(t.owner)] = (byOwner[String(t.owner)] ?? 0) + 1;
  const day = typeof t.notAfter === 'string' ? t.notAfter.slice(0, 10) : null;
  if (day && Date.parse(day) >= now - DAY && Date.parse(day) <= now + 90 * DAY) {
    const counts = byDay.get(day) ?? {};
    counts[String(t.status)] = (counts[String(t.status)] ?? 0) + 1;
    byDay.set(day, counts);
  }
}
const summary = {
  at: new Date(now).toISOString(),
  targets: targets.length,
  byStatus,
  byKind,
  owners: {
    count: Object.keys(byOwner).length,
    unowned: 0,
    top: Object.entries(byOwner).map(([owner, count]) => ({ owner, targets: count })),
  },
  events: { critical: events.filter((e) => e.severity === 'critical').length, warning: 0, info: 0 },
  expiring: {
    from: new Date(now).toISOString().slice(0, 10),
    to: new Date(now + 90 * DAY).toISOString().slice(0, 10),
    days: [...byDay].sort().map(([day, counts]) => ({ day, ...counts })),
  },
  recount: null,
};
const expiry = (t: ReportRow) => (typeof t.notAfter === 'string' ? Date.parse(t.notAfter) : Number.POSITIVE_INFINITY);
const view = (t: ReportRow) => ({
  id: t.target,
  host: String(t.target).split(':')[0],
  port: 443,
  kind: t.kind,
  owner: t.owner,
  tags: String(t.tags).split(' ').filter(Boolean),
  notes: t.notes,
  enabled: true,
  lastCheck: {
    status: t.status,
    daysLeft: t.daysLeft,
    notAfter: t.notAfter,
    subject: t.subject,
    issuer: t.issuer,
    checkedAt: t.checkedAt,
    fingerprint256: t.fingerprint256,
    error: t.error ? { kind: 'timeout', message: String(t.error) } : null,
  },
});
const soonest = [...targets].sort((a, b) => expiry(a) - expiry(b));
const firstPage = (rows: ReportRow[]) => ({
  items: rows.slice(0, 200).map(view),
  nextCursor: rows.length > 200 ? 'next' : null,
});
const answers: Record<string, Buffer> = {
  '/summary': gzipSync(JSON.stringify(summary)),
  '/targets': gzipSync(JSON.stringify(firstPage(soonest))),
  '/targets?status=warning': gzipSync(JSON.stringify(firstPage(soonest.filter((t) => t.status === 'warning')))),
  '/events': gzipSync(JSON.stringify({ items: events.slice(0, 10), nextCursor: events.length > 10 ? 'next' : null })),
};

const page = await dashboardPage();
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/') return res.writeHead(200, page.headers).end(page.html);
  const status = url.searchParams.get('status');
  const body = answers[`${url.pathname}${status ? `?status=${status}` : ''}`];
  if (!body) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const { browser, close } = await launchBrowser();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const loaded: number[] = [];
const rendered: number[] = [];
const filtered: number[] = [];
const paints: number[] = [];
const heaps: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const tab = await browser.newPage();
    await tab.setViewport({ width: 1280, height: 800 });
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForFunction(() => performance.getEntriesByName('certvigil-painted').length > 0, { timeout: 60_000 });
    const marks = await tab.evaluate(() => ({
      loaded: performance.getEntriesByName('certvigil-loaded')[0]?.startTime ?? Number.NaN,
      rendered: performance.getEntriesByName('certvigil-rendered')[0]?.startTime ?? Number.NaN,
      rows: document.querySelectorAll('table.target-table tbody tr').length,
      marks: document.querySelectorAll('svg.timeline circle').length,
    }));
    // Painted: marked by the page in the task after the frame that showed the view (no polling in it).
    const painted = await tab.evaluate(
      () => performance.getEntriesByName('certvigil-painted')[0]?.startTime ?? Number.NaN,
    );
    // A filter asks the server for its first page: timed inside the page until the table shows it.
    const filter = await tab.evaluate(async () => {
      const select = document.querySelector('select[name=status]') as {
        value: string;
        dispatchEvent(e: unknown): void;
      };
      const started = performance.now();
      select.value = 'warning';
      select.dispatchEvent(new Event('change'));
      while (!document.querySelector('.count-line')?.textContent?.includes('warning'))
        await new Promise((r) => setTimeout(r, 1));
      return { ms: performance.now() - started, line: document.querySelector('.count-line')?.textContent };
    });
    const heap = await tab.metrics();
    loaded.push(marks.loaded);
    rendered.push(marks.rendered);
    filtered.push(filter.ms);
    paints.push(painted);
    heaps.push(heap.JSHeapUsedSize ?? Number.NaN);
    console.log(
      `round ${round + 1}: data ${marks.loaded.toFixed(0)} ms, view ${marks.rendered.toFixed(0)} ms, painted by ${painted.toFixed(0)} ms after navigation (${marks.rows} rows shown, ${marks.marks} timeline marks); status filter ${filter.ms.toFixed(0)} ms (${filter.line}); JS heap ${((heap.JSHeapUsedSize ?? 0) / 2 ** 20).toFixed(1)} MiB`,
    );
    await tab.close();
  }
} finally {
  await close();
  server.close();
}
const html = Buffer.from(page.html);
console.log(
  `\n${n} targets, ${certificates.length} certificates, ${events.length} open events (API answers ${(
    Object.values(answers).reduce((s, b) => s + b.length, 0) / 1024
  ).toFixed(0)} KiB gzip)`,
);
console.log(
  `median: data ${median(loaded).toFixed(0)} ms, view standing ${median(rendered).toFixed(0)} ms, painted by ${median(paints).toFixed(0)} ms (target < 1000 ms), render alone ${median(rendered.map((r, i) => r - (loaded[i] as number))).toFixed(0)} ms, filter ${median(filtered).toFixed(0)} ms, JS heap ${(median(heaps) / 2 ** 20).toFixed(1)} MiB`,
);
console.log(
  `page weight: ${(html.length / 1024).toFixed(1)} KiB, ${(gzipSync(html).length / 1024).toFixed(1)} KiB gzip (target ≤ 150 KB gzip); nothing else is fetched`,
);
