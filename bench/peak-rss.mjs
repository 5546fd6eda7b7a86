// Loaded with --import into a benchmarked process: writes its peak resident memory (KiB) to the
// file named by CERTVIGIL_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.CERTVIGIL_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
