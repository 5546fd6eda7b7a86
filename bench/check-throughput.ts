// How much slower is `certvigil check` than a bare tls.connect loop over the same endpoints?
// Starts N TLS endpoints on loopback (default 200), runs both R times (default 5) as child
// processes at the same concurrency, and prints median wall and CPU times, their ratios, and the
// CLI's peak memory. Usage: npm run bench:check -- [N] [R] [CONCURRENCY]

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChain } from '../test/fixtures/cert-factory.ts';
import { credentials, type RunningServer, startTlsServer } from '../test/fixtures/servers.ts';
import { type NodeRun, runNode } from './node-run.ts';

const [n = 200, rounds = 5, concurrency = 16] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'certvigil-bench-'));
const here = (path: string) => new URL(path, import.meta.url).pathname;

const { root, leaf } = await createChain({ sans: ['127.0.0.1'] });
const servers: RunningServer[] = [];
for (let i = 0; i < n; i++) servers.push(await startTlsServer(credentials(leaf)));
const targets = join(dir, 'targets.txt');
writeFileSync(targets, `${servers.map((s) => `127.0.0.1:${s.port}`).join('\n')}\n`);
const ca = join(dir, 'ca.pem');
writeFileSync(ca, root.certPem);
const usageFile = join(dir, 'usage.json');

type Run = NodeRun;

// The servers live in this process; children are run asynchronously so the servers can answer.
const timed = (args: string[]): Promise<Run> => runNode(args, usageFile);

const cli = [
  here('../bin/certvigil.js'),
  'check',
  '--file',
  targets,
  '--ca',
  ca,
  '--json',
  '--concurrency',
  String(concurrency),
];
const bare = [here('./bare-tls-loop.mjs'), targets, String(concurrency)];
const bareShared = [here('./bare-tls-loop.mjs'), targets, String(concurrency), 'shared'];
// The launcher runs dist/ when it is current, the TypeScript sources otherwise: build it, so the
// bench measures what an installed package runs (a stale dist/ would time type stripping instead).
spawnSync(process.execPath, [here('../scripts/build.js')], { stdio: 'inherit', cwd: here('..') });
const cliRuns: Run[] = [];
const bareRuns: Run[] = [];
const sharedRuns: Run[] = [];
await timed(cli); // warm-up: file cache, JIT of the servers
for (let r = 0; r < rounds; r++) {
  bareRuns.push(await timed(bare));
  sharedRuns.push(await timed(bareShared));
  cliRuns.push(await timed(cli));
}
await Promise.all(servers.map((s) => s.close()));
rmSync(dir, { recursive: true, force: true });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const summary = (runs: Run[]) => ({
  ms: median(runs.map((r) => r.ms)),
  cpuMs: median(runs.map((r) => r.cpuMs)),
  text: `median ${median(runs.map((r) => r.ms)).toFixed(0)} ms (${runs.map((r) => r.ms.toFixed(0)).join(', ')}), CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms`,
});
const checked = summary(cliRuns);
const perConnection = summary(bareRuns);
const oneContext = summary(sharedRuns);
const ratio = (base: { ms: number; cpuMs: number }) =>
  `wall ${(checked.ms / base.ms).toFixed(2)}, CPU ${(checked.cpuMs / base.cpuMs).toFixed(2)}`;
console.log(`endpoints: ${n}, concurrency: ${concurrency}, rounds: ${rounds}, node ${process.version}`);
console.log(`bare loop, a context per connection: ${perConnection.text}`);
console.log(`bare loop, one shared context:       ${oneContext.text}`);
console.log(`certvigil check (one shared context): ${checked.text}`);
console.log(`ratio to the per-connection loop: ${ratio(perConnection)} (the bench's target <= 1.3)`);
console.log(`ratio to the shared-context loop: ${ratio(oneContext)} (issue 23's goal <= 1.15)`);
console.log(
  `certvigil peak RSS: ${(Math.max(...cliRuns.map((r) => r.rssKiB)) / 1024).toFixed(1)} MiB (target < 150 MB)`,
);
