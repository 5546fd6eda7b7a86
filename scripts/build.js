// Bundles the CLI into dist/ (dist/cli.js plus chunks loaded on demand, and dist/check/check.js,
// the check command alone) and the dashboard page (dist/dashboard.html), for installs where the
// TypeScript sources are not present.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUILT_PAGE_NAME, buildDashboardHtml } from '../lib/dashboard/page-asset.ts';

rmSync('dist', { recursive: true, force: true });
const options = {
  metafile: true,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // The dashboard page is built here (below), never at run time by an installed package.
  external: ['esbuild'],
  // Bundled CommonJS dependencies (the AWS SDK) still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cvRequire } from 'node:module'; const require = __cvRequire(import.meta.url);",
  },
};
const { metafile } = await build({ ...options, entryPoints: { cli: 'lib/cli/main.ts' }, outdir: 'dist' });
// `certvigil check` on its own (the launcher runs it for that command): its code in one module,
// not spread over the chunks every command shares (~35 modules to load, ~30 ms of each start).
// What it imports on demand (AWS sources, documents) has chunks of its own under dist/check.
const check = await build({ ...options, entryPoints: { check: 'lib/cli/check-main.ts' }, outdir: 'dist/check' });

// The dashboard page, one self-contained file beside the CLI bundle (lib/dashboard/page-asset.ts reads it).
writeFileSync(`dist/${BUILT_PAGE_NAME}`, await buildDashboardHtml());

// The sources both were built from, for the launcher's staleness check (bin/certvigil.js): the
// CLI bundle's inputs under lib/, and the page's directory.
const pageDir = 'lib/dashboard/page';
const pageFiles = readdirSync(pageDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => join(entry.parentPath, entry.name));
const inputs = [...Object.keys(metafile.inputs), ...Object.keys(check.metafile.inputs)].filter((path) =>
  path.startsWith('lib/'),
);
writeFileSync('dist/sources.json', `${JSON.stringify([...new Set([...inputs, ...pageFiles])].sort())}\n`);
