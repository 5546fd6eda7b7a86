// One CT provider page read in a fresh process (spawned by bench/ct-pages.ts): prints JSON with
// the peak memory above the process's baseline, CPU and wall time, and what the page gave.
import { readFileSync } from 'node:fs';
import { TrustStore } from '../lib/certificate/trust-store.ts';
import { certSpotterProvider } from '../lib/discovery/ct/certspotter.ts';
import { crtShProvider } from '../lib/discovery/ct/crtsh.ts';
import { DEFAULT_TIMEOUTS } from '../lib/net/timeouts.ts';

const [providerName = 'certspotter', baseUrl = '', rootFile = ''] = process.argv.slice(2);
const reach = { trust: new TrustStore([readFileSync(rootFile, 'utf8')]), timeouts: DEFAULT_TIMEOUTS };
const provider =
  providerName === 'crtsh' ? crtShProvider({ reach, baseUrl }) : certSpotterProvider({ reach, baseUrl, token: 't' });
// Warm up on a tiny answer (modules, TLS), so that the baseline holds what every run holds.
await provider.page('warm.example', null, AbortSignal.timeout(60_000)).catch(() => undefined);
global.gc?.();
const baseline = process.memoryUsage().rss;
const cpu = process.cpuUsage();
const started = performance.now();
let outcome: string;
try {
  const page = await provider.page('example.com', null, AbortSignal.timeout(240_000));
  outcome = `${page.issuances.length} issuances${page.cut ? ' (cut)' : ''}`;
} catch (error) {
  outcome = `refused: ${(error as Error).message.slice(0, 90)}`;
}
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    peakAboveBaselineMiB: Math.max(0, process.resourceUsage().maxRSS * 1024 - baseline) / 1024 / 1024,
    baselineMiB: baseline / 1024 / 1024,
    cpuMs: (used.user + used.system) / 1000,
    wallMs: performance.now() - started,
    outcome,
  }),
);
