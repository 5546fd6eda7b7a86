import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/run-cli.ts';
import { signature, verify } from '../fixtures/sigv4.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let url: string;
const received: Received[] = [];
let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };

function run(args: string[], env: Record<string, string> = {}, stdin = '') {
  return runCli(args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: '/nonexistent', // no ~/.aws: the credentials come from the environment only
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: 'eu-west-1',
      CERTVIGIL_URL: url,
      ...env,
    },
    stdin,
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', 'http://x');
      received.push({
        method: req.method ?? '',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body,
      });
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('SigV4 check of the test verifier itself', () => {
  it('reproduces the AWS test-suite vector get-vanilla', () => {
    const sig = signature(
      {
        method: 'GET',
        path: '/',
        query: new URLSearchParams(),
        headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
        body: '',
      },
      {
        secretAccessKey: CREDENTIALS.secretAccessKey,
        region: 'us-east-1',
        service: 'service',
        amzDate: '20150830T123600Z',
        signedHeaders: ['host', 'x-amz-date'],
      },
    );
    expect(sig).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });
});

describe('certvigil remote commands', () => {
  it('signs targets add with SigV4 for the lambda service, verified independently', async () => {
    received.length = 0;
    answer = { status: 201, type: 'application/json', body: JSON.stringify({ id: 'example.com:443' }) };
    const result = await run(['targets', 'add', 'example.com', '--owner', 'web', '--tag', 'prod', '--warn-days', '21']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('added example.com:443\n');
    expect(result.code).toBe(0);
    const request = received[0] as Received;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/targets');
    expect(JSON.parse(request.body)).toEqual({ host: 'example.com', owner: 'web', tags: ['prod'], warnDays: '21' });
    const check = verify(request, CREDENTIALS);
    expect(check).toMatchObject({ valid: true, region: 'eu-west-1', service: 'lambda' });
    expect(check.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
  });

  it('signs a request with a query string and an encoded path', async () => {
    received.length = 0;
    answer = {
      status: 200,
      type: 'application/json',
      body: JSON.stringify({
        target: 'mail.example.com:587/smtp',
        status: 'ok',
        endpoints: [],
        events: [],
        notAfter: null,
        daysLeft: null,
        issuer: null,
        consistent: true,
      }),
    };
    const result = await run(['check-now', 'mail.example.com:587/smtp', '--json']);
    expect(result.code).toBe(0);
    expect(received[0]?.path).toBe('/targets/mail.example.com%3A587%2Fsmtp/check');
    expect(verify(received[0] as Received, CREDENTIALS).valid).toBe(true);

    received.length = 0;
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ items: [], nextCursor: null }) };
    await run(['targets', 'list', '--status', 'warning', '--tag', 'a b']);
    expect(received[0]?.query.get('tag')).toBe('a b');
    expect(verify(received[0] as Received, CREDENTIALS).valid).toBe(true);
  });

  it('sends a signed POST /test-alert and says where the test notification went', async () => {
    received.length = 0;
    answer = {
      status: 202,
      type: 'application/json',
      body: JSON.stringify({ id: 'abc', event: 'test', sentAt: '2026-11-28T00:00:00.000Z', detail: 'published' }),
    };
    const result = await run(['test-alert']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('test notification abc sent: published\n');
    expect(received[0]).toMatchObject({ method: 'POST', path: '/test-alert' });
    expect(verify(received[0] as Received, CREDENTIALS).valid).toBe(true);
  });

  it('runs discovery with a signed POST /discover, and exits 1 when a service could not be listed', async () => {
    received.length = 0;
    const summary = {
      startedAt: '2026-11-28T00:00:00.000Z',
      finishedAt: '2026-11-28T00:00:05.000Z',
      found: 1,
      byService: { acm: 1 },
      enrolled: 1,
      enrolledIds: ['acm:arn:aws:acm:eu-west-1:111111111111:certificate/a'],
      alreadyWatched: 0,
      vanished: [],
      returned: [],
      invalid: [],
      problems: [],
      skipped: {},
      unpublished: 0,
    };
    answer = { status: 200, type: 'application/json', body: JSON.stringify(summary) };
    const clean = await run(['discover']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(
      /^discovery: 1 found \(acm 1\); 1 enrolled, 0 already watched\nenrolled:\n {2}acm:arn/,
    );
    expect(received[0]).toMatchObject({ method: 'POST', path: '/discover' });
    expect(verify(received[0] as Received, CREDENTIALS).valid).toBe(true);

    const denied = {
      ...summary,
      problems: [
        { account: '111111111111', region: 'us-east-2', service: 'elbv2', kind: 'access-denied', message: 'no' },
      ],
    };
    answer = { status: 200, type: 'application/json', body: JSON.stringify(denied) };
    const partial = await run(['discover', '--json']);
    expect(partial.code).toBe(1);
    expect(JSON.parse(partial.stdout).problems).toHaveLength(1);

    answer = { status: 202, type: 'application/json', body: JSON.stringify({ detail: 'discovery is still running' }) };
    const later = await run(['discover']);
    expect(later).toMatchObject({ code: 0, stdout: 'discovery is still running\n' });
  });

  it('a tampered request no longer verifies (the verifier can fail)', async () => {
    received.length = 0;
    answer = { status: 201, type: 'application/json', body: JSON.stringify({ id: 'x.example:443' }) };
    await run(['targets', 'add', 'x.example']);
    const tampered = { ...(received[0] as Received), body: '{"host":"evil.example"}' };
    expect(verify(tampered, CREDENTIALS).valid).toBe(false);
  });

  it('finds the region in a Lambda function URL', async () => {
    const { regionFromFunctionUrl } = await import('../../lib/net/admin-client.ts');
    expect(regionFromFunctionUrl('abcdefghij.lambda-url.ap-southeast-2.on.aws')).toBe('ap-southeast-2');
    expect(regionFromFunctionUrl('example.com')).toBeUndefined();
  });

  it('uses a bearer token instead of SigV4 for local mode', async () => {
    received.length = 0;
    answer = { status: 204, type: 'application/json', body: '' };
    const result = await run(['targets', 'rm', 'example.com:443', '--token', 'local-token']);
    expect(result.code).toBe(0);
    expect(received[0]?.headers.authorization).toBe('Bearer local-token');
    expect(received[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it('prints the problem detail of a refused request and exits 3', async () => {
    answer = {
      status: 422,
      type: 'application/problem+json',
      body: JSON.stringify({
        status: 422,
        detail: 'the target is not valid: port: port 0 is outside 1 to 65535',
        errors: [{ field: 'port', message: 'port 0 is outside 1 to 65535' }],
      }),
    };
    const result = await run(['targets', 'add', 'example.com:0']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'certvigil: the target is not valid: port: port 0 is outside 1 to 65535 (port: port 0 is outside 1 to 65535)\n',
    );
  });

  it('explains a 403 from IAM', async () => {
    answer = { status: 403, type: 'application/json', body: '{"Message":"Forbidden"}' };
    const result = await run(['report']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/lambda:InvokeFunctionUrl/);
  });

  it('reports each rejected row of an import and exits 3', async () => {
    answer = {
      status: 200,
      type: 'application/json',
      body: JSON.stringify({
        created: 1,
        updated: 0,
        rejected: 1,
        rows: [
          { row: 2, id: 'a.example:443', result: 'created' },
          { row: 3, result: 'rejected', problems: [{ field: 'row', message: 'host: bad' }] },
        ],
      }),
    };
    received.length = 0;
    const result = await run(['targets', 'import', '-'], {}, 'host\na.example\nbad host\n');
    expect(received[0]?.headers['content-type']).toBe('text/csv');
    expect(received[0]?.body).toBe('host\na.example\nbad host\n');
    expect(result.stdout).toBe('1 created, 0 updated, 0 unchanged, 1 rejected\n  -:3: host: bad\n');
    expect(result.code).toBe(3);
  });

  it.each([
    [['targets'], {}, /targets needs one of list, add, rm, import/],
    [['targets', 'add'], {}, /targets add needs a TARGET/],
    [['report'], { CERTVIGIL_URL: '' }, /no admin URL: pass --url or set CERTVIGIL_URL/],
    [['report', '--url', 'not a url'], {}, /--url "not a url" is not a URL/],
    [['report', '--url', 'https://example.com/'], { AWS_REGION: '' }, /cannot tell the AWS region from the URL/],
    [['report', '--format', 'xlsx'], {}, /--format must be table, csv or json/],
  ])('rejects %j with one line and exit 3', async (args, env, message) => {
    const result = await run(args as string[], env as Record<string, string>);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
