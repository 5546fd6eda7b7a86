// The functions run from their bundles alone, built as the stack builds them (bench/lambda-bundle.ts:
// LAMBDA_BUNDLING, externalModulesOf): what is left out of a bundle (credential providers, the SDK's
// event-stream support where no client imports it up front) is never loaded. Each bundle is copied
// where no node_modules can be found and loaded in its own process; the probe's also runs: it
// checks a loopback endpoint whose certificate is about to expire, keeps the state in DynamoDB
// Local (the SDK's JSON protocol) and publishes the alert to an SNS stand-in over real HTTP (the
// query protocol, XML answers).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLambda } from '../../bench/lambda-bundle.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createChain, daysFromNow } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { runNode } from '../fixtures/run-cli.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certvigil-alerts';
const PUBLISHED = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>4f1c0e2a-0000-4000-8000-000000000001</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`;

let dir: string;
let tables: TestTables;
let sns: ScriptedServer;
let endpoint: RunningServer;
let caFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-bundle-'));
  const built = mkdtempSync(join(tmpdir(), 'certvigil-bundle-build-'));
  copyFileSync(await bundleLambda('probe', built), join(dir, 'probe.cjs'));
  rmSync(built, { recursive: true, force: true });
  const { root, leaf } = await createChain({
    sans: ['127.0.0.1'],
    notBefore: daysFromNow(-85),
    notAfter: daysFromNow(5),
  });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, root.certPem);
  endpoint = await startTlsServer(credentials(leaf));
  tables = await createTestTables();
  sns = await startScriptedServer();
  sns.answer({ status: 200, headers: { 'content-type': 'text/xml' }, body: PUBLISHED });
}, 120_000);

afterAll(async () => {
  await endpoint?.close();
  await sns?.close();
  await tables?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function runBundle(target: unknown) {
  writeFileSync(
    join(dir, 'invoke.cjs'),
    `const { handler } = require('./probe.cjs');
handler(${JSON.stringify({ target, roundId: 'bundle-test' })}).then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error) => { process.stderr.write(String(error && error.stack || error)); process.exitCode = 1; },
);\n`,
  );
  return runNode([join(dir, 'invoke.cjs')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      ...tables.env,
      AWS_ENDPOINT_URL_SNS: sns.url.replace(/\/services\/.*$/, '/'),
      NODE_EXTRA_CA_CERTS: caFile,
      TOPIC_ARN: TOPIC,
      ALLOW_PRIVATE_TARGETS: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
  });
}

describe('the bundled probe function, run with nothing but its bundle', () => {
  it('checks the endpoint, keeps the state in DynamoDB and publishes one alert to SNS', async () => {
    const target = normalizeTarget({ host: `127.0.0.1:${endpoint.port}` });
    await new TargetStore(tables.doc, tables.names.targets).putTarget(target, new Date());

    const run = await runBundle(target);
    expect(run.stderr).not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, status: 'critical' });

    const publishes = sns.requests.filter((r) => new URLSearchParams(r.body).get('Action') === 'Publish');
    expect(publishes).toHaveLength(1);
    const form = new URLSearchParams(publishes[0]?.body);
    expect(form.get('TopicArn')).toBe(TOPIC);
    expect(form.get('Message')).toContain(`127.0.0.1:${endpoint.port}`);
    expect(publishes[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);

    const stored = await new TargetStore(tables.doc, tables.names.targets).getTarget(target.id);
    expect(stored?.state?.result.status).toBe('critical');
    expect(Object.keys(stored?.sent ?? {})).toHaveLength(1);

    // Run again: the condition was announced, so nothing more is published.
    const again = await runBundle(target);
    expect(again.code).toBe(0);
    expect(sns.requests.filter((r) => new URLSearchParams(r.body).get('Action') === 'Publish')).toHaveLength(1);
  });
});

const FUNCTIONS = readdirSync(new URL('../../lambdas/', import.meta.url))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('-handler.ts'))
  .map((file) => file.slice(0, -3));

/** What the functions read at load (lib/config.ts): their settings, as the stack gives them. */
const FUNCTION_ENV = {
  AWS_REGION: 'eu-west-1',
  TARGETS_TABLE: 'targets',
  HISTORY_TABLE: 'history',
  CERTIFICATES_TABLE: 'certificates',
  EXPORT_BUCKET: 'certvigil-exports',
  TOPIC_ARN: TOPIC,
  PROBE_FUNCTION_NAME: 'certvigil-probe',
  DIRECTORY_TABLE: 'directory',
  ACTION_KEY_SECRET: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certvigil-action-key',
  ACTION_LINKS_URL: 'https://abc.lambda-url.eu-west-1.on.aws/',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

describe('every function bundle', () => {
  it('names the functions the stack deploys', () => {
    expect(FUNCTIONS).toEqual([
      'account',
      'actions',
      'admin',
      'discovery',
      'dispatcher',
      'documents',
      'export',
      'notifier',
      'probe',
    ]);
  });

  it.each(FUNCTIONS)(
    '%s loads with nothing but its bundle',
    async (name) => {
      const alone = mkdtempSync(join(tmpdir(), `certvigil-load-${name}-`));
      try {
        copyFileSync(await bundleLambda(name, alone), join(alone, 'index.cjs'));
        const load = spawnSync(
          process.execPath,
          ['-e', "const m = require('./index.cjs'); if (typeof m.handler !== 'function') process.exit(2);"],
          { cwd: alone, encoding: 'utf8', env: { PATH: process.env.PATH, ...FUNCTION_ENV } },
        );
        expect(load.stderr).toBe('');
        expect(load.status).toBe(0);
      } finally {
        rmSync(alone, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
