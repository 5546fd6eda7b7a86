#!/usr/bin/env node
// Thin launcher. It runs the bundle built by `npm run build` (dist/cli.js) when that is at
// least as new as the sources (lib/), and otherwise the TypeScript sources directly (Node 24 strips
// types), so a checkout never runs stale code and an installed package needs no sources.
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

// node:fs without its ESM facade, which reads every export (fs.promises among them): ~7 ms a start.
const { existsSync, readdirSync, readFileSync, statSync } = process.getBuiltinModule('node:fs');

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'cli.js');
const sources = join(root, 'lib');

/** The newest modification time under `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Whether a source the bundle was built from changed after `built`. The build lists the files it
 * read (dist/sources.json): one stat each instead of a walk of lib/ (~7 ms a start). A file
 * gone counts as changed; a new file matters only once a listed file imports it, and that file
 * is then newer. Without a list, every file under lib/ is looked at.
 */
function sourcesChangedSince(built) {
  let listed;
  try {
    listed = JSON.parse(readFileSync(join(root, 'dist', 'sources.json'), 'utf8'));
  } catch {
    listed = undefined;
  }
  if (!Array.isArray(listed)) return newestSource(sources) > built;
  // `root` ends with a slash and the listed paths are relative: plain concatenation (path.join
  // normalises each of ~150 paths again, a few milliseconds of every start).
  return listed.some((path) => !((statSync(root + path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) <= built));
}

const runSources =
  existsSync(sources) &&
  !sources.includes('/node_modules/') &&
  (!existsSync(bundle) || sourcesChangedSince(statSync(bundle).mtimeMs));
// `check` has a bundle of its own (one module to load instead of the ~35 every command shares).
const checkBundle = join(root, 'dist', 'check', 'check.js');
const entry = runSources
  ? join(sources, 'cli', 'main.ts')
  : process.argv[2] === 'check' && existsSync(checkBundle)
    ? checkBundle
    : bundle;
const { main } = await import(new URL(`file://${entry}`).href);
process.exitCode = await main(process.argv.slice(2), process.env);
