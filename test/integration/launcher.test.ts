// The launcher (bin/certvigil.js) runs the built bundle while it is current and the TypeScript
// sources once any source it was built from changed, is gone, or (without the build's list of
// sources) once anything under lib/ is newer. Checked on a small tree of its own.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const LAUNCHER = new URL('../../bin/certvigil.js', import.meta.url).pathname;
const OLD = new Date('2026-01-01T00:00:00Z');
const BUILT = new Date('2026-02-01T00:00:00Z');
const EDITED = new Date('2026-03-01T00:00:00Z');

let root: string;
let main: (name: string) => string;

function file(path: string, text: string, time: Date): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  utimesSync(full, time, time);
}

/** Which `main` the launcher ran. */
function ran(...args: string[]): string {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'certvigil.js'), ...args], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout.trim();
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'certvigil-launcher-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(LAUNCHER, join(root, 'bin', 'certvigil.js'));
  main = (name: string) => `export async function main() { process.stdout.write('${name}\\n'); return 0; }\n`;
  file('lib/cli/main.ts', main('sources'), OLD);
  file('lib/probe/used.ts', 'export const used = 1;\n', OLD);
  file('lib/unused.ts', 'export const unused = 1;\n', OLD);
  file('dist/cli.js', main('dist'), BUILT);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the launcher with the build list of sources', () => {
  beforeEach(() => file('dist/sources.json', '["lib/cli/main.ts","lib/probe/used.ts"]\n', BUILT));

  it('runs the bundle while every listed source is older', () => {
    expect(ran()).toBe('dist');
  });

  it('runs the sources once a listed source is newer', () => {
    utimesSync(join(root, 'lib/probe/used.ts'), EDITED, EDITED);
    expect(ran()).toBe('sources');
  });

  it('runs the sources once a listed source is gone', () => {
    rmSync(join(root, 'lib/probe/used.ts'));
    expect(ran()).toBe('sources');
  });

  it("runs check's own bundle for check, and the CLI's for everything else, while current", () => {
    file('dist/check/check.js', main('check bundle'), BUILT);
    expect(ran('check', 'example.com')).toBe('check bundle');
    expect(ran('targets', 'list')).toBe('dist');
    expect(ran()).toBe('dist');
    utimesSync(join(root, 'lib/probe/used.ts'), EDITED, EDITED);
    expect(ran('check', 'example.com')).toBe('sources');
  });

  it("runs the CLI's bundle for check when check has none (a build from before it)", () => {
    expect(ran('check', 'example.com')).toBe('dist');
  });

  it('does not look at files the bundle was not built from', () => {
    utimesSync(join(root, 'lib/unused.ts'), EDITED, EDITED);
    expect(ran()).toBe('dist');
  });
});

describe('the launcher without a list (a build from before it)', () => {
  it('runs the bundle while everything under lib/ is older, the sources once anything is newer', () => {
    expect(ran()).toBe('dist');
    utimesSync(join(root, 'lib/unused.ts'), EDITED, EDITED);
    expect(ran()).toBe('sources');
  });

  it('runs the sources when there is no bundle', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(ran()).toBe('sources');
  });
});
