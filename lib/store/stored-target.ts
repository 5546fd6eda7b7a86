// The shapes of the targets table's items: a target as stored (its settings, the monitor's state,
// the outbox's pending and sent events, discovery's mark), what a check writes, a page of due targets.
import type { Acknowledgements } from '../policy/acknowledgements.ts';
import type { MonitorState } from '../policy/events.ts';
import type { Target } from '../targets/target-schema.ts';
import type { PendingEvent } from './outbox.ts';

export type { PendingEvent };

/** A target as stored: its settings plus what the monitor keeps about it. */
export interface StoredTarget extends Target {
  createdAt: string;
  updatedAt: string;
  /** Epoch milliseconds from which the target is due for its next check. */
  nextCheckAt: number;
  /** Bumped by every monitor write; conditional writes compare it. */
  version: number;
  state?: MonitorState | undefined;
  pending: Record<string, PendingEvent>;
  /** Keys of events already published, with when (bounded; the oldest are dropped). */
  sent: Record<string, string>;
  /** `fingerprint since`: a certificate this target served has a replacement rolling out. */
  rolloutHints?: Set<string> | undefined;
  /** Targets enrolled by discovery: where from, and whether the resource has gone. */
  discovery?: DiscoveryMark | undefined;
  /** What the summary counts the target as (summary-store.ts, encoded facts); absent: not counted yet. */
  counted?: string | undefined;
  /** Acknowledgements and snoozes of its open events, by condition key (target-acks.ts). */
  acks?: Acknowledgements | undefined;
}

/** What discovery keeps on a target it enrolled (not a setting: edits never touch it). */
export interface DiscoveryMark {
  service: string;
  resource: string;
  account: string;
  region: string;
  firstSeenAt: string;
  /** Set once when the resource is no longer found; removed if it comes back. */
  vanishedAt?: string | undefined;
  /** Whether the target was enabled when discovery disabled it (restored if the resource returns). */
  enabledBefore?: boolean | undefined;
}

/** What a check writes to its target's item. */
export interface CheckUpdate {
  state: MonitorState;
  pending: Record<string, PendingEvent>;
  nextCheckAt: number;
  /** Due sooner than a full round comes by: listed in the due-soon index. */
  soon?: boolean | undefined;
  /**
   * The item as the check read it, for the summary: what it was counted as, and the settings its
   * facts take (kind, owner). The write holds only if `counted` is still that.
   */
  before?: Pick<StoredTarget, 'counted' | 'kind' | 'owner'> | undefined;
}

/** A page of due targets from one scan segment, and where the next page starts. */
export interface DuePage {
  targets: Target[];
  nextKey: Record<string, unknown> | undefined;
  /** Items DynamoDB read for the page, due or not. */
  scanned: number;
}
