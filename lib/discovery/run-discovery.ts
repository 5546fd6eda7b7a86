// Discovery from start to end: who we are, what the account holds, and the targets it becomes.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AccountRoles } from '../sources/aws/account-roles.ts';
import type { Finder } from '../sources/aws/kind-module.ts';
import type { CertificateStore } from '../store/certificate-store.ts';
import type { CtStateStore } from '../store/ct-state-store.ts';
import { parseTarget } from '../targets/parse-target.ts';
import { boundText } from '../text-bounds.ts';
import type { CtProvider } from './ct/ct-provider.ts';
import { type CtSettings, watchCertificateTransparency } from './ct/ct-watch.ts';
import { type DiscoveryOptions, discover } from './discover.ts';
import { type DiscoveryDependencies, DiscoveryUnavailable } from './discovery-types.ts';
import { type DiscoverySummary, enrolDiscovered } from './enrol.ts';

export interface DiscoverySettings {
  /** Regions to look in; empty: the SDK's default region. */
  regions: readonly string[];
  /** This account; looked up with STS when absent (local mode). */
  homeAccount?: string | undefined;
  roles?: AccountRoles | undefined;
  sourceTag: string;
  finders?: readonly Finder[] | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  makeClient?: DiscoveryOptions['makeClient'];
  partition?: string | undefined;
  /** Certificate Transparency discovery, after the account's (when domains are watched). */
  ct?:
    | {
        settings: CtSettings;
        provider: CtProvider;
        state: CtStateStore;
        /** The certificate inventory (certificates served somewhere certvigil checks). */
        certificates?: CertificateStore | undefined;
        signal?: AbortSignal;
      }
    | undefined;
}

export async function runDiscovery(
  deps: DiscoveryDependencies & { now?: (() => Date) | undefined },
  settings: DiscoverySettings,
): Promise<DiscoverySummary> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  let summary: DiscoverySummary;
  try {
    summary = await discoverAccount(deps, settings, now, startedAt);
  } catch (error) {
    // Without AWS credentials (local mode), CT discovery still runs: it needs none.
    if (!(error instanceof DiscoveryUnavailable) || !settings.ct) throw error;
    summary = await enrolDiscovered(
      deps,
      { resources: [], listed: [], problems: [], skipped: {} },
      { now, startedAt, existing: [] },
    );
    summary.accountUnavailable = error.message;
  }
  if (settings.ct) {
    summary.ct = await watchCertificateTransparency(
      { ...deps, ctState: settings.ct.state, certificates: settings.ct.certificates },
      settings.ct.provider,
      settings.ct.settings,
      {
        now,
        signal: settings.ct.signal
          ? AbortSignal.any([settings.ct.signal, AbortSignal.timeout(CT_TIME_BUDGET_MS)])
          : AbortSignal.timeout(CT_TIME_BUDGET_MS),
        ...(settings.sleep ? { sleep: settings.sleep } : {}),
      },
    );
    summary.finishedAt = now().toISOString();
  }
  return summary;
}

/** Time CT discovery may take in one run (the discovery function has ten minutes in all). */
const CT_TIME_BUDGET_MS = 4 * 60_000;

/** The account's own resources: who we are, what it holds, and the targets it becomes. */
async function discoverAccount(
  deps: DiscoveryDependencies,
  settings: DiscoverySettings,
  now: () => Date,
  startedAt: Date,
): Promise<DiscoverySummary> {
  const regions = settings.regions.length ? settings.regions : [await defaultRegion()];
  const identity = settings.homeAccount
    ? { account: settings.homeAccount, partition: settings.partition }
    : await callerIdentity(regions[0]);
  // What is watched already: its tags are not needed (discovery never changes an existing target).
  const existing = await deps.targets.scans.all(['id', 'discovery']);
  const ids = new Set(existing.map((t) => t.id));
  const isNew = (target: string) => {
    try {
      return !ids.has(parseTarget(target).id);
    } catch {
      return true; // not a valid target: enrolment says why
    }
  };
  const run = await discover({
    isNew,
    regions,
    homeAccount: identity.account,
    roles: settings.roles,
    sourceTag: settings.sourceTag,
    partition: identity.partition,
    finders: settings.finders,
    sleep: settings.sleep,
    makeClient: settings.makeClient,
  });
  return enrolDiscovered(deps, run, { now, startedAt, existing });
}

/** The account (and partition) of the credentials in use; a clear error when there are none. */
export async function callerIdentity(region?: string): Promise<{ account: string; partition: string }> {
  try {
    const answer = await new STSClient(region ? { region } : {}).send(new GetCallerIdentityCommand({}));
    const account = answer.Account ?? '';
    if (!/^\d{12}$/.test(account)) throw new Error('STS named no account');
    return { account, partition: answer.Arn?.split(':')[1] ?? 'aws' };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    throw new DiscoveryUnavailable(
      `discovery needs AWS credentials and could not use any (${boundText(`${e.name ?? 'Error'}: ${e.message ?? ''}`, 300)}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_REGION), or run discovery in the deployed stack.`,
    );
  }
}

async function defaultRegion(): Promise<string> {
  const region = await new STSClient({}).config.region().catch(() => undefined);
  if (!region) {
    throw new DiscoveryUnavailable(
      'discovery needs a region: set AWS_REGION or pass --region (comma-separated for several)',
    );
  }
  return region;
}
