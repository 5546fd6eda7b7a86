// One run of a Node command as a child process, asynchronously (the endpoints a bench serves live
// in its own process and must answer): its wall time, and its CPU and peak memory as the child
// itself read them at exit (rusage-preload.mjs, loaded with --import, writes them to usageFile).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface NodeRun {
  ms: number;
  cpuMs: number;
  rssKiB: number;
}

const PRELOAD = new URL('./rusage-preload.mjs', import.meta.url).pathname;

export async function runNode(args: string[], usageFile: string): Promise<NodeRun> {
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
      env: { ...process.env, CV_RUSAGE: usageFile },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', resolve);
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}`);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; maxRssKiB: number };
  return { ms, cpuMs: usage.cpuMs, rssKiB: usage.maxRssKiB };
}
