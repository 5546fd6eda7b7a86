// Certificate Transparency discovery as local mode runs it (POST /discover with --ct-domain).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CtEnrolMode, CtProviderName } from '../discovery/ct/ct-options.ts';
import { DEFAULT_TIMEOUTS } from '../net/timeouts.ts';
import { CertificateStore } from '../store/certificate-store.ts';
import { CtStateStore } from '../store/ct-state-store.ts';

export interface LocalCtOptions {
  domains: string[];
  issuers?: string[] | undefined;
  provider?: CtProviderName | undefined;
  enrol?: CtEnrolMode | undefined;
  /** Targets enrolled and announcements made per domain and run (default CT_MAX_PER_RUN.default). */
  maxPerRun?: number | undefined;
  /** A Cert Spotter API token (from CT_API_TOKEN; never printed). */
  token?: string | undefined;
  /** Another address of the provider's API (a mirror, or a stand-in). */
  baseUrl?: string | undefined;
}

/** CT discovery as local mode runs it: the machine's trust (NODE_EXTRA_CA_CERTS), positions in its own table. */
export async function localCt(ct: LocalCtOptions, doc: DynamoDBDocumentClient, table: string) {
  const { ctProviderFor } = await import('../discovery/ct/providers.ts');
  const { defaultTrustStore } = await import('../certificate/trust-store.ts');
  return {
    settings: { domains: ct.domains, issuers: ct.issuers, enrol: ct.enrol, maxPerRun: ct.maxPerRun },
    provider: ctProviderFor(ct.provider ?? 'certspotter', {
      reach: { trust: defaultTrustStore(), timeouts: DEFAULT_TIMEOUTS },
      token: ct.token,
      baseUrl: ct.baseUrl,
    }),
    state: new CtStateStore(doc, table),
    certificates: new CertificateStore(doc, table),
  };
}
