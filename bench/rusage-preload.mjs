// Loaded with --import by bench/startup.ts: at exit, writes this process's CPU time and peak
// memory (process.resourceUsage) to the file CV_RUSAGE names.
import { writeFileSync } from 'node:fs';

const file = process.env.CV_RUSAGE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKiB: u.maxRSS }));
  });
}
