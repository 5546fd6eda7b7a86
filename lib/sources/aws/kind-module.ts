// The contract of an AWS kind's module: one file per kind in this folder (acm.ts, iot-ca.ts, …),
// named by the kind, exporting
//   read        the reader of its targets' certificates (the account function, `check`, local mode);
//   grants      the IAM statements `read` needs;
//   finder      what discovery lists of the kind (when it has one), and findGrants, the IAM it needs.
// Each is a separate export so a function's bundle keeps only the parts it runs (registry.ts).
// infra builds the account, discovery and member-role policies from the grants: the IAM actions
// live with the code that calls them. Endpoint finders that are not a kind (CloudFront, ELB,
// API Gateway, AppSync: lib/discovery/finders) export `finder` and `findGrants` the same way.
import type { SourceReader } from '../check-source.ts';

/**
 * One IAM statement, written without CDK so no function bundles it. In resources and conditions
 * `{partition}`, `{account}` and `{sourceTag}` stand for the deployment's values. Statements of
 * several kinds with the same sid are one statement: their actions and resources joined (their
 * conditions must then agree).
 */
export interface Grant {
  sid: string;
  actions: readonly string[];
  resources: readonly string[];
  conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  /** Why a wildcard in its resources is as narrow as IAM allows: the cdk-nag acknowledgement. */
  why: string;
}

/** The parts of an AWS kind's module (the module's exports). */
export interface AwsKindModule {
  read: SourceReader;
  grants: readonly Grant[];
  finder?: Finder;
  findGrants?: readonly Grant[];
}

/** The name of what a finder lists (`acm`, `cloudfront`, …), as discovery's problems and counts say it. */
export type DiscoveryService = string;

/** One resource found, as the target it becomes. */
export interface DiscoveredResource {
  /** The target string (`acm:arn:…`, `www.example.com:443`, …). */
  target: string;
  /** The name to send in SNI when it is not the target's host (a load balancer's DNS name). */
  servername?: string | undefined;
  service: DiscoveryService;
  /** The resource's ARN or identifier: what the note names and what vanishing is judged by. */
  resource: string;
  /** The resource's tags (owner and tags of the target come from them). */
  tags: Record<string, string>;
}

/** What a finder is given: AWS clients for its account and region, and the settings. */
export interface FinderContext {
  account: string;
  region: string;
  partition: string;
  /** Whether `account` is the account certvigil runs in (ids then need no account). */
  home: boolean;
  /** Makes a client of one service for this account and region. */
  client<T>(Client: new (config: { region?: string }) => T): T;
  /** Tag that opts secrets and parameters in (the `awsSourceTag` setting). */
  sourceTag: string;
  /** Retries a call while AWS throttles it. */
  call<T>(what: string, fn: () => Promise<T>): Promise<T>;
  skip(reason: string): void;
  /**
   * The finder read only part of the scope (a bound it keeps): what it found is enrolled, but the
   * scope does not count as listed, so nothing missing from it is taken as gone. The reason is
   * counted with the skipped resources.
   */
  partial(reason: string): void;
  /**
   * Whether a target is new (not watched yet). Tags only matter for new targets (discovery never
   * changes an existing one), so finders read tags for those alone: a daily run over an
   * unchanged account makes a few list calls, not one tag call per resource.
   */
  isNew(target: string): boolean;
}

/** Lists one kind of resource in one account and region, for discovery. */
export interface Finder {
  service: DiscoveryService;
  /** Listed once per account (IAM, CloudFront), from us-east-1, rather than per region. */
  global?: boolean;
  find(context: FinderContext): Promise<DiscoveredResource[]>;
}
