// What discovery could not see, and what it writes through. A *finder* (sources/aws/kind-module.ts)
// lists one kind of AWS resource in one account and region; discovery runs every finder everywhere
// it is configured to look.

import type { DiscoveryService } from '../sources/aws/kind-module.ts';
import type { PublishDependencies } from '../store/outbox.ts';
import type { TargetStore } from '../store/target-store.ts';

/** What discovery writes through: the targets it enrols and marks, and the outbox of their events. */
export type DiscoveryDependencies = Omit<PublishDependencies, 'targets'> & { targets: TargetStore };

/** How long POST /discover waits for a run before it answers 202 (the run goes on). */
export const DISCOVERY_WAIT_MS = 45_000;

/** The tag that opts secrets and parameters in, unless a deployment names another. */
export const DEFAULT_SOURCE_TAG = 'certvigil';

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

/** Discovery cannot run here (no AWS credentials, no region): the message says what to do. */
export class DiscoveryUnavailable extends Error {
  override name = 'DiscoveryUnavailable';
}
