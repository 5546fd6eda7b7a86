// Child process of probe-duration.ts: loads the real probe handler (cold start included) and
// runs it N times for one target, printing the durations as JSON.
const [targetJson = '{}', runsText = '30'] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import('../lambdas/probe.ts');
const loadMs = performance.now() - started;
const target = JSON.parse(targetJson);
const durations: number[] = [];
for (let i = 0; i < Number(runsText); i++) {
  const t = performance.now();
  const result = (await handler({ target, roundId: 'bench' })) as { ok: boolean; status?: string };
  durations.push(performance.now() - t);
  if (!result.ok || result.status !== 'ok') throw new Error(`unexpected probe result ${JSON.stringify(result)}`);
}
process.stdout.write(`${JSON.stringify({ loadMs, durations, peakRssKiB: process.resourceUsage().maxRSS })}\n`);
