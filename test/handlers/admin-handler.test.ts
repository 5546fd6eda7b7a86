import { gunzipSync } from 'node:zlib';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHandler } from '../../lambdas/admin-handler.ts';
import type { monitorDependencies } from '../../lib/monitor/monitor-dependencies.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { SnsPublisher } from '../../lib/notify/sns-publisher.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { addressGuard } from '../../lib/targets/address-guard.ts';
import { normalizeTarget, TARGET_SETTINGS } from '../../lib/targets/target-schema.ts';
import { daysFromNow, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables, testMonitor, testProbeConfig } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let server: RunningServer;
let open: ReturnType<typeof createHandler>; // private targets allowed (tests live on loopback)
let guarded: ReturnType<typeof createHandler>; // the default deployment: private targets refused
let monitor: ReturnType<typeof monitorDependencies>;

const publicResolver = async () => ['93.184.215.10'];

beforeAll(async () => {
  tables = await createTestTables();
  const config = testProbeConfig(tables, { endpointTimeoutMs: 3000 });
  monitor = testMonitor(tables, ALL_READERS, { endpointTimeoutMs: 3000 });
  open = createHandler({
    targets: monitor.targets,
    publisher: new SnsPublisher(new SNSClient({ region: 'eu-west-1' }), config.topicArn),
    probe: (t) => probeTarget(monitor, t),
    guard: undefined,
    resolver: publicResolver,
  });
  guarded = createHandler({
    targets: monitor.targets,
    probe: (t) => probeTarget(monitor, t),
    guard: addressGuard(false),
  });
  const { certPem, keyPem } = inject('testCa');
  const leaf = await issueCertificate(await importCa(certPem, keyPem), {
    notBefore: daysFromNow(-85),
    notAfter: daysFromNow(5.5),
  });
  server = await startTlsServer(credentials(leaf));
});

afterAll(async () => {
  await server.close();
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({});
});

async function call(
  handler: ReturnType<typeof createHandler>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const response = await handler(
    functionUrlEvent(method, path, { body: text, headers: { 'content-type': 'application/json', ...headers } }),
  );
  const raw = typeof response === 'string' ? response : (response.body ?? '');
  const decoded =
    typeof response !== 'string' && response.isBase64Encoded ? gunzipSync(Buffer.from(raw, 'base64')).toString() : raw;
  const type = typeof response === 'string' ? '' : String(response.headers?.['content-type'] ?? '');
  return {
    status: typeof response === 'string' ? 200 : (response.statusCode ?? 0),
    headers: typeof response === 'string' ? {} : (response.headers ?? {}),
    text: decoded,
    json: type.includes('json') && decoded ? JSON.parse(decoded) : undefined,
  };
}

