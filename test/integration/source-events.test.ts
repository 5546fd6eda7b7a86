// Exactly-once notifications for a source with several certificates, through DynamoDB Local and
// a real HTTPS server: one certificate expiring, one added, one dropped; concurrent and repeated
// runs publish nothing twice.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createSelfSigned, daysFromNow, type Minted } from '../fixtures/cert-factory.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { jwks, samlMetadata } from '../fixtures/documents.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { publishedNotifications } from '../fixtures/sns.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let store: TargetStore;
let docs: DocumentServer;
let keep: Minted;
let drop: Minted;
let expiring: Minted;
let added: Minted;

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  docs = await startDocumentServer();
  keep = await createSelfSigned({ subject: 'CN=kept', notAfter: daysFromNow(300) });
  drop = await createSelfSigned({ subject: 'CN=dropped', notAfter: daysFromNow(200) });
  expiring = await createSelfSigned({ subject: 'CN=expiring', notBefore: daysFromNow(-85), notAfter: daysFromNow(3) });
  added = await createSelfSigned({ subject: 'CN=added', notAfter: daysFromNow(365) });
});
afterAll(async () => {
  await docs.close();
  await tables.drop();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

function deps() {
  return testMonitor(tables, ALL_READERS);
}

const published = () => publishedNotifications(sns);

describe('a source with several certificates', () => {
  it('announces the expiring one, then one added and one dropped, each exactly once', async () => {
    docs.serve(
      '/keys',
      jwks([
        { kid: 'keep', use: 'sig', alg: 'ES256', cert: keep },
        { kid: 'drop', use: 'enc', alg: 'ECDH-ES', cert: drop },
        { kid: 'expiring', use: 'sig', alg: 'RS256', cert: expiring },
      ]),
      'application/json',
    );
    const target = normalizeTarget({ host: `jwks:${docs.origin}/keys` });
    await store.putTarget(target, new Date());

    await probeTarget(deps(), target);
    const first = published();
    expect(first.map((n) => [n.event, n.severity])).toEqual([['entered-window', 'critical']]);
    expect(first[0]?.subject).toMatch(/CRITICAL jwks:https:\/\/127\.0\.0\.1:\d+\/keys: certificate expires in 2 days/);
    expect(first[0]?.text).toMatch(/Certificate: CN=expiring \(sig kid expiring RS256\)/);
    expect(first[0]?.text).toMatch(/Next step: publish a replacement certificate in this document now/);

    sns.resetHistory();
    docs.serve(
      '/keys',
      jwks([
        { kid: 'keep', use: 'sig', alg: 'ES256', cert: keep },
        { kid: 'expiring', use: 'sig', alg: 'RS256', cert: expiring },
        { kid: 'added', use: 'enc', alg: 'ECDH-ES', cert: added },
      ]),
      'application/json',
    );
    // Ten runs at once (async invocations can be delivered more than once), then two more.
    await Promise.all(Array.from({ length: 10 }, () => probeTarget(deps(), target).catch(() => undefined)));
    await probeTarget(deps(), target);
    await probeTarget(deps(), target);
    const news = published()
      .map((n) => `${n.event} ${n.text.split('\n')[2]}`)
      .sort();
    expect(news).toEqual([
      'added Certificate: CN=added (enc kid added ECDH-ES)',
      'removed Certificate: CN=dropped (enc kid drop ECDH-ES)',
    ]);
    const stored = await store.getTarget(target.id);
    expect(stored?.state?.certificates?.map((c) => c.label).sort()).toEqual([
      'CN=added (enc kid added ECDH-ES)',
      'CN=expiring (sig kid expiring RS256)',
      'CN=kept (sig kid keep ES256)',
    ]);
    expect(Object.keys(stored?.pending ?? {})).toEqual([]);
  });

  it('says in the message that a successor is published, and what to do before the date', async () => {
    const successor = await createSelfSigned({ subject: 'CN=idp 2027', notAfter: daysFromNow(400) });
    docs.serve(
      '/idp.xml',
      samlMetadata([
        {
          entityId: 'https://idp.example.org',
          roles: [
            {
              role: 'IDPSSODescriptor',
              keys: [
                { cert: expiring, use: 'signing' },
                { cert: successor, use: 'signing' },
              ],
            },
          ],
        },
      ]),
      'application/samlmetadata+xml',
    );
    const target = normalizeTarget({ host: `saml:${docs.origin}/idp.xml` });
    await store.putTarget(target, new Date());
    const outcome = await probeTarget(deps(), target);
    // The status is not softened: certvigil cannot see which key is really signing.
    expect(outcome.result.status).toBe('critical');
    const [message] = published();
    expect(message?.text.split('\n')[0]).toMatch(
      /certificate expires in 2 days \(\d{4}-\d\d-\d\d\), a successor is published\.$/,
    );
    expect(message?.subject.length).toBeLessThanOrEqual(99);
    expect(message?.text).toMatch(/Certificate: CN=expiring \(idp signing, entity https:\/\/idp\.example\.org\)/);
    expect(message?.text).toMatch(/Successor published: [0-9A-F:]{95}/);
    expect(message?.text).toMatch(
      /switch signing to it before \d{4}-\d\d-\d\d; certvigil cannot see which key is really in use/,
    );
  });
});
