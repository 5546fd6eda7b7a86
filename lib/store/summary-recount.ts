// The summary's recount: reads every target once (a page at a time), writes again the list keys
// and facts of items whose own state and settings say otherwise (items stored before the index and
// the summary existed, or left wrong), sums the facts, and repairs every counter that differs from
// the sum, but only a counter nobody changed while the recount read: that one is exact, while a
// busy counter is left for the next recount. Runs daily (deployed: the dispatcher's schedule;
// local mode: at start and daily), and reports what it found.
import { listKeys } from './list-keys.ts';
import { countsOf, encodeFacts, factsOf, type RecountRecord, type SummaryStore } from './summary-store.ts';
import type { TargetStore } from './target-store.ts';

/** What the recount reads of each target. */
const RECOUNT_FIELDS = [
  'id',
  'version',
  'kind',
  'owner',
  'state',
  'counted',
  'listStatus',
  'listExpiry',
  'openSeverity',
] as const;

/** Parallel scan segments of a recount: a million targets read in minutes, within the dispatcher's 15. */
export const RECOUNT_SEGMENTS = 4;

export async function recountSummary(
  targets: TargetStore,
  summary: SummaryStore,
  now: () => Date = () => new Date(),
): Promise<RecountRecord> {
  const before = await summary.allCounters();
  const sums = new Map<string, number>();
  let count = 0;
  let itemsRepaired = 0;
  await targets.scans.eachPage(
    RECOUNT_FIELDS,
    async (items) => {
      for (const item of items) {
        count += 1;
        const facts = encodeFacts(factsOf(item));
        const keys = listKeys(item.id, item.state);
        const stored = item as typeof item & { listStatus?: string; listExpiry?: string; openSeverity?: string };
        if (
          item.counted !== facts ||
          stored.listStatus !== keys.listStatus ||
          stored.listExpiry !== keys.listExpiry ||
          stored.openSeverity !== keys.openSeverity
        ) {
          if (await targets.relist(item, facts, keys)) itemsRepaired += 1;
        }
        for (const [key, n] of countsOf(factsOf(item))) sums.set(key, (sums.get(key) ?? 0) + n);
      }
    },
    RECOUNT_SEGMENTS,
  );
  const after = await summary.allCounters();
  let countersRepaired = 0;
  let drift = 0;
  let busy = 0;
  for (const key of new Set([...sums.keys(), ...after.keys()])) {
    const held = after.get(key) ?? 0;
    const truth = sums.get(key) ?? 0;
    if ((before.get(key) ?? 0) !== held) {
      busy += 1; // changed while the recount read: its sum may be off by those changes
      continue;
    }
    if (held === truth) continue;
    if (await summary.repair(key, held, truth)) {
      countersRepaired += 1;
      drift += Math.abs(truth - held);
    } else busy += 1;
  }
  const record: RecountRecord = {
    at: now().toISOString(),
    targets: count,
    itemsRepaired,
    countersRepaired,
    drift,
    busy,
  };
  await summary.recordRecount(record);
  return record;
}
