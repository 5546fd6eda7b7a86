// One discovery run: every finder in every configured region of every account (this one, and
// those reached through read-only roles), a few scopes at a time. A scope that fails (access
// denied, an opt-in region not enabled, throttling that does not let up) is reported and does
// not stop the others; only scopes listed completely can say that a resource has gone.
import { mapWithConcurrency } from '../concurrency.ts';
import type { AccountRoles } from '../sources/aws/account-roles.ts';
import { clientFor } from '../sources/aws/clients.ts';
import type { DiscoveredResource, Finder, FinderContext } from '../sources/aws/kind-module.ts';
import { boundText } from '../text-bounds.ts';
import type { DiscoveryProblem, DiscoveryScope, Skipped } from './discovery-types.ts';
import { FINDERS } from './finders/index.ts';

/** A resource found, with where. */
export interface FoundResource extends DiscoveredResource {
  account: string;
  region: string;
}

export interface DiscoveryRun {
  resources: FoundResource[];
  /** Scopes listed completely. */
  listed: DiscoveryScope[];
  problems: DiscoveryProblem[];
  skipped: Skipped;
}

export interface DiscoveryOptions {
  /** Regions to look in (IAM and CloudFront are global and looked at once per account). */
  regions: readonly string[];
  /** The account certvigil runs in (its own credentials). */
  homeAccount: string;
  /** Other accounts, through their read-only roles. */
  roles?: AccountRoles | undefined;
  /** Tag that opts secrets and parameters in. */
  sourceTag: string;
  partition?: string | undefined;
  finders?: readonly Finder[] | undefined;
  /** Scopes listed at once. */
  concurrency?: number | undefined;
  /** Waits between retries of a throttled call (tests pass a fast one). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Whether a target string is not watched yet (default: every one is new). */
  isNew?: ((target: string) => boolean) | undefined;
  /** Makes the clients (default: cached clients, the account's role assumed for other accounts). */
  makeClient?: typeof clientFor | undefined;
}

/** Most resources one scope may add in one run: bounded whatever an account holds. */
export const MAX_RESOURCES_PER_SCOPE = 5_000;
/** Tries of a call AWS keeps throttling (the SDK's own retries come first). */
const THROTTLE_ATTEMPTS = 4;

const THROTTLED =
  /^(Throttling|ThrottlingException|ThrottledException|TooManyRequestsException|RequestLimitExceeded|RequestThrottled|RequestThrottledException|SlowDown|RateExceeded|PriorRequestNotComplete)$/;
const DENIED = /AccessDenied|UnauthorizedOperation|AuthorizationError|NotAuthorized|Forbidden/i;
const DISABLED = /^(UnrecognizedClientException|InvalidClientTokenId|OptInRequired|AuthFailure)$/;

export class DiscoveryThrottled extends Error {
  override name = 'DiscoveryThrottled';
}

export async function discover(options: DiscoveryOptions): Promise<DiscoveryRun> {
  const partition = options.partition ?? 'aws';
  const finders = options.finders ?? FINDERS;
  const makeClient = options.makeClient ?? clientFor;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const accounts: { account: string; role: string | undefined }[] = [
    { account: options.homeAccount, role: undefined },
    ...[...(options.roles ?? new Map<string, string>())]
      .filter(([account]) => account !== options.homeAccount)
      .map(([account, role]) => ({ account, role })),
  ];
  const globalRegion = partition === 'aws' ? 'us-east-1' : (options.regions[0] ?? 'us-east-1');
  const jobs: { finder: Finder; account: string; role: string | undefined; region: string; clientRegion: string }[] =
    [];
  for (const { account, role } of accounts) {
    for (const finder of finders) {
      if (finder.global) jobs.push({ finder, account, role, region: 'global', clientRegion: globalRegion });
      else for (const region of options.regions) jobs.push({ finder, account, role, region, clientRegion: region });
    }
  }
  const run: DiscoveryRun = { resources: [], listed: [], problems: [], skipped: {} };
  await mapWithConcurrency(jobs, options.concurrency ?? 4, async (job) => {
    const scope: DiscoveryScope = { account: job.account, region: job.region, service: job.finder.service };
    const skipped: Skipped = {};
    let partial = false;
    const context: FinderContext = {
      account: job.account,
      region: job.clientRegion,
      partition,
      home: job.account === options.homeAccount,
      sourceTag: options.sourceTag,
      client: (Client) => makeClient(Client, job.clientRegion, job.role),
      call: (what, fn) => retryThrottled(what, fn, sleep),
      isNew: options.isNew ?? (() => true),
      skip: (reason) => {
        skipped[reason] = (skipped[reason] ?? 0) + 1;
      },
      partial: (reason) => {
        partial = true;
        skipped[reason] = (skipped[reason] ?? 0) + 1;
      },
    };
    try {
      const found = await job.finder.find(context);
      if (found.length > MAX_RESOURCES_PER_SCOPE) {
        run.problems.push({
          ...scope,
          kind: 'error',
          message: `found ${found.length} resources; only the first ${MAX_RESOURCES_PER_SCOPE} are enrolled`,
        });
      } else if (!partial) {
        run.listed.push(scope);
      }
      for (const resource of found.slice(0, MAX_RESOURCES_PER_SCOPE)) {
        run.resources.push({ ...resource, account: job.account, region: job.region });
      }
      for (const [reason, count] of Object.entries(skipped)) run.skipped[reason] = (run.skipped[reason] ?? 0) + count;
    } catch (error) {
      run.problems.push({ ...scope, ...classify(error) });
    }
  });
  return run;
}

/** Calls `fn`, waiting and trying again while AWS throttles it. */
async function retryThrottled<T>(what: string, fn: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (!THROTTLED.test(name)) throw Object.assign(error as object, { during: what });
      if (attempt >= THROTTLE_ATTEMPTS) {
        throw new DiscoveryThrottled(`${what} was still throttled after ${attempt} tries`);
      }
      await sleep(Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

/** Why a scope could not be listed, in words a person can act on; never more than AWS said. */
function classify(error: unknown): Pick<DiscoveryProblem, 'kind' | 'message'> {
  const e = error as { name?: string; message?: string; during?: string };
  const name = e.name ?? 'Error';
  const what = e.during ? `${e.during}: ` : '';
  const said = boundText(`${what}${name}: ${e.message ?? ''}`, 400);
  if (error instanceof DiscoveryThrottled) return { kind: 'throttled', message: boundText(e.message ?? '', 400) };
  if (DISABLED.test(name)) {
    return { kind: 'region-disabled', message: `${said} (is the region enabled for this account?)` };
  }
  if (DENIED.test(name)) return { kind: 'access-denied', message: said };
  return { kind: 'error', message: said };
}
