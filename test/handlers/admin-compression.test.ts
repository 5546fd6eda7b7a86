// Every admin route's answer is gzipped when the client accepts it (function URLs cap a response
// at 6 MB): the same bytes once decoded, `content-encoding: gzip` and `vary: accept-encoding`; a
// client that refuses gzip, or sends no Accept-Encoding, gets the plain answer; problems stay plain.
// Through the Lambda handler, over DynamoDB Local and real TLS servers.
import { gunzipSync } from 'node:zlib';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { createHandler } from '../../lambdas/admin-handler.ts';
import { acceptsGzip } from '../../lib/admin/request.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { adminHandlerOver } from '../fixtures/admin.ts';
import { daysFromNow, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { testServers } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
const servers = testServers();
let tables: TestTables;
let handler: ReturnType<typeof createHandler>;

type Answer = { statusCode: number; body: string; headers: Record<string, string>; isBase64Encoded: boolean };

async function get(path: string, acceptEncoding?: string): Promise<Answer> {
  const headers: Record<string, string> = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
  return (await handler(functionUrlEvent('GET', path, { headers }))) as Answer;
}

/** The answer's text, decoded as a client would. */
function text(answer: Answer): string {
  return answer.isBase64Encoded ? gunzipSync(Buffer.from(answer.body, 'base64')).toString() : answer.body;
}

beforeAll(async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  tables = await createTestTables();
  const monitor = testMonitor(tables, ALL_READERS, { endpointTimeoutMs: 3000 });
  handler = adminHandlerOver(monitor);
  const { certPem, keyPem } = inject('testCa');
  const ca = await issueCertificate(await importCa(certPem, keyPem), { ca: true });
  for (let i = 0; i < 6; i++) {
    const leaf = await issueCertificate(ca, { notBefore: daysFromNow(-80), notAfter: daysFromNow(5.5 + i) });
    const server = await servers.serve(leaf);
    const target = normalizeTarget({ host: `127.0.0.1:${server.port}`, owner: `team-${i}`, notes: 'n'.repeat(200) });
    await monitor.targets.putTarget(target, new Date());
    await probeTarget(monitor, target);
  }
}, 60_000);

afterAll(async () => {
  sns.restore();
  await servers.close();
  await tables.drop();
});

describe('admin answers and gzip', () => {
  it.each(['/targets', '/certificates', '/events', '/report', '/report?format=csv', '/report?view=certificates'])(
    'GET %s: gzipped when accepted, the same content decoded, plain otherwise',
    async (path) => {
      const plain = await get(path);
      expect(plain.statusCode).toBe(200);
      expect(Buffer.byteLength(plain.body)).toBeGreaterThan(1024);
      expect(plain.isBase64Encoded).toBe(false);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toBe('accept-encoding');

      const zipped = await get(path, 'br, gzip;q=0.8');
      expect(zipped.statusCode).toBe(200);
      expect(zipped.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'accept-encoding' });
      expect(zipped.isBase64Encoded).toBe(true);
      expect(text(zipped)).toBe(plain.body);
      expect(Buffer.from(zipped.body, 'base64').length).toBeLessThan(Buffer.byteLength(plain.body));

      const refused = await get(path, 'gzip;q=0, br');
      expect(refused.isBase64Encoded).toBe(false);
      expect(refused.body).toBe(plain.body);
    },
  );

  it('leaves a problem plain whatever the client accepts', async () => {
    const answer = await get('/nowhere', 'gzip');
    expect(answer.statusCode).toBe(404);
    expect(answer.isBase64Encoded).toBe(false);
    expect(JSON.parse(answer.body).detail).toMatch(/there is no \/nowhere/);
  });

  it('reads Accept-Encoding as HTTP does', () => {
    expect(acceptsGzip({ headers: { 'accept-encoding': 'gzip' } })).toBe(true);
    expect(acceptsGzip({ headers: { 'accept-encoding': 'GZIP, deflate' } })).toBe(true);
    expect(acceptsGzip({ headers: { 'accept-encoding': 'br;q=1, *;q=0.1' } })).toBe(true);
    expect(acceptsGzip({ headers: { 'accept-encoding': 'gzip;q=0' } })).toBe(false);
    expect(acceptsGzip({ headers: { 'accept-encoding': 'gzip; q=0.0' } })).toBe(false);
    expect(acceptsGzip({ headers: { 'accept-encoding': 'br, deflate' } })).toBe(false);
    expect(acceptsGzip({ headers: { 'accept-encoding': 'x-gzip-like' } })).toBe(false);
    expect(acceptsGzip({ headers: {} })).toBe(false);
  });
});
