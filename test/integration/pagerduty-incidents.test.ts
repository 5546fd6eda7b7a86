// A PagerDuty incident opens and closes with the certificate: real TLS checks through DynamoDB
// Local publish to SNS (mocked client, real messages); each SNS message goes to the PagerDuty
// notifier function as SNS would deliver it; a PagerDuty stand-in on loopback records the events.
// Every resolve carries the dedup_key of the trigger it ends, and each is sent once.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHandler } from '../../lambdas/notifier-handler.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { clearChannelSecrets } from '../../lib/notify/channels/channel-secret.ts';
import { TLS_READERS } from '../../lib/sources/tls/readers.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const ROUTING_KEY = 'R0abcdefghijklmnopqrstuvwxyz0123';
let tables: TestTables;
let tls: RunningServer;
let pagerduty: ScriptedServer;
const certs: Record<'warning' | 'critical' | 'renewed', Minted> = {} as never;

beforeAll(async () => {
  tables = await createTestTables();
  const { certPem, keyPem } = inject('testCa');
  const root = await importCa(certPem, keyPem);
  const mint = (notBefore: number, notAfter: number) =>
    issueCertificate(root, { sans: ['127.0.0.1'], notBefore: daysFromNow(notBefore), notAfter: daysFromNow(notAfter) });
  certs.warning = await mint(-345, 20);
  certs.critical = await mint(-345, 3);
  certs.renewed = await mint(0, 90);
  tls = await startTlsServer(credentials(certs.warning));
  pagerduty = await startScriptedServer();
  pagerduty.answer({ status: 202, body: '{"status":"success"}' });
  clearChannelSecrets();
  secrets
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify({ routingKey: ROUTING_KEY, eventsUrl: pagerduty.url }) });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});
afterAll(async () => {
  await tls.close();
  await pagerduty.close();
  await tables.drop();
});

/** What SNS hands a Lambda subscriber for each message published since the last call. */
let delivered = 0;
function newSnsDeliveries(): SNSEvent[] {
  const calls = sns.commandCalls(PublishCommand).slice(delivered);
  delivered += calls.length;
  return calls.map((call) => {
    const input = call.args[0].input;
    const message = JSON.parse(input.Message ?? '{}') as { lambda: string };
    return {
      Records: [
        {
          Sns: {
            MessageId: `m${delivered}`,
            Message: message.lambda,
            MessageAttributes: Object.fromEntries(
              Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [
                k,
                { Type: 'String', Value: v.StringValue },
              ]),
            ),
          },
        },
      ],
    } as unknown as SNSEvent;
  });
}

describe('PagerDuty incidents follow the certificate', () => {
  it('warning triggers; critical triggers and resolves the warning; the renewal resolves critical; each once', async () => {
    const notifier = createHandler(
      { channel: 'pagerduty', secretId: 'certvigil/pagerduty' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    const target = normalizeTarget({ host: `127.0.0.1:${tls.port}` });
    await new TargetStore(tables.doc, tables.names.targets).putTarget(target, new Date());
    const steps: [Minted, string][] = [
      [certs.warning, 'warning'],
      [certs.warning, 'warning again (quiet)'],
      [certs.critical, 'critical'],
      [certs.critical, 'critical again (quiet)'],
      [certs.renewed, 'renewed'],
      [certs.renewed, 'renewed again (quiet)'],
    ];
    const sent: { step: string; action: string; dedup: string; severity?: string }[] = [];
    for (const [cert, step] of steps) {
      tls.setCredentials?.(credentials(cert));
      await probeTarget(testMonitor(tables, TLS_READERS), target);
      // SNS may deliver a message twice: PagerDuty's dedup_key makes that harmless, but certvigil
      // itself sends each once; here each is delivered once.
      for (const event of newSnsDeliveries()) {
        const before = pagerduty.requests.length;
        await notifier(event, lambdaContext());
        for (const r of pagerduty.requests.slice(before)) {
          const body = JSON.parse(r.body);
          expect(body.routing_key).toBe(ROUTING_KEY);
          sent.push({ step, action: body.event_action, dedup: body.dedup_key, severity: body.payload?.severity });
        }
      }
    }
    expect(sent.map(({ step, action, severity }) => `${step}: ${action}${severity ? ` ${severity}` : ''}`)).toEqual([
      'warning: trigger warning',
      'critical: trigger critical',
      'critical: resolve',
      'renewed: resolve',
    ]);
    const [warning, critical, endWarning, endCritical] = sent;
    expect(endWarning?.dedup).toBe(warning?.dedup);
    expect(endCritical?.dedup).toBe(critical?.dedup);
    expect(critical?.dedup).not.toBe(warning?.dedup);
    // Every incident opened here is closed: nothing left paging for a renewed certificate.
    const open = new Set<string>();
    for (const s of sent) s.action === 'trigger' ? open.add(s.dedup) : open.delete(s.dedup);
    expect([...open]).toEqual([]);
  });
});
