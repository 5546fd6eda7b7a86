#!/usr/bin/env node
// Thin launcher. It runs the bundle built by `npm run build` (dist/cli.js) when that is at
// least as new as the sources (lib/), and otherwise the TypeScript sources directly (Node 24 strips
// types), so a checkout never runs stale code and an installed package needs no sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `certvigil: needs Node.js 24 or later, this is ${process.version}. In the repository, run "npm ci" and then "npx certvigil" (the project provides Node 24).\n`,
  );
  process.exit(3);
}
module.enableCompileCache?.();

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'cli.js');
const sources = join(root, 'lib');
// The CLI's code lives in lib/.
const sourceDirs = [sources];

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const runSources =
  existsSync(sources) &&
  !sources.includes('/node_modules/') &&
  (!existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(...sourceDirs.map(newestSource)));
const entry = runSources ? join(sources, 'cli', 'main.ts') : bundle;
const { main } = await import(new URL(`file://${entry}`).href);
process.exitCode = await main(process.argv.slice(2));
