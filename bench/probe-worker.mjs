// Child process of probe-duration.ts: loads the bundled probe handler (cold start included) and
// runs it N times for one target, printing the durations as JSON.
// Usage: node probe-worker.mjs BUNDLE TARGET_JSON RUNS
import { createRequire } from 'node:module';

const [bundle, targetJson = '{}', runsText = '30'] = process.argv.slice(2);
const started = performance.now();
const { handler } = createRequire(import.meta.url)(bundle);
const loadMs = performance.now() - started;
const target = JSON.parse(targetJson);
const durations = [];
for (let i = 0; i < Number(runsText); i++) {
  const t = performance.now();
  const result = await handler({ target, roundId: 'bench' });
  durations.push(performance.now() - t);
  if (!result.ok || result.status !== 'ok') throw new Error(`unexpected probe result ${JSON.stringify(result)}`);
}
process.stdout.write(`${JSON.stringify({ loadMs, durations, peakRssKiB: process.resourceUsage().maxRSS })}\n`);
