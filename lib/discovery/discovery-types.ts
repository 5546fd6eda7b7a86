// What discovery finds and what it could not see. A *finder* lists one kind of AWS resource in
// one account and region; discovery runs every finder everywhere it is configured to look.

import type { PublishDependencies } from '../store/outbox.ts';
import type { TargetStore } from '../store/target-store.ts';

/** What discovery writes through: the targets it enrols and marks, and the outbox of their events. */
export type DiscoveryDependencies = Omit<PublishDependencies, 'targets'> & { targets: TargetStore };

/** How long POST /discover waits for a run before it answers 202 (the run goes on). */
export const DISCOVERY_WAIT_MS = 45_000;

/** The tag that opts secrets and parameters in, unless a deployment names another. */
export const DEFAULT_SOURCE_TAG = 'certvigil';

/** The AWS services discovery lists (one finder each). */
export const DISCOVERY_SERVICES = [
  'acm',
  'iam',
  'secretsmanager',
  'ssm',
  'cloudfront',
  'elbv2',
  'apigateway',
  'apigatewayv2',
  'appsync',
  'iam-saml',
  'cognito',
  'iot',
  'rds',
  'apigw-client-cert',
  'elb-truststore',
  'acm-pca',
  'iot-device',
] as const;
export type DiscoveryService = (typeof DISCOVERY_SERVICES)[number];

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

/** Where a finder looked: one service in one account and region (`global` for IAM and CloudFront). */
export interface DiscoveryScope {
  account: string;
  region: string;
  service: DiscoveryService;
}

/** A scope discovery could not list (or list completely), and why. */
export interface DiscoveryProblem extends DiscoveryScope {
  /** `access-denied`: the role lacks a permission; `region-disabled`: an opt-in region not enabled. */
  kind: 'access-denied' | 'region-disabled' | 'throttled' | 'error';
  message: string;
}

/** A resource passed over, counted by reason (wildcard aliases, internal load balancers…). */
export type Skipped = Record<string, number>;

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

export interface Finder {
  service: DiscoveryService;
  /** Listed once per account (IAM, CloudFront), from us-east-1, rather than per region. */
  global?: boolean;
  find(context: FinderContext): Promise<DiscoveredResource[]>;
}

/** Discovery cannot run here (no AWS credentials, no region): the message says what to do. */
export class DiscoveryUnavailable extends Error {
  override name = 'DiscoveryUnavailable';
}
