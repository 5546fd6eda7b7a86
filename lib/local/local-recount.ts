// Local mode's recount, as deployed (the dispatcher's daily schedule): at start (a data directory
// from an earlier release gets its counts, and its targets and certificates their list keys) and
// daily; one at a time, and awaited when local mode stops.
import type { CertificateStore } from '../store/certificate-store.ts';
import { recountSummary } from '../store/summary-recount.ts';
import type { TargetStore } from '../store/target-store.ts';
import { boundText } from '../text-bounds.ts';

/** How often local mode recounts (as deployed: daily), besides at start. */
const RECOUNT_MS = 24 * 60 * 60 * 1000;

export function startRecounts(options: {
  targets: TargetStore;
  certificates: CertificateStore | undefined;
  print: (text: string) => void;
}): { stop: () => Promise<void> } {
  let stopping = false;
  let recounting: Promise<void> | undefined;
  const recount = () => {
    const summary = options.targets.summary;
    if (!summary || recounting || stopping) return;
    recounting = (async () => {
      const r = await recountSummary(options.targets, summary);
      if (r.drift > 0 || r.itemsRepaired > 0)
        options.print(`summary recount: ${r.itemsRepaired} targets listed again, ${r.drift} of drift repaired\n`);
      const relisted = options.certificates ? await options.certificates.lists.relist() : 0;
      if (relisted > 0) options.print(`summary recount: ${relisted} certificates listed again\n`);
    })()
      .catch((error: Error) => {
        if (!stopping) options.print(`summary recount failed: ${boundText(error.message, 500)}\n`);
      })
      .finally(() => {
        recounting = undefined;
      });
  };
  recount();
  const timer = setInterval(recount, RECOUNT_MS);
  timer.unref();
  return {
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await recounting;
    },
  };
}
