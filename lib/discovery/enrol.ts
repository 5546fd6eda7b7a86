// Turns a discovery run into targets: creates the ones not watched yet (tag `discovered`, owner
// and tags from the resource's tags), never touches a target that exists (a person's edits
// survive), marks a discovered target whose resource has gone (once, with one event) and
// un-marks it if the resource comes back. A scope that could not be listed says nothing about
// its resources' absence.

import type { CheckResult } from '../policy/check-result.ts';
import { eventId, type MonitorEvent } from '../policy/events.ts';
import { openEventIds } from '../policy/transitions.ts';
import { resultWithoutCertificate } from '../sources/document-result.ts';
import { publishPending } from '../store/outbox.ts';
import type { DiscoveryMark, StoredTarget } from '../store/stored-target.ts';
import { normalizeTarget, type Target, TargetValidationError } from '../targets/target-schema.ts';
import { boundText } from '../text-bounds.ts';
import type { CtDomainSummary } from './ct/ct-watch.ts';
import type { DiscoveryRun, FoundResource } from './discover.ts';
import type { DiscoveryDependencies, DiscoveryProblem, DiscoveryScope, Skipped } from './discovery-types.ts';

/** The tag every discovered target carries. */

export const DISCOVERED_TAG = 'discovered';
/** Most of a resource's own tags copied onto its target (target tags are at most 50). */
const MAX_COPIED_TAGS = 20;
/** Most ids listed per kind in a summary (counts are always complete). */
const MAX_LISTED = 100;

/** What POST /discover answers: the run's summary, or that it goes on past the wait. */
export type DiscoverAnswer = { done: true; summary: DiscoverySummary } | { done: false; detail: string };

export interface DiscoverySummary {
  startedAt: string;
  finishedAt: string;
  /** Distinct targets found, and how many per service. */
  found: number;
  byService: Record<string, number>;
  /** Targets created now (ids, at most 100 listed). */
  enrolled: number;
  enrolledIds: string[];
  /** Found, but already a target (a person's, or enrolled earlier): left exactly as it is. */
  alreadyWatched: number;
  /** Resources gone since the last discovery: their targets are marked and disabled (reported once); at most 1,000 listed. */
  vanished: string[];
  /** Resources that came back: their targets are enabled again. */
  returned: string[];
  /** Resources that do not make a valid target (a name too long, say), with why. */
  invalid: { target: string; problem: string }[];
  problems: DiscoveryProblem[];
  skipped: Skipped;
  /** Vanished events that could not be published now (they stay pending; the next check sends them). */
  unpublished: number;
  /** Why the account itself could not be listed (no AWS credentials) while CT discovery ran. */
  accountUnavailable?: string | undefined;
  /** Certificate Transparency discovery, per watched domain (absent when no domain is watched). */
  ct?: CtDomainSummary[] | undefined;
}

export interface EnrolOptions {
  now?: () => Date;
  startedAt?: Date;
  /** The targets table's ids and discovery marks, when the caller has just read them. */
  existing?: StoredTarget[] | undefined;
}

