// The inventory step of a probe run: when a location's certificate changed, or the location's
// verdict on it (refused: untrusted, the wrong name; or accepted), record it on the certificate
// items (idempotent, so repeated and concurrent runs agree), link replacements, and
// propose the rollout events this run may announce. Each rollout event is then claimed on the
// replaced certificate's item in the same transaction that records the check: exactly once
// across every target that serves the certificate.
import { diffLocations, locationsOf, refusalOf, verdictChanges } from '../inventory/locations.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { eventId, type MonitorEvent, type Transition } from '../policy/events.ts';
import { renewalWindows } from '../policy/renewal-policy.ts';
import {
  type CertificateItem,
  type CertificateStore,
  locationKey,
  rolloutOf,
  splitLocation,
} from '../store/certificate-store.ts';
import type { StoredTarget } from '../store/stored-target.ts';
import type { TargetStore } from '../store/target-store.ts';
import { boundText } from '../text-bounds.ts';

/** A rollout event and the conditional write that makes this run its only announcer. */
export interface RolloutClaim {
  event: MonitorEvent;
  input: ReturnType<CertificateStore['claimInput']>;
}

const DAY_MS = 86_400_000;

export async function trackLocations(
  deps: { certificates: CertificateStore; targets: TargetStore; rolloutStallMs: number },
  stored: StoredTarget,
  result: CheckResult,
  transition: Transition,
  now: Date,
): Promise<RolloutClaim[]> {
  const after = locationsOf(result);
  // A failed check moves nothing: the inventory keeps what the last successful one saw.
  if (!after) {
    transition.state.locations = stored.state?.locations;
    return [];
  }
  transition.state.locations = after;
  const claims: RolloutClaim[] = [];
  const entryOf = (fingerprint: string) => result.certificates.find((c) => c.fingerprint256 === fingerprint);
  const slim: CheckResult = { ...result, sans: [], chain: [], certificates: [] };
  const make = (
    kind: 'rollout-complete' | 'rollout-stalled',
    severity: MonitorEvent['severity'],
    item: CertificateItem,
    extra: Partial<MonitorEvent>,
  ): RolloutClaim => {
    const key = `${kind}:${item.fingerprint256}`;
    return {
      event: {
        id: eventId(result.target, key),
        key,
        event: kind,
        severity,
        target: result.target,
        // On the clock the rollout is measured with (rolloutSince).
        occurredAt: now.toISOString(),
        result: slim,
        rollout: rolloutOf(item),
        replaced: { fingerprint256: item.fingerprint256, subject: item.subject, notAfter: item.notAfter },
        ...extra,
      },
      input: deps.certificates.claimInput(
        item.fingerprint256,
        kind === 'rollout-complete' ? 'complete' : 'stalled',
        eventId(result.target, key),
      ),
    };
  };

  for (const change of diffLocations(stored.state?.locations, after)) {
    const location = locationKey(result.target, change.where);
    if (change.added) {
      const entry = entryOf(change.added.fingerprint256);
      if (!entry?.fingerprint256) continue;
      const replaced = diffReplaced(change.where, change.added.fingerprint256);
      await deps.certificates.addLocation(
        { ...entry, fingerprint256: entry.fingerprint256 },
        location,
        now,
        replaced,
        refusalOf(result, change.added),
      );
    }
    if (change.removed) {
      const item = await deps.certificates.removeLocation(
        change.removed.fingerprint256,
        location,
        now,
        change.replacedBy?.fingerprint256,
      );
      if (!item) continue;
      const rollout = rolloutOf(item);
      for (const e of transition.events) {
        if (e.event === 'renewed' && e.previous?.fingerprint256 === item.fingerprint256 && rollout) e.rollout = rollout;
      }
      // A rollout that started and ended in this one check is news already: `renewed` says it.
      const sameRun = item.rolloutSince === now.toISOString();
      if (item.replacedBy && (item.locs?.size ?? 0) === 0 && !item.announcedComplete && !sameRun) {
        // Ends the `rollout-stalled` announced for it (by whichever target saw the stall).
        claims.push(
          make('rollout-complete', 'info', item, item.announcedStalled ? { resolves: [item.announcedStalled] } : {}),
        );
      }
      // The rollout just started: tell the other targets still serving the old certificate.
      if (change.replacedBy && item.rolloutSince === now.toISOString()) {
        const others = new Set([...(item.locs ?? [])].map((l) => splitLocation(l).target));
        others.delete(result.target);
        for (const other of others) await deps.targets.addRolloutHint(other, item.fingerprint256, item.rolloutSince);
      }
    }
  }

  // A certificate that stayed and is judged otherwise there now (trusted since a CA was added,
  // refused since its name or chain changed): the inventory's verdict follows.
  for (const { where, located } of verdictChanges(stored.state?.locations, after)) {
    await deps.certificates.setVerdict(
      located.fingerprint256,
      locationKey(result.target, where),
      now,
      refusalOf(result, located),
    );
  }

  // A rollout that did not reach this target in time: announce it once, from whichever target sees it.
  const served = new Set(Object.values(after).flatMap((list) => list.map((c) => c.fingerprint256)));
  for (const hint of stored.rolloutHints ?? []) {
    const [fingerprint = '', since = ''] = hint.split(' ');
    if (!served.has(fingerprint) || now.getTime() - Date.parse(since) < deps.rolloutStallMs) continue;
    const item = await deps.certificates.get(fingerprint);
    if (!item || item.announcedStalled || !item.replacedBy || (item.locs?.size ?? 0) === 0) continue;
    const left = item.notAfter ? Date.parse(item.notAfter) - now.getTime() : Number.POSITIVE_INFINITY;
    const critical = left <= renewalWindows(item.lifetimeDays ?? 90).critDays * DAY_MS;
    claims.push(
      make('rollout-stalled', critical ? 'critical' : 'warning', item, {
        stillAt: [...(item.locs ?? [])].slice(0, 20).map((l) => {
          const { target, where } = splitLocation(l);
          return boundText(`${target} ${where}`, 300);
        }),
      }),
    );
  }
  return claims;

  /** The certificate that `fingerprint` replaced at `where` in this run, if any. */
  function diffReplaced(where: string, fingerprint: string): string | undefined {
    const before = stored.state?.locations?.[where] ?? [];
    const entry = entryOf(fingerprint);
    return before.find(
      (c) =>
        c.fingerprint256 !== fingerprint &&
        c.namesKey !== null &&
        c.namesKey === entry?.namesKey &&
        c.notAfter !== null &&
        entry?.notAfter != null &&
        entry.notAfter > c.notAfter &&
        !(after?.[where] ?? []).some((n) => n.fingerprint256 === c.fingerprint256),
    )?.fingerprint256;
  }
}
