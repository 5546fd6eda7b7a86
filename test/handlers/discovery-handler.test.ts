// Discovery's entry points: POST /discover in the admin API (which runs the discovery function
// and waits for it, up to a limit), the discovery handler itself, the clear answer without AWS
// credentials, and reading other accounts through assumed roles.
import { GetServerCertificateCommand, IAMClient } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as adminHandler } from '../../lambdas/admin-handler.ts';
import { createHandler as discoveryHandler } from '../../lambdas/discovery-handler.ts';
import type { AdminDependencies } from '../../lib/admin/admin-api.ts';
import { defaultTrustStore } from '../../lib/certificate/trust-store.ts';
import { describeDiscovery } from '../../lib/cli/remote-commands.ts';
import { DiscoveryUnavailable } from '../../lib/discovery/discovery-types.ts';
import type { DiscoverySummary } from '../../lib/discovery/enrol.ts';
import { invokeDiscovery } from '../../lib/discovery/invoke-discovery.ts';
import { callerIdentity } from '../../lib/discovery/run-discovery.ts';
import { DEFAULT_TIMEOUTS } from '../../lib/net/timeouts.ts';
import { accountRoles } from '../../lib/sources/aws/account-roles.ts';
import { roleCredentials } from '../../lib/sources/aws/clients.ts';
import { ALL_READERS, checkSource } from '../../lib/sources/registry.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createRootCa, daysFromNow, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';

const lambda = mockClient(LambdaClient);
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
let leaf: Minted;

const SUMMARY: DiscoverySummary = {
  startedAt: '2026-11-28T00:00:00.000Z',
  finishedAt: '2026-11-28T00:00:09.000Z',
  found: 3,
  byService: { acm: 2, cloudfront: 1 },
  enrolled: 2,
  enrolledIds: ['acm:arn:aws:acm:eu-west-1:111111111111:certificate/a', 'www.example.com:443'],
  alreadyWatched: 1,
  vanished: ['acm:arn:aws:acm:eu-west-1:111111111111:certificate/old'],
  returned: [],
  invalid: [],
  problems: [
    {
      account: '111111111111',
      region: 'us-east-2',
      service: 'acm',
      kind: 'access-denied',
      message: 'ACM ListCertificates: AccessDeniedException: not authorized',
    },
  ],
  skipped: { 'internal load balancer': 2 },
  unpublished: 0,
};

function admin(discover: AdminDependencies['discover']) {
  return adminHandler({
    targets: {} as never,
    probe: async () => {
      throw new Error('not used');
    },
    guard: undefined,
    discover,
  });
}

async function post(handler: ReturnType<typeof admin>, method = 'POST') {
  const reply = (await handler(functionUrlEvent(method, '/discover', { headers: {} }))) as {
    statusCode: number;
    body?: string;
  };
  return { status: reply.statusCode, json: JSON.parse(reply.body ?? '{}') };
}

beforeAll(async () => {
  const root = await createRootCa();
  leaf = await issueCertificate(root, { sans: ['edge.example.com'], notAfter: daysFromNow(90) });
});
beforeEach(() => {
  lambda.reset();
  sts.reset();
  iam.reset();
});
afterAll(() => {
  lambda.restore();
  sts.restore();
  iam.restore();
});

describe('POST /discover', () => {
  it('runs the discovery function and answers with its summary', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(SUMMARY)) as never });
    const reply = await post(admin(invokeDiscovery(new LambdaClient({ region: 'eu-west-1' }), 'certvigil-discovery')));
    expect(reply).toEqual({ status: 200, json: SUMMARY });
    expect(lambda.commandCalls(InvokeCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: 'certvigil-discovery',
      InvocationType: 'RequestResponse',
    });
  });

  it('answers 202 when discovery outlasts the wait, and 502 naming a failed run', async () => {
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => {}));
    const slow = await post(admin(invokeDiscovery(new LambdaClient({ region: 'eu-west-1' }), 'fn', 50)));
    expect(slow.status).toBe(202);
    expect(slow.json.detail).toMatch(/still running .* tag "discovered"/);

    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from(JSON.stringify({ errorMessage: 'Task timed out after 600.00 seconds' })) as never,
    });
    const failed = await post(admin(invokeDiscovery(new LambdaClient({ region: 'eu-west-1' }), 'fn')));
    expect(failed.status).toBe(502);
    expect(failed.json.detail).toBe('discovery failed: Task timed out after 600.00 seconds');
  });

  it('says how to provide credentials when there are none, 501 where discovery is absent, 405 for GET', async () => {
    const unavailable = await post(
      admin(async () => {
        throw new DiscoveryUnavailable('discovery needs AWS credentials');
      }),
    );
    expect(unavailable).toEqual({
      status: 503,
      json: expect.objectContaining({ detail: 'discovery needs AWS credentials' }),
    });
    expect((await post(admin(undefined))).status).toBe(501);
    expect((await post(admin(undefined), 'GET')).status).toBe(405);
  });
});

