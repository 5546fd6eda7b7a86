// Property-based fuzzing of the admin API: whatever arrives (methods, paths, query strings,
// headers, JSON and CSV bodies), the answer is never a 5xx, every rejection is a 4xx problem
// response that says why, and nothing invalid is stored.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/admin-handler.ts';
import type { ProbeOutcome } from '../../lib/monitor/probe-target.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { addressGuard } from '../../lib/targets/address-guard.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';

let tables: TestTables;
let store: TargetStore;
let handler: ReturnType<typeof createHandler>;

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  handler = createHandler({
    targets: store,
    // Never touch the network: names "resolve" to a documentation address, checks are synthetic.
    resolver: async () => ['192.0.2.1'],
    probe: async (target): Promise<ProbeOutcome> => ({
      result: checkResult({ target: target.id }),
      recorded: [],
      published: [],
      deleted: false,
    }),
    guard: addressGuard(false),
  });
});

afterAll(async () => {
  await tables.drop();
});

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', ' ', '%', '%zz', '..', '\u0000', '=1+1', '@SUM(A1)', 'a'.repeat(300)),
);
const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((ip) => `[${ip}]`),
  text,
  fc.tuple(fc.domain(), fc.integer({ min: -5, max: 70_000 })).map(([d, p]) => `${d}:${p}`),
  fc.constantFrom(
    'localhost',
    '10.0.0.1',
    '169.254.169.254',
    'https://example.com:8443/x',
    'smtp://mail.example.com',
    'example.com/gopher',
  ),
);
const targetLike = fc.record(
  {
    host,
    port: fc.oneof(fc.integer({ min: -10, max: 70_000 }), text, fc.constant(null)),
    protocol: fc.oneof(fc.constantFrom('tls', 'smtp', 'imap', 'pop3', 'ftp', 'ldap', 'postgres', 'TLS'), text),
    servername: fc.oneof(fc.domain(), text, fc.ipV4()),
    addresses: fc.oneof(fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), text), { maxLength: 10 }), text),
    warnDays: fc.oneof(fc.double(), fc.integer(), text),
    critDays: fc.oneof(fc.double(), fc.integer(), text),
    intervalMinutes: fc.oneof(fc.integer(), fc.double(), text),
    enabled: fc.oneof(fc.boolean(), text),
    owner: fc.oneof(text, fc.integer()),
    tags: fc.oneof(fc.array(text, { maxLength: 60 }), text),
    notes: fc.oneof(text, fc.string({ maxLength: 3000 })),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const csv = fc
  .array(fc.array(fc.oneof(text, fc.domain(), fc.integer().map(String)), { minLength: 1, maxLength: 5 }), {
    maxLength: 8,
  })
  .chain((rows) =>
    fc
      .constantFrom('host,port,protocol,owner,warnDays', 'hostname;port', 'target\ttags', '')
      .map((header) =>
        [header, ...rows.map((r) => r.map((c) => (c.includes(',') ? `"${c.replace(/"/g, '""')}"` : c)).join(','))].join(
          '\n',
        ),
      ),
  );
const body = fc.oneof(
  fc.constant(undefined),
  targetLike.map((t) => JSON.stringify(t)),
  fc.array(targetLike, { maxLength: 5 }).map((l) => JSON.stringify(l)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  csv,
  text,
);
const path = fc.oneof(
  fc.constantFrom(
    '/targets',
    '/targets/',
    '/import',
    '/report',
    '/',
    '/targets/example.com',
    '/targets/example.com/check',
  ),
  fc
    .tuple(fc.constantFrom('/targets/', '/import/', '/report/', '/'), text, fc.constantFrom('', '/check', '/x'))
    .map(([a, b, c]) => `${a}${encodeURIComponent(b)}${c}`),
  fc.tuple(fc.constant('/targets/'), text).map(([a, b]) => `${a}${b.replace(/[?#\s]/g, '')}`),
);
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'status', 'tag', 'cursor', 'format', 'x'),
      fc.oneof(text, fc.integer().map(String)),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());
const request = fc.record({
  method: fc.oneof(
    fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'),
    fc.string({ minLength: 1, maxLength: 8 }),
  ),
  path,
  query,
  contentType: fc.oneof(
    fc.constantFrom('application/json', 'text/csv', 'text/plain', 'application/problem+json', 'application/xml', ''),
    text,
  ),
  acceptEncoding: fc.constantFrom(undefined, 'gzip', 'br'),
  body,
  base64: fc.boolean(),
});

/** Requests a client would plausibly send, with hostile values in the fields. */
const plausible = fc.oneof(
  fc
    .record(
      {
        host: fc.oneof(fc.domain(), host),
        owner: text,
        tags: fc.array(fc.string({ maxLength: 70 }), { maxLength: 55 }),
        notes: text,
        warnDays: fc.integer({ min: -1, max: 4000 }),
      },
      { requiredKeys: ['host'] },
    )
    .map((t) => ({
      method: 'POST',
      path: '/targets',
      query: '',
      contentType: 'application/json',
      acceptEncoding: undefined,
      body: JSON.stringify(t),
      base64: false,
    })),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.domain(), host),
        fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 70_000 }).map(String)),
        text,
      ),
      { maxLength: 6 },
    )
    .map((rows) => ({
      method: 'POST',
      path: '/import',
      query: '',
      contentType: 'text/csv',
      acceptEncoding: undefined,
      body: ['host,port,owner', ...rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(','))].join('\n'),
      base64: false,
    })),
  fc.tuple(fc.constantFrom('GET', 'PATCH', 'DELETE'), fc.domain(), targetLike).map(([method, d, t]) => ({
    method,
    path: `/targets/${encodeURIComponent(d)}`,
    query: '',
    contentType: 'application/json',
    acceptEncoding: undefined,
    body: method === 'PATCH' ? JSON.stringify(t) : undefined,
    base64: false,
  })),
);

describe('admin API under fuzzing', () => {
  it('never answers 5xx, always explains a 4xx, and stores only valid targets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(request, plausible), async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.acceptEncoding) headers['accept-encoding'] = r.acceptEncoding;
        const response = await handler(
          functionUrlEvent(r.method, `${r.path}${r.query ? `?${r.query}` : ''}`, {
            body: r.body,
            headers,
            base64: r.base64 && r.body !== undefined,
          }),
        );
        if (typeof response === 'string') throw new Error('unexpected string response');
        const status = response.statusCode ?? 0;
        expect(status, `${r.method} ${r.path}`).toBeLessThan(500);
        expect(status).toBeGreaterThanOrEqual(200);
        if (status >= 400) {
          expect(response.headers?.['content-type']).toBe('application/problem+json');
          const problem = JSON.parse(response.body ?? '{}');
          expect(problem.status).toBe(status);
          expect(typeof problem.detail).toBe('string');
          expect(problem.detail.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261127) },
    );
    // Whatever got in is a valid target whose id is its canonical id.
    const stored = await store.scans.all();
    expect(stored.length).toBeGreaterThan(0);
    for (const item of stored) {
      const again = normalizeTarget({
        host: item.host,
        port: item.port,
        protocol: item.protocol,
        servername: item.servername,
        addresses: item.addresses,
        warnDays: item.warnDays,
        critDays: item.critDays,
        intervalMinutes: item.intervalMinutes,
        enabled: item.enabled,
        owner: item.owner,
        tags: item.tags,
        notes: item.notes,
      });
      expect(again.id).toBe(item.id);
      for (const address of [item.host, ...(item.addresses ?? [])])
        expect(addressGuard(false)(address)).toBeUndefined();
    }
  }, 120_000);
});
