// The README and docs/ say what works: every shell block's certvigil command and option exists
// (checked against the command's own --help), every npm script it names is in package.json,
// every `-c certvigil:KEY` is a setting, and every relative link leads to a file. Nothing here needs
// an AWS account or the network.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../infra/config.ts';
import { runCli } from '../fixtures/run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** The lines of every ```sh block, continuation lines joined, comments dropped. */
function shellLines(page: string): string[] {
  const lines: string[] = [];
  for (const block of text(page).matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = (block[1] ?? '').replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command) lines.push(command);
    }
  }
  return lines;
}

const ALL = PAGES.flatMap((page) => shellLines(page).map((line) => ({ page, line })));
const usageOf = new Map<string, Promise<string>>();
function usage(command: string): Promise<string> {
  let known = usageOf.get(command);
  if (!known) {
    known = runCli([command, '--help']).then((run) => {
      if (run.code !== 0) throw new Error(`certvigil ${command} --help exited ${run.code}: ${run.stderr}`);
      return run.stdout;
    });
    usageOf.set(command, known);
  }
  return known;
}

describe('the README and docs', () => {
  it('have shell blocks to check, and the README fits on a screen or two (12 KB at most)', () => {
    expect(ALL.filter((l) => l.line.includes('certvigil')).length).toBeGreaterThan(10);
    expect(Buffer.byteLength(text('README.md'))).toBeLessThanOrEqual(12 * 1024);
  });

  it('use only certvigil commands and options that exist', async () => {
    const problems: string[] = [];
    for (const { page, line } of ALL) {
      for (const match of line.matchAll(/(?:npx )?certvigil ([a-z-]+)((?: (?!\||&&|;|>)[^ ]+)*)/g)) {
        const [, command = '', rest = ''] = match;
        let help: string;
        try {
          help = await usage(command);
        } catch (error) {
          problems.push(`${page}: ${line}: ${(error as Error).message.split('\n')[0]}`);
          continue;
        }
        for (const option of rest.match(/(?<=^| )--[a-z][a-z-]*/g) ?? []) {
          if (!help.includes(option)) problems.push(`${page}: ${line}: certvigil ${command} has no ${option}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('name only npm scripts that exist, and only settings the stack has', () => {
    const scripts = Object.keys(JSON.parse(text('package.json')).scripts as Record<string, string>);
    const problems: string[] = [];
    for (const { page, line } of ALL) {
      for (const [, script] of line.matchAll(/npm run ([\w:-]+)/g)) {
        if (!scripts.includes(script ?? '')) problems.push(`${page}: npm run ${script}`);
      }
      for (const [, key] of line.matchAll(/-c certvigil:(\w+)=/g)) {
        if (!Object.hasOwn(DEFAULT_CONFIG, key ?? '')) problems.push(`${page}: setting ${key}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('link only to files that exist', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const [, target] of text(page).matchAll(/\]\(((?!https?:|#|mailto:)[^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (!existsSync(join(ROOT, dirname(page), target ?? ''))) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
