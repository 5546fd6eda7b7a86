// The dashboard as one self-contained HTML document (script and style inline, nothing fetched from
// elsewhere) and the headers it is served with: a Content-Security-Policy that allows exactly
// that script and that style (by hash) and requests to its own origin, nothing else.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface DashboardPage {
  html: string;
  headers: Record<string, string>;
}

const PAGE_DIR = new URL('./page/', import.meta.url);
/** Where `npm run build` writes the page for an installed package (beside dist/cli.js). */
export const BUILT_PAGE_NAME = 'dashboard.html';

/** Bundles the page's TypeScript and CSS into the HTML template (esbuild, at build time or in a checkout). */
export async function buildDashboardHtml(pageDir: string = fileURLToPath(PAGE_DIR)): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [`${pageDir}/main.ts`],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari16'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const css = await build({
    entryPoints: [`${pageDir}/styles.css`],
    bundle: true,
    write: false,
    minify: true,
    logLevel: 'silent',
  });
  // "</script" inside the code would end the element early; "<\/" means the same in JavaScript.
  const script = (result.outputFiles[0]?.text ?? '').replace(/<\/(script)/gi, '<\\/$1').trim();
  const style = (css.outputFiles[0]?.text ?? '').replace(/<\/(style)/gi, '<\\/$1').trim();
  const template = readFileSync(`${pageDir}/index.html`, 'utf8');
  return template.replace('/*STYLE*/', () => style).replace('/*SCRIPT*/', () => script);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The headers for the page: the policy names the hashes of the inline script and style it holds. */
export function pageHeaders(html: string): Record<string, string> {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `script-src ${sha256(script)}`,
      `style-src ${sha256(style)}`,
      "connect-src 'self'",
      "img-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

let cached: Promise<DashboardPage> | undefined;

/**
 * The page, made once per process: built from the sources in a checkout (so it is never stale),
 * read from the built file in an installed package.
 */
export function dashboardPage(): Promise<DashboardPage> {
  cached ??= (async () => {
    const html = existsSync(new URL('./main.ts', PAGE_DIR)) ? await buildDashboardHtml() : readBuiltPage();
    return { html, headers: pageHeaders(html) };
  })();
  cached.catch(() => {
    cached = undefined; // a failed build is tried again on the next request
  });
  return cached;
}

function readBuiltPage(): string {
  // dist/cli.js, or a chunk of it in dist/chunks/.
  for (const candidate of [`./${BUILT_PAGE_NAME}`, `../${BUILT_PAGE_NAME}`]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(url)) return readFileSync(url, 'utf8');
  }
  throw new Error(`the dashboard page (${BUILT_PAGE_NAME}) is missing from this install; run "npm run build"`);
}

/** Whether a request is for the page itself (served without the token: it holds no data). */
export function isPageRequest(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (path === '/' || path === '/index.html');
}

/** Browsers ask for /favicon.ico: the page has none, so 204, without the token (never a 401 in the console). */
export function isIconRequest(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && path === '/favicon.ico';
}

export const NO_ICON = { status: 204, headers: { 'cache-control': 'max-age=86400' }, body: '' } as const;
