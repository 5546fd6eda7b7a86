// Hostile certificates through the whole path: a real TLS server on loopback, the probe run
// storing into DynamoDB Local, SNS publishes captured, and the Slack message the notifier would
// send. Whatever a certificate holds, the state is stored, each event goes out once, and every
// message fits SNS and Slack.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { SLACK_LIMITS, slackMessage } from '../../lib/notify/channels/slack.ts';
import type { Notification } from '../../lib/notify/render-message.ts';
import { MAX_SNS_MESSAGE_BYTES } from '../../lib/notify/sns-publisher.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { LIMITS } from '../../lib/text-bounds.ts';
import { daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { credentials, type RunningServer, testServers } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
/** DynamoDB's item size limit. */
const ITEM_LIMIT = 400 * 1024;

let tables: TestTables;
let store: TargetStore;
let root: Minted;
const servers = testServers();

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  const { certPem, keyPem } = inject('testCa');
  root = await importCa(certPem, keyPem);
});
afterAll(async () => {
  await servers.close();
  await tables.drop();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

function deps() {
  return testMonitor(tables, ALL_READERS);
}

/** Every Slack limit the notifier's message must respect. */
function expectWithinSlackLimits(payload: Record<string, unknown>) {
  expect(String(payload.text).length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  const blocks = (payload.attachments as { blocks: Record<string, unknown>[] }[])[0]?.blocks ?? [];
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const block of blocks) {
    const text = (block.text as { text?: string } | undefined)?.text;
    if (text !== undefined) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const fields = (block.fields as { text: string }[] | undefined) ?? [];
    expect(fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
    for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    const elements = (block.elements as { text: string }[] | undefined) ?? [];
    expect(elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
    for (const e of elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
  }
}

/** Checks every publish so far and returns the notifications they carried. */
function publishedNotifications(): Notification[] {
  return sns.commandCalls(PublishCommand).map((call) => {
    const input = call.args[0].input;
    const bytes =
      Buffer.byteLength(input.Message ?? '') +
      Buffer.byteLength(input.Subject ?? '') +
      Object.entries(input.MessageAttributes ?? {}).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.StringValue ?? '') + 6,
        0,
      );
    expect(bytes).toBeLessThanOrEqual(MAX_SNS_MESSAGE_BYTES);
    expect(input.Subject?.length).toBeLessThanOrEqual(100);
    expect(input.Subject).toMatch(/^[\x20-\x7e]+$/);
    const notification = JSON.parse(JSON.parse(input.Message ?? '{}').lambda) as Notification;
    expectWithinSlackLimits(slackMessage(notification));
    return notification;
  });
}

const serve = (leaf: Minted) => servers.serve(leaf);

async function watch(server: RunningServer) {
  const target = normalizeTarget({ host: `127.0.0.1:${server.port}` });
  await store.putTarget(target, new Date());
  return target;
}

async function itemBytes(id: string): Promise<number> {
  return Buffer.byteLength(JSON.stringify(await store.getTarget(id)));
}

describe('hostile certificates through the whole monitoring path', () => {
  it('stores, announces once and renews a certificate with a 46,000-byte subject and a 20,000-byte issuer', async () => {
    // As large as a TLS client accepts: OpenSSL refuses certificate messages over 100 KB.
    const huge = (tag: string) => `CN=${tag}, O=${'x'.repeat(23_000)}, OU=${'y'.repeat(23_000)}`;
    const intermediate = await issueCertificate(root, {
      ca: true,
      subject: `CN=hostile intermediate, O=${'i'.repeat(20_000)}`,
    });
    const expiring = await issueCertificate(intermediate, {
      subject: huge('expiring'),
      notBefore: daysFromNow(-85),
      notAfter: daysFromNow(3),
    });
    expect(expiring.cert.subject.length).toBeGreaterThan(46_000);
    const server = await serve(expiring);
    const target = await watch(server);

    const first = await probeTarget(deps(), target);
    expect(first.result.status).toBe('critical');
    expect(first.result.subject?.length).toBeLessThanOrEqual(LIMITS.name);
    expect(first.result.subject).toMatch(/…\[\+\d+ chars\]$/);
    expect(first.result.issuer?.length).toBeLessThanOrEqual(LIMITS.name);
    const stored = await store.getTarget(target.id);
    expect(stored?.state?.result.fingerprint256).toBe(first.result.fingerprint256);
    expect(await itemBytes(target.id)).toBeLessThan(ITEM_LIMIT / 8);
    expect(publishedNotifications().map((n) => n.event)).toEqual(['entered-window']);

    // The same check delivered again publishes nothing new.
    sns.resetHistory();
    await probeTarget(deps(), target);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

    // Renewed with another hostile certificate: `renewed` goes out, once.
    const renewed = await issueCertificate(intermediate, { subject: huge('renewed'), notAfter: daysFromNow(89) });
    server.setCredentials?.(credentials(renewed));
    await probeTarget(deps(), target);
    await probeTarget(deps(), target);
    expect(publishedNotifications().map((n) => n.event)).toEqual(['renewed']);
    expect((await store.getTarget(target.id))?.state?.result.status).toBe('ok');
  });

  it('keeps 50 of 2,000 subject alternative names, visibly', async () => {
    const sans = ['localhost', '127.0.0.1', ...Array.from({ length: 1998 }, (_, i) => `n${i}.wide.example`)];
    const leaf = await issueCertificate(await issueCertificate(root, { ca: true }), {
      sans,
      notBefore: daysFromNow(-85),
      notAfter: daysFromNow(2),
    });
    const target = await watch(await serve(leaf));
    const outcome = await probeTarget(deps(), target);
    expect(outcome.result.sans).toHaveLength(LIMITS.sans + 1);
    expect(outcome.result.sans.at(-1)).toBe(`…(+${2000 - LIMITS.sans} more)`);
    expect(await itemBytes(target.id)).toBeLessThan(ITEM_LIMIT / 8);
    expect(publishedNotifications()).toHaveLength(1);
  });

  it('writes control bytes and bidi overrides as escapes, in the store and in messages', async () => {
    const leaf = await issueCertificate(root, {
      subject: 'CN=evil\u0007\u001b[31mred\u202egnp.exe, O=\u0000null',
      notBefore: daysFromNow(-85),
      notAfter: daysFromNow(2),
    });
    const target = await watch(await serve(leaf));
    await probeTarget(deps(), target);
    const stored = await store.getTarget(target.id);
    const subject = stored?.state?.result.subject ?? '';
    expect(subject).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    const [notification] = publishedNotifications();
    expect(notification?.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(JSON.stringify(slackMessage(notification as Notification))).not.toMatch(/\\u001b|\\u202e/);
  });

  it('keeps a long chain of long names small: at most 10 chain entries', async () => {
    let issuer = root;
    for (let i = 0; i < 14; i++) {
      issuer = await issueCertificate(issuer, { ca: true, subject: `CN=level ${i}, O=${'z'.repeat(2000)}` });
    }
    const leaf = await issueCertificate(issuer, { notBefore: daysFromNow(-85), notAfter: daysFromNow(2) });
    const target = await watch(await serve(leaf));
    const outcome = await probeTarget(deps(), target);
    expect(outcome.result.fingerprint256).not.toBeNull();
    expect(outcome.result.chain.length).toBeLessThanOrEqual(LIMITS.chain);
    for (const entry of outcome.result.chain) expect(entry.subject.length).toBeLessThanOrEqual(LIMITS.name);
    expect(await itemBytes(target.id)).toBeLessThan(ITEM_LIMIT / 8);
    expect(publishedNotifications()).toHaveLength(1);
  });
});
