// Start-up cost of the certvigil CLI against a bare Node start on the same Node: whole processes,
// run in turn (PAIRS pairs, so both see the same machine), each measured by its own
// process.resourceUsage (CPU time and peak RSS, written at exit by bench/rusage-preload.mjs) and
// by wall time. Prints each command's median and the ratio to `node -e 0`.
// Goal (issue 23): `certvigil check --help` within 2x of the bare start.
// Usage: npm run bench:startup -- [PAIRS=7]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pairs = Number(process.argv[2] ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'certvigil-startup-'));
const preload = new URL('./rusage-preload.mjs', import.meta.url).href;
const COMMANDS: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'certvigil --help': ['bin/certvigil.js', '--help'],
  'certvigil check --help': ['bin/certvigil.js', 'check', '--help'],
};

// The launcher runs dist/ when it is current: build it once so every run measures the bundle.
spawnSync(process.execPath, ['scripts/build.js'], { stdio: 'inherit' });

interface Sample {
  cpuMs: number;
  maxRssKiB: number;
  wallMs: number;
}
const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(COMMANDS).map((k) => [k, []]));
for (let i = 0; i < pairs; i++) {
  for (const [name, args] of Object.entries(COMMANDS)) {
    const file = join(dir, `${i}.json`);
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--import', preload, ...args], {
      env: { ...process.env, CV_RUSAGE: file },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const wallMs = performance.now() - started;
    if (run.status !== 0) throw new Error(`${name} exited ${run.status}`);
    samples[name]?.push({ ...JSON.parse(readFileSync(file, 'utf8')), wallMs });
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const base = samples['node -e 0'] ?? [];
const baseCpu = median(base.map((s) => s.cpuMs));
const baseRss = median(base.map((s) => s.maxRssKiB));
const baseWall = median(base.map((s) => s.wallMs));
console.log(`node ${process.version}, ${pairs} runs of each, in turn (medians)`);
console.log('command                   CPU ms   ratio   peak RSS MiB   ratio   wall ms   ratio');
for (const [name, list] of Object.entries(samples)) {
  const cpu = median(list.map((s) => s.cpuMs));
  const rss = median(list.map((s) => s.maxRssKiB));
  const wall = median(list.map((s) => s.wallMs));
  console.log(
    `${name.padEnd(24)} ${cpu.toFixed(0).padStart(7)} ${(cpu / baseCpu).toFixed(2).padStart(6)}x ${(rss / 1024).toFixed(1).padStart(13)} ${(rss / baseRss).toFixed(2).padStart(6)}x ${wall.toFixed(0).padStart(8)} ${(wall / baseWall).toFixed(2).padStart(6)}x`,
  );
}
console.log('goal: certvigil check --help within 2x of node -e 0 (CPU)');
