// certvigil check against Debian's blackbox_exporter (issue 32), on the same loopback endpoints,
// both verifying chain and name, in alternating rounds: blackbox_exporter started per round, then
// N /probe calls 50 at a time (its tcp prober with TLS), against `certvigil check --concurrency 50`
// run directly with the project's Node. Wall time and CPU (blackbox: its process's, read from
// /proc before it stops; certvigil: the child's rusage), start-up included for both; the CPU per
// additional endpoint between the two sizes; and `check` of one endpoint against a bare `node -e 0`
// and against one verified handshake in plain Node (bare-tls-one.mjs).
// Usage: npm run bench:peers -- [ROUNDS] [SIZES...]   (default 5 rounds, 200 and 1000 endpoints)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { createChain } from '../test/fixtures/cert-factory.ts';
import { credentials, type RunningServer, startTlsServer } from '../test/fixtures/servers.ts';
import { runNode } from './node-run.ts';

const BLACKBOX = 'prometheus-blackbox-exporter';
if (spawnSync('sh', ['-c', `command -v ${BLACKBOX}`]).status !== 0) {
  console.log(
    `${BLACKBOX} is not installed (apt-get install prometheus-blackbox-exporter): nothing to compare with; skipped`,
  );
  process.exit(0);
}

// What an installed certvigil runs: the bundle (the launcher would run the sources were it stale).
if (
  spawnSync(process.execPath, [new URL('../scripts/build.js', import.meta.url).pathname], { stdio: 'ignore' })
    .status !== 0
) {
  throw new Error('npm run build failed');
}

const [rounds = 5, ...given] = process.argv.slice(2).map(Number);
const sizes = given.length ? given : [200, 1000];
const CONCURRENCY = 50;
const dir = mkdtempSync(join(tmpdir(), 'certvigil-peers-'));
const here = (path: string) => new URL(path, import.meta.url).pathname;
const usageFile = join(dir, 'usage.json');
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

const { root, leaf } = await createChain({ sans: ['127.0.0.1'] });
const ca = join(dir, 'ca.pem');
writeFileSync(ca, root.certPem);
const servers: RunningServer[] = [];
for (let i = 0; i < Math.max(...sizes); i++) servers.push(await startTlsServer(credentials(leaf)));
writeFileSync(
  join(dir, 'blackbox.yml'),
  [
    'modules:',
    '  tls:',
    '    prober: tcp',
    '    timeout: 15s',
    '    tcp:',
    '      tls: true',
    '      tls_config:',
    `        ca_file: ${ca}`,
  ].join('\n'),
);

interface Run {
  ms: number;
  cpuMs: number;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} never answered`);
}

/** One blackbox round: start it, probe the first `n` endpoints 50 at a time, read its CPU, stop it. */
async function blackbox(n: number, port: number): Promise<Run> {
  const started = performance.now();
  const child = spawn(
    BLACKBOX,
    [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/-/healthy`);
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const server = servers[next++] as RunningServer;
        const text = await (await fetch(`${base}/probe?module=tls&target=127.0.0.1:${server.port}`)).text();
        if (!/^probe_success 1$/m.test(text)) failed++;
      }
    }),
  );
  const ms = performance.now() - started;
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  if (failed) throw new Error(`blackbox_exporter failed ${failed} of ${n} probes`);
  return { ms, cpuMs };
}

/** One run of a Node command, its CPU from its own rusage. */
const node = (args: string[]): Promise<Run> => runNode(args, usageFile);

function certvigil(n: number): Promise<Run> {
  const targets = join(dir, `targets-${n}.txt`);
  writeFileSync(
    targets,
    `${servers
      .slice(0, n)
      .map((s) => `127.0.0.1:${s.port}`)
      .join('\n')}\n`,
  );
  return node([
    here('../bin/certvigil.js'),
    'check',
    '--file',
    targets,
    '--ca',
    ca,
    '--json',
    '--concurrency',
    String(CONCURRENCY),
  ]);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${rounds} alternating rounds; Node ${process.version}; ${BLACKBOX} ${(() => {
    const said = spawnSync(BLACKBOX, ['--version'], { encoding: 'utf8' });
    return `${said.stdout}${said.stderr}`.split('\n')[0]?.split(' ')[2] ?? '';
  })()}; NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? `set (${tls.getCACertificates('extra').length} certificates)` : 'not set'}`,
);
const results = new Map<number, { blackbox: Run[]; certvigil: Run[] }>();
let port = 19_115;
for (const n of sizes) {
  const runs = { blackbox: [] as Run[], certvigil: [] as Run[] };
  await certvigil(Math.min(n, 10)); // warm the compile cache and the page cache
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      runs.blackbox.push(await blackbox(n, port++));
      runs.certvigil.push(await certvigil(n));
    } else {
      runs.certvigil.push(await certvigil(n));
      runs.blackbox.push(await blackbox(n, port++));
    }
  }
  results.set(n, runs);
  const bb = { ms: median(runs.blackbox.map((x) => x.ms)), cpu: median(runs.blackbox.map((x) => x.cpuMs)) };
  const cv = { ms: median(runs.certvigil.map((x) => x.ms)), cpu: median(runs.certvigil.map((x) => x.cpuMs)) };
  console.log(
    `${String(n).padStart(5)} endpoints: blackbox ${(bb.ms / 1000).toFixed(2)} s wall, ${(bb.cpu / 1000).toFixed(2)} s CPU; certvigil ${(cv.ms / 1000).toFixed(2)} s wall, ${(cv.cpu / 1000).toFixed(2)} s CPU (${(cv.ms / bb.ms).toFixed(2)}x wall, ${(cv.cpu / bb.cpu).toFixed(2)}x CPU)`,
  );
}
if (sizes.length >= 2) {
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  const slope = (tool: 'blackbox' | 'certvigil') => {
    const cpu = (n: number) => median((results.get(n)?.[tool] ?? []).map((x) => x.cpuMs));
    return (cpu(large) - cpu(small)) / (large - small);
  };
  console.log(
    `CPU per additional endpoint (${small} to ${large}): blackbox ${slope('blackbox').toFixed(3)} ms, certvigil ${slope('certvigil').toFixed(3)} ms`,
  );
}
// `check` of one endpoint, against two baselines, alternating: a bare `node -e 0` (what the issue
// first asked for) and one verified handshake in plain Node (bare-tls-one.mjs: the same trust,
// chain and name verified, the expiry printed), the least any verified check can cost.
const bare: Run[] = [];
const handshake: Run[] = [];
const one: Run[] = [];
const single = join(dir, 'one.txt');
const endpoint = `127.0.0.1:${servers[0]?.port}`;
writeFileSync(single, `${endpoint}\n`);
for (let r = 0; r < Math.max(rounds, 5) * 3; r++) {
  bare.push(await node(['-e', '0']));
  handshake.push(await node([here('./bare-tls-one.mjs'), endpoint, ca]));
  one.push(await node([here('../bin/certvigil.js'), 'check', '--file', single, '--ca', ca, '--json']));
}
const [b, h, o] = [bare, handshake, one].map((runs) => median(runs.map((x) => x.cpuMs))) as [number, number, number];
console.log(
  `check of one endpoint: ${o.toFixed(0)} ms CPU; node -e 0 ${b.toFixed(0)} ms (${(o / b).toFixed(2)}x); one verified handshake in plain Node ${h.toFixed(0)} ms (${(o / h).toFixed(2)}x); medians of ${one.length}`,
);
for (const s of servers) await s.close();
rmSync(dir, { recursive: true, force: true });