describe('admin API: targets', () => {
  it('creates a target (201), then updates it by id (200) idempotently', async () => {
    const created = await call(open, 'POST', '/targets', { host: 'Shop.Example.com', owner: 'web', tags: ['prod'] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: 'shop.example.com:443',
      host: 'shop.example.com',
      port: 443,
      protocol: 'tls',
      owner: 'web',
      tags: ['prod'],
      enabled: true,
      intervalMinutes: 1440,
      lastCheck: null,
    });
    const again = await call(open, 'POST', '/targets', { host: 'https://shop.example.com', owner: 'shop-team' });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({
      id: 'shop.example.com:443',
      owner: 'shop-team',
      createdAt: created.json.createdAt,
    });
  });

  it('gets, patches and deletes a target by id, URL-encoded or written another way', async () => {
    await call(open, 'POST', '/targets', { host: 'mail.example.com:587' });
    const got = await call(open, 'GET', `/targets/${encodeURIComponent('mail.example.com:587/smtp')}`);
    expect(got.status).toBe(200);
    expect(got.json.protocol).toBe('smtp');
    const patched = await call(open, 'PATCH', '/targets/mail.example.com%3A587', {
      warnDays: 40,
      critDays: 10,
      notes: 'relay',
      owner: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ warnDays: 40, critDays: 10, notes: 'relay' });
    expect(patched.json.owner).toBeUndefined();
    expect((await call(open, 'DELETE', '/targets/mail.example.com%3A587%2Fsmtp')).status).toBe(204);
    const gone = await call(open, 'GET', '/targets/mail.example.com%3A587%2Fsmtp');
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toBe('application/problem+json');
    expect(gone.json).toMatchObject({
      status: 404,
      title: 'Not Found',
      detail: 'no target mail.example.com:587/smtp; add it with POST /targets',
    });
    expect((await call(open, 'DELETE', '/targets/mail.example.com%3A587%2Fsmtp')).status).toBe(404);
  });

  it('refuses a single-label host unless its addresses are pinned, in a body and in an import', async () => {
    const bare = await call(open, 'POST', '/targets', { host: 'a' });
    expect(bare.status).toBe(422);
    expect(bare.json.detail).toMatch(
      /^host "a" is a single label: .* give the full name \(a\.example\.com\) or pin its addresses$/,
    );
    expect((await call(open, 'GET', '/targets/a:443')).status).toBe(404);
    const saml = await call(open, 'POST', '/targets', { host: 'saml:https://idp/metadata' });
    expect(saml.status).toBe(422);
    const pinned = await call(open, 'POST', '/targets', { host: 'intranet:8443', addresses: ['10.0.0.9'] });
    expect(pinned.status).toBe(201);
    expect((await call(open, 'POST', '/targets', { host: 'localhost:8443' })).status).toBe(201);
    const imported = await call(open, 'POST', '/import', 'host\nb\nb.example\n', { 'content-type': 'text/csv' });
    expect(imported.json).toMatchObject({ created: 1, rejected: 1 });
  });

  it('refuses a patch that would change the target id', async () => {
    await call(open, 'POST', '/targets', { host: 'move.example.com' });
    const moved = await call(open, 'PATCH', '/targets/move.example.com:443', { port: 8443 });
    expect(moved.status).toBe(409);
    expect(moved.json.detail).toMatch(/different target \(move\.example\.com:8443\)/);
  });

  it.each([
    [{ host: '' }, 'host', /is required/],
    [{ host: 'a b.example' }, 'host', /not a valid host name/],
    [{ host: 'example.com', port: 70000 }, 'port', /outside 1 to 65535/],
    [{ host: 'example.com', protocol: 'gopher' }, 'protocol', /not one of/],
    [{ host: 'example.com', warnDays: 'soon' }, 'warnDays', /number of days/],
    [{ host: 'example.com', warnDays: 5, critDays: 9 }, 'critDays', /not be more than warnDays/],
    [{ host: 'example.com', tags: 'x'.repeat(65) }, 'tags.0', /at most 64/],
    [{ host: 'example.com', addresses: ['999.1.1.1'] }, 'addresses.0', /IP addresses/],
    [{ host: 'example.com', intervalMinutes: 2 }, 'intervalMinutes', /at least 5 minutes/],
    [{ host: 'fe80::1%eth0' }, 'host', /IPv6 zone id/],
    [{ host: '[fe80::1%25eth0]:443' }, 'host', /IPv6 zone id|not a valid/],
    [{ host: 'example.com', addresses: ['fe80::1%eth0'] }, 'host', /IPv6 zone id/],
    [{ host: 'example.com', warnDays: true }, 'warnDays', /number of days/],
    [{ host: 'example.com', warnDays: [5] }, 'warnDays', /number of days/],
    [{ host: 'example.com', warnDays: '0x10' }, 'warnDays', /number of days/],
    [{ host: 'example.com', critDays: -1 }, 'critDays', /0 days or more/],
    [{ host: 'example.com', intervalMinutes: '1e3' }, 'intervalMinutes', /number of minutes/],
  ])('rejects %j with a 422 naming %s', async (body, field, message) => {
    const response = await call(open, 'POST', '/targets', body);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const problem = (response.json.errors as { field: string; message: string }[]).find((e) => e.field === field);
    expect(problem?.message).toMatch(message);
  });

  it.each([
    ['POST', '/targets', '{not json', 'application/json', 400, /not valid JSON/],
    ['POST', '/targets', 'host=example.com', 'application/x-www-form-urlencoded', 415, /application\/json/],
    ['PUT', '/targets', '{}', 'application/json', 405, /PUT is not supported on \/targets; use GET, POST/],
    ['GET', '/nowhere', undefined, 'application/json', 404, /there is no \/nowhere/],
    ['GET', '/targets?limit=0', undefined, 'application/json', 400, /limit must be a whole number from 1 to 500/],
    ['GET', '/targets?status=fine', undefined, 'application/json', 400, /status must be one of/],
    ['GET', '/targets?cursor=garbage', undefined, 'application/json', 400, /cursor is not one this API returned/],
    [
      'GET',
      `/targets?cursor=${Buffer.from('{"id":""}').toString('base64url')}`,
      undefined,
      'application/json',
      400,
      /cursor is not one this API returned/,
    ],
    [
      'GET',
      `/targets?cursor=${Buffer.from(JSON.stringify({ id: 'x'.repeat(5000) })).toString('base64url')}`,
      undefined,
      'application/json',
      400,
      /cursor is not one this API returned/,
    ],
    ['GET', '/targets/fe80::1%25eth0', undefined, 'application/json', 404, /zone id/],
    ['PATCH', '/targets/example.org', '{"owner":"x"}', 'application/json', 404, /no target example\.org:443/],
    [
      'POST',
      '/targets',
      JSON.stringify({ host: 'x.example', notes: 'n'.repeat(1024 * 1024) }),
      'application/json',
      413,
      /larger than 1048576 bytes/,
    ],
  ])('answers %s %s with a problem (%s)', async (method, path, body, type, status, detail) => {
    const response = await call(open, method, path, body, { 'content-type': type });
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.detail).toMatch(detail);
  });

  it('lists targets with their state, page by page, filtered by status and tag', async () => {
    for (let i = 0; i < 7; i++)
      await call(open, 'POST', '/targets', { host: `page-${i}.list.example`, tags: i % 2 ? ['odd'] : ['even'] });
    const stored = await monitor.targets.getTarget('page-3.list.example:443');
    const { state } = decideTransition(
      undefined,
      checkResult({ target: 'page-3.list.example:443', status: 'warning' }),
    );
    await monitor.targets.recordCheck('page-3.list.example:443', stored?.version ?? 0, {
      state,
      pending: {},
      nextCheckAt: 0,
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(
        open,
        'GET',
        `/targets?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.json.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.json.items.map((t: { id: string }) => t.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => id.endsWith('.list.example:443')).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `page-${i}.list.example:443`).sort(),
    );
    expect(new Set(seen).size).toBe(seen.length);

    const warning = await call(open, 'GET', '/targets?status=warning');
    expect(warning.json.items.map((t: { id: string }) => t.id)).toEqual(['page-3.list.example:443']);
    expect(warning.json.items[0].lastCheck).toMatchObject({ status: 'warning', target: 'page-3.list.example:443' });
    const odd = await call(open, 'GET', '/targets?tag=odd&limit=500');
    expect(odd.json.items.map((t: { id: string }) => t.id).sort()).toEqual([
      'page-1.list.example:443',
      'page-3.list.example:443',
      'page-5.list.example:443',
    ]);
  });
});

describe('admin API: check now', () => {
  it('probes the target at once and returns the fresh result, storing it and publishing its event', async () => {
    await call(open, 'POST', '/targets', { host: `127.0.0.1:${server.port}` });
    const response = await call(open, 'POST', `/targets/127.0.0.1:${server.port}/check`);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      target: `127.0.0.1:${server.port}`,
      status: 'critical',
      daysLeft: 5,
      trusted: true,
      events: [{ event: 'entered-window', severity: 'critical' }],
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const view = await call(open, 'GET', `/targets/127.0.0.1:${server.port}`);
    expect(view.json.lastCheck.checkedAt).toBe(response.json.checkedAt);
  });

  it('answers 404 for checking a target that does not exist', async () => {
    expect((await call(open, 'POST', '/targets/nope.example/check')).status).toBe(404);
  });
});

describe('admin API: import', () => {
  it('imports a spreadsheet CSV row by row, reporting each row', async () => {
    const csv =
      'host,port,owner,warnDays\r\nimport-a.example,,ops,20\r\nimport-b.example,8443,ops,\r\nbad host,1,ops,\r\nimport-a.example,,dba,\r\n';
    const response = await call(open, 'POST', '/import', csv, { 'content-type': 'text/csv' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ created: 2, updated: 1, rejected: 1 });
    expect(response.json.rows).toEqual([
      { row: 2, id: 'import-a.example:443', result: 'created' },
      { row: 3, id: 'import-b.example:8443', result: 'created' },
      {
        row: 4,
        result: 'rejected',
        problems: [{ field: 'row', message: expect.stringMatching(/^host: .*not a valid host name/) }],
      },
      { row: 5, id: 'import-a.example:443', result: 'updated' },
    ]);
    expect((await call(open, 'GET', '/targets/import-a.example')).json.owner).toBe('dba');
    expect((await call(open, 'GET', '/targets/bad%20host')).status).toBe(404);
  });

  it('imports a JSON array', async () => {
    const response = await call(open, 'POST', '/import', [
      { host: 'json-a.example' },
      { host: 'json-b.example', port: 'x' },
    ]);
    expect(response.json).toMatchObject({ created: 1, rejected: 1 });
    expect(response.json.rows[1]).toEqual({
      row: 2,
      result: 'rejected',
      problems: [{ field: 'port', message: expect.stringMatching(/not a number/) }],
    });
  });

  it('accepts 0 days (window off) and decimal strings for numbers', async () => {
    const response = await call(open, 'POST', '/targets', { host: 'zero.example', warnDays: '0', critDays: 0 });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ warnDays: 0, critDays: 0 });
  });

  it('imports the other rows when one has an IPv6 zone id, and reads a one-column CSV header as a header', async () => {
    const csv = await call(open, 'POST', '/import', 'host\nfe80::1%eth0\nzone-ok.example\n', {
      'content-type': 'text/csv',
    });
    expect(csv.status).toBe(200);
    expect(csv.json).toMatchObject({ created: 1, rejected: 1 });
    expect(csv.json.rows).toEqual([
      expect.objectContaining({ row: 2, result: 'rejected' }),
      expect.objectContaining({ row: 3, id: 'zone-ok.example:443', result: 'created' }),
    ]);
  });

  it('re-imports its own CSV export unchanged: every setting, hostile values included', async () => {
    const hostile = `x;=cmd|' /C calc'!A0;@SUM(1+1)\r\n- second line, "quoted"\t=tab; 'tis`;
    const targets = [
      {
        host: 'rt-full.roundtrip.example:8443',
        servername: 'origin.roundtrip.example',
        addresses: ['127.0.0.1', '::1'],
        warnDays: 40,
        critDays: 10,
        intervalMinutes: 15,
        enabled: false,
        findingsInvalid: true,
        owner: "=cmd|' /C calc'!A0",
        tags: ['prod', '-x', '@team', '+1'],
        notes: hostile,
      },
      { host: 'mail.roundtrip.example:587/smtp', owner: 'mail team', notes: ' =1+1 ', warnDays: 0 },
      { host: 'saml:https://idp.roundtrip.example/metadata', owner: '@idp', tags: ['sso'], critDays: 3 },
    ];
    const ids: string[] = [];
    for (const target of targets) {
      const created = await call(open, 'POST', '/targets', target);
      expect(created.status).toBe(201);
      ids.push(created.json.id);
    }
    const settings = async () =>
      Promise.all(
        ids.map(async (id) => {
          const view = (await call(open, 'GET', `/targets/${encodeURIComponent(id)}`)).json;
          return Object.fromEntries(TARGET_SETTINGS.map((f) => [f, view[f] ?? null]));
        }),
      );
    const before = await settings();
    expect(before[0]).toMatchObject({ addresses: ['127.0.0.1', '::1'], notes: hostile, findingsInvalid: true });

    const csv = (await call(open, 'GET', '/report?format=csv')).text;
    const imported = await call(open, 'POST', '/import', csv, { 'content-type': 'text/csv' });
    expect(imported.status).toBe(200);
    // Every target of the table, ours and the other tests', is the same after the round trip.
    expect(imported.json).toMatchObject({ created: 0, updated: 0, rejected: 0 });
    expect(imported.json.unchanged).toBeGreaterThanOrEqual(3);
    expect(await settings()).toEqual(before);
  });

  it('leaves a setting without a column as it is, and clears one whose cell is empty', async () => {
    const id = 'pinned.roundtrip.example:443';
    await call(open, 'POST', '/targets', { host: id, addresses: ['10.0.0.7'], owner: 'ops', warnDays: 30 });
    const noColumn = await call(open, 'POST', '/import', `target,owner\r\n${id},dba\r\n`, {
      'content-type': 'text/csv',
    });
    expect(noColumn.json.rows).toEqual([{ row: 2, id, result: 'updated' }]);
    expect((await call(open, 'GET', `/targets/${id}`)).json).toMatchObject({
      owner: 'dba',
      addresses: ['10.0.0.7'],
      warnDays: 30,
    });
    const lineList = await call(open, 'POST', '/import', `${id}\n`, { 'content-type': 'text/plain' });
    expect(lineList.json.rows).toEqual([{ row: 1, id, result: 'unchanged' }]);
    await call(open, 'POST', '/import', `target,addresses,warnDays\r\n${id},,\r\n`, { 'content-type': 'text/csv' });
    const cleared = (await call(open, 'GET', `/targets/${id}`)).json;
    expect(cleared.addresses ?? null).toBeNull();
    expect(cleared.warnDays ?? null).toBeNull();
    expect(cleared.owner).toBe('dba');
  });

  it('refuses a body that is neither CSV nor JSON', async () => {
    const response = await call(open, 'POST', '/import', '<xml/>', { 'content-type': 'application/xml' });
    expect(response.status).toBe(415);
  });
});

describe('admin API: test alert', () => {
  it('publishes a clearly marked test notification to the alert topic, naming the caller', async () => {
    const event = functionUrlEvent('POST', '/test-alert', { headers: {} });
    (event.requestContext as unknown as { authorizer: unknown }).authorizer = {
      iam: { userArn: 'arn:aws:iam::123456789012:user/alice' },
    };
    const response = await open(event);
    const reply = typeof response === 'string' ? { statusCode: 200, body: response } : response;
    expect(reply.statusCode).toBe(202);
    expect(JSON.parse(reply.body ?? '{}')).toMatchObject({ event: 'test', id: expect.any(String) });
    const [publish] = sns.commandCalls(PublishCommand);
    const input = publish?.args[0].input;
    expect(input?.Subject).toBe('[certvigil] TEST notification: alerts reach this channel');
    expect(input?.MessageAttributes?.event?.StringValue).toBe('test');
    expect(input?.MessageAttributes?.severity?.StringValue).toBe('info');
    const message = JSON.parse(input?.Message ?? '{}');
    expect(message.email).toMatch(/No certificate is affected/);
    expect(message.email).toMatch(/at the request of arn:aws:iam::123456789012:user\/alice/);
    expect(JSON.parse(message.lambda)).toMatchObject({ version: 1, event: 'test', severity: 'info' });
  });

  it('answers 405 for other methods and 501 where no channel is configured', async () => {
    expect((await call(open, 'GET', '/test-alert')).status).toBe(405);
    expect((await call(guarded, 'POST', '/test-alert')).status).toBe(501);
  });
});

describe('admin API: address guard', () => {
  it.each([
    [{ host: '10.1.2.3' }, /10\.1\.2\.3 is a private address/],
    [{ host: '169.254.169.254' }, /link-local address \(where cloud metadata services live\)/],
    [{ host: '[::1]:8443' }, /::1 is a loopback address/],
    [{ host: '[fd00:ec2::254]' }, /unique-local/],
    [{ host: '[::ffff:192.168.1.1]' }, /private address/],
    [{ host: 'public.example', addresses: ['93.184.215.5', '172.16.0.9'] }, /172\.16\.0\.9 is a private address/],
    [{ host: '[64:ff9b::a9fe:a9fe]' }, /NAT64 address of 169\.254\.169\.254, a link-local address/],
    [{ host: '[2002:a9fe:a9fe::1]' }, /6to4 address of 169\.254\.169\.254/],
    [{ host: '[2001:0:a9fe:a9fe::1]' }, /Teredo address/],
    [{ host: 'public.example', addresses: ['::169.254.169.254'] }, /deprecated IPv4-compatible/],
    [{ host: '192.0.2.1' }, /documentation address/],
    [{ host: 'localhost' }, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
  ])('refuses %j by default', async (body, detail) => {
    const response = await call(guarded, 'POST', '/targets', body);
    expect(response.status).toBe(422);
    expect(response.json.detail).toMatch(detail);
    expect(response.json.detail).toMatch(/this deployment does not monitor private addresses/);
  });

  it('refuses in imports too, row by row', async () => {
    const response = await call(guarded, 'POST', '/import', [{ host: '93.184.215.7' }, { host: '192.168.0.1' }]);
    expect(response.json).toMatchObject({ created: 1, rejected: 1 });
  });

  it('accepts public addresses', async () => {
    expect((await call(guarded, 'POST', '/targets', { host: '93.184.215.9' })).status).toBe(201);
    expect((await call(guarded, 'POST', '/targets', { host: '[2606:4700::6810:84e5]' })).status).toBe(201);
  });
});

describe('admin API: report', () => {
  it('lists the inventory soonest expiry first, as JSON and as spreadsheet-safe CSV', async () => {
    const put = async (host: string, days: number, extra: Record<string, unknown> = {}) => {
      const target = normalizeTarget({ host, ...extra });
      await monitor.targets.putTarget(target, new Date());
      const { state } = decideTransition(
        undefined,
        checkResult({
          target: target.id,
          notAfter: daysFromNow(days).toISOString(),
          daysLeft: days,
          status: days < 0 ? 'expired' : 'ok',
        }),
      );
      const stored = await monitor.targets.getTarget(target.id);
      await monitor.targets.recordCheck(target.id, stored?.version ?? 0, { state, pending: {}, nextCheckAt: 0 });
    };
    await put('late.report.example', 300);
    await put('soon.report.example', 3, {
      owner: '=HYPERLINK("http://evil.example","click")',
      notes: '+1 call me',
      tags: ['@ops'],
    });
    await put('gone.report.example', -2);
    const json = await call(open, 'GET', '/report?format=json');
    const ours = (json.json as { target: string }[]).filter((r) => r.target.endsWith('.report.example:443'));
    expect(ours.map((r) => r.target)).toEqual([
      'gone.report.example:443',
      'soon.report.example:443',
      'late.report.example:443',
    ]);

    const csv = await call(open, 'GET', '/report?format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(
      'target,status,daysLeft,notAfter,chainNotAfter,issuer,subject,serialNumber,fingerprint256,owner,tags,notes,enabled,checkedAt,error,kind,servername,addresses,warnDays,critDays,intervalMinutes,findingsInvalid',
    );
    const soon = lines.find((l) => l.startsWith('soon.report.example:443')) ?? '';
    expect(soon).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(soon).toContain("'+1 call me");
    expect(soon).toContain("'@ops");
    const gone = lines.find((l) => l.startsWith('gone.report.example:443')) ?? '';
    expect(gone.split(',')[2]).toBe('-2'); // a negative number stays a number
  });

  it('compresses a large report when the client accepts gzip', async () => {
    const response = await call(open, 'GET', '/report?format=csv', undefined, { 'accept-encoding': 'gzip, br' });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.text.startsWith('target,status')).toBe(true);
  });

  it('rejects an unknown format', async () => {
    expect((await call(open, 'GET', '/report?format=xlsx')).json.detail).toMatch(/format must be json or csv/);
  });
});
