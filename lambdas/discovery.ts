// Lambda entry of discovery: configuration and clients at cold start.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { defaultTrustStore } from '../lib/certificate/trust-store.ts';
import { discoveryConfig } from '../lib/config.ts';
import { ctProviderFor } from '../lib/discovery/ct/providers.ts';
import { runDiscovery } from '../lib/discovery/run-discovery.ts';
import { DEFAULT_TIMEOUTS } from '../lib/net/timeouts.ts';
import { alertPublisher } from '../lib/notify/alert-publisher.ts';
import { CertificateStore } from '../lib/store/certificate-store.ts';
import { CtStateStore } from '../lib/store/ct-state-store.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { SummaryStore } from '../lib/store/summary-store.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { addressGuard } from '../lib/targets/address-guard.ts';
import { createHandler } from './discovery-handler.ts';

const config = discoveryConfig();
const doc = documentClient(new DynamoDBClient({}));
const targets = new TargetStore(
  doc,
  config.targetsTable,
  config.summaryTable ? new SummaryStore(doc, config.summaryTable) : undefined,
);
const publisher = alertPublisher({
  sns: new SNSClient({}),
  topicArn: config.topicArn,
  eventBus: config.eventBus,
  certificates: config.ct ? new CertificateStore(doc, config.ct.certificatesTable) : undefined,
});
const ct = config.ct;
/** The Cert Spotter API token, read once per container (never logged). */
let token: Promise<string | undefined> | undefined;

export const handler = createHandler(async () => {
  if (ct?.tokenSecret) {
    token ??= new SecretsManagerClient({})
      .send(new GetSecretValueCommand({ SecretId: ct.tokenSecret }))
      .then((s) => s.SecretString?.trim() || undefined)
      .catch((error: unknown) => {
        token = undefined; // a failed read is tried again by the next run, not kept
        throw error;
      });
  }
  return runDiscovery(
    { targets, publisher },
    {
      regions: config.regions,
      homeAccount: config.homeAccount,
      partition: config.partition,
      roles: config.accountRoles,
      sourceTag: config.sourceTag,
      ct: ct && {
        settings: { domains: ct.domains, issuers: ct.issuers, enrol: ct.enrol, maxPerRun: ct.maxPerRun },
        provider: ctProviderFor(ct.provider, {
          // CT search APIs are public services: the same guard as the probes' (no private addresses).
          reach: { trust: defaultTrustStore(), timeouts: DEFAULT_TIMEOUTS, guard: addressGuard(false) },
          token: await token,
        }),
        state: new CtStateStore(doc, ct.certificatesTable),
        certificates: new CertificateStore(doc, ct.certificatesTable),
      },
    },
  );
});