describe('discovery without credentials, and through roles', () => {
  it('turns a credentials failure into a message that says what to set', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const error = await callerIdentity('eu-west-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryUnavailable);
    expect((error as Error).message).toMatch(
      /^discovery needs AWS credentials and could not use any \(CredentialsProviderError: Could not load credentials.*Set AWS_PROFILE/,
    );
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws-cn:iam::111111111111:user/me' });
    expect(await callerIdentity('cn-north-1')).toEqual({ account: '111111111111', partition: 'aws-cn' });
  });

  it('assumes a role once per session and again before it expires', async () => {
    let expiresIn = 3_600_000;
    sts.on(AssumeRoleCommand).callsFake(async () => ({
      Credentials: {
        AccessKeyId: 'ASIA',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + expiresIn),
      },
    }));
    const role = 'arn:aws:iam::222222222222:role/certvigil-read-session-test';
    const provider = roleCredentials(role);
    await provider();
    await provider();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({ RoleArn: role });
    expiresIn = 60_000; // the next session is short: renewed on the following call
    sts.resetHistory();
    const a = roleCredentials('arn:aws:iam::222222222222:role/certvigil-short');
    await a();
    await a();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it("reads another account's IAM server certificate by ARN through that account's role", async () => {
    const role = 'arn:aws:iam::333333333333:role/certvigil-read';
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIA',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    iam.on(GetServerCertificateCommand).callsFake(async (_input, getClient) => {
      // The client signs with the member account's role.
      const credentials = (getClient() as { config: { credentials: () => Promise<{ accessKeyId: string }> } }).config
        .credentials;
      expect((await credentials()).accessKeyId).toBe('ASIA');
      return { ServerCertificate: { CertificateBody: leaf.certPem, ServerCertificateMetadata: undefined as never } };
    });
    const result = await checkSource(
      normalizeTarget({ host: 'iam:arn:aws:iam::333333333333:server-certificate/cloudfront/edge' }),
      {
        trust: defaultTrustStore(),
        timeouts: DEFAULT_TIMEOUTS,
        thresholds: {},
        allowFiles: false,
        awsRoles: accountRoles([role]),
        now: () => new Date(),
      },
      ALL_READERS,
    );
    expect(result).toMatchObject({ kind: 'iam', status: 'ok', error: null });
    expect(iam.commandCalls(GetServerCertificateCommand)[0]?.args[0].input).toEqual({ ServerCertificateName: 'edge' });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({ RoleArn: role });
  });
});

describe('the discovery function', () => {
  it('returns the summary of its run, problems included', async () => {
    const handler = discoveryHandler(async () => SUMMARY);
    expect(await handler({})).toEqual(SUMMARY);
  });

  it('describes a run for people: counts, what changed, what could not be seen', () => {
    expect(describeDiscovery(SUMMARY)).toBe(
      [
        'discovery: 3 found (acm 2, cloudfront 1); 2 enrolled, 1 already watched',
        'enrolled:',
        '  acm:arn:aws:acm:eu-west-1:111111111111:certificate/a',
        '  www.example.com:443',
        'gone (disabled, reported once):',
        '  acm:arn:aws:acm:eu-west-1:111111111111:certificate/old',
        'could not list:',
        '  acm in us-east-2, account 111111111111 (access-denied): ACM ListCertificates: AccessDeniedException: not authorized',
        'passed over:',
        '  internal load balancer: 2',
        '',
      ].join('\n'),
    );
  });
});