export async function enrolDiscovered(
  deps: DiscoveryDependencies,
  run: DiscoveryRun,
  options: EnrolOptions = {},
): Promise<DiscoverySummary> {
  const now = options.now ?? (() => new Date());
  const startedAt = options.startedAt ?? now();
  const summary: DiscoverySummary = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    found: 0,
    byService: {},
    enrolled: 0,
    enrolledIds: [],
    alreadyWatched: 0,
    vanished: [],
    returned: [],
    invalid: [],
    problems: run.problems,
    skipped: run.skipped,
    unpublished: 0,
  };
  // One target per id, the first finder's resource winning (REST and HTTP APIs share domains).
  const wanted = new Map<string, { target: Target; resource: FoundResource }>();
  for (const resource of run.resources) {
    let target: Target;
    try {
      target = normalizeTarget(targetInput(resource));
    } catch (error) {
      if (!(error instanceof TargetValidationError)) throw error;
      if (summary.invalid.length < MAX_LISTED) {
        summary.invalid.push({ target: boundText(resource.target, 300), problem: boundText(error.message, 300) });
      }
      continue;
    }
    if (!wanted.has(target.id)) wanted.set(target.id, { target, resource });
  }
  summary.found = wanted.size;
  for (const { resource } of wanted.values()) {
    summary.byService[resource.service] = (summary.byService[resource.service] ?? 0) + 1;
  }

  const existing = new Map(
    (options.existing ?? (await deps.targets.scans.all(['id', 'discovery']))).map((t) => [t.id, t]),
  );
  for (const [id, { target, resource }] of wanted) {
    const stored = existing.get(id);
    if (stored) {
      if (stored.discovery?.vanishedAt && (await deps.targets.markReturned(id))) listUpTo(summary.returned, id);
      else summary.alreadyWatched++;
      continue;
    }
    const mark: DiscoveryMark = {
      service: resource.service,
      resource: boundText(resource.resource, 2048),
      account: resource.account,
      region: resource.region,
      firstSeenAt: now().toISOString(),
    };
    if (await deps.targets.createDiscovered(target, mark, now())) {
      summary.enrolled++;
      if (summary.enrolledIds.length < MAX_LISTED) summary.enrolledIds.push(id);
    } else {
      summary.alreadyWatched++; // created by someone else between the scan and now
    }
  }

  const listed = new Set(run.listed.map(scopeKey));
  for (const stored of existing.values()) {
    const mark = stored.discovery;
    if (!mark || mark.vanishedAt || wanted.has(stored.id) || !listed.has(scopeKey(mark as DiscoveryScope))) continue;
    const full = await deps.targets.getTarget(stored.id);
    if (!full) continue;
    const at = now().toISOString();
    const event = vanishedEvent(full, mark, at);
    if (!(await deps.targets.markVanished(stored.id, event, at))) continue;
    listUpTo(summary.vanished, stored.id);
    try {
      await publishPending(deps, stored.id, now);
    } catch {
      summary.unpublished++;
    }
  }
  summary.finishedAt = now().toISOString();
  return summary;
}

/** Most ids a summary lists as vanished or returned (it is logged and answered whole). */
const MAX_CHANGED_LISTED = 1_000;

function listUpTo(list: string[], id: string): void {
  if (list.length < MAX_CHANGED_LISTED) list.push(id);
}

function scopeKey(scope: Pick<DiscoveryScope, 'account' | 'region' | 'service'>): string {
  return `${scope.account} ${scope.region} ${scope.service}`;
}

/** The target a resource becomes: its target string, tags `discovered` and the resource's own, its owner. */
export function targetInput(resource: FoundResource): Record<string, unknown> {
  const entries = Object.entries(resource.tags);
  const owner = entries.find(([key]) => key.trim().toLowerCase() === 'owner')?.[1];
  const copied = entries
    .filter(([key]) => !key.startsWith('aws:') && key.trim().toLowerCase() !== 'owner')
    .slice(0, MAX_COPIED_TAGS)
    .map(([key, value]) => tagText(value ? `${key}=${value}` : key))
    .filter((tag) => tag !== '' && tag !== DISCOVERED_TAG);
  return {
    host: resource.target,
    ...(resource.servername ? { servername: resource.servername } : {}),
    tags: [DISCOVERED_TAG, ...copied],
    ...(owner?.trim() ? { owner: boundText(owner.trim(), 200) } : {}),
    notes: boundText(
      `Discovered from ${resource.service} ${resource.resource} (account ${resource.account}, ${resource.region}).`,
      1000,
    ),
  };
}

/** A resource tag as a target tag: no separators or control characters, at most 64 characters. */
function tagText(text: string): string {
  return [...text.replace(/[\s,;|\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, '_')]
    .slice(0, 64)
    .join('');
}

function vanishedEvent(stored: StoredTarget, mark: DiscoveryMark, at: string): MonitorEvent {
  const key = `vanished:${at}`;
  const open = openEventIds(stored.id, stored.state);
  return {
    id: eventId(stored.id, key),
    key,
    event: 'resource-vanished',
    severity: 'warning',
    target: stored.id,
    occurredAt: at,
    result: lastResult(stored, at),
    // Checks stop: whatever the target had open ends here (incident channels resolve it).
    ...(open.length ? { resolves: open } : {}),
    discovery: { service: mark.service, resource: mark.resource, account: mark.account, region: mark.region },
  };
}

/** The target's last result, slimmed as events keep it; a bare one when it was never checked. */
function lastResult(stored: StoredTarget, at: string): CheckResult {
  const last = stored.state?.result;
  if (last) return { ...last, sans: [], chain: [], certificates: [] };
  return resultWithoutCertificate(stored, new Date(at), null);
}
