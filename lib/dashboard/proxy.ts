// `certvigil dashboard`: the dashboard page on 127.0.0.1, its API calls forwarded to a deployed
// admin URL and signed with the user's AWS credentials (like `kubectl proxy`). Nothing public and
// no new AWS resource. It reads (GETs on the routes the page uses) and acknowledges or snoozes an
// open event (the one POST it forwards, with a small JSON body): nothing else changes anything.
// Prometheus may scrape GET /metrics through it (issue 32).
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AdminResponse, problem } from '../admin/problem.ts';
import { readBody } from '../http-body.ts';
import { type AdminClient, AdminError, describeFailure } from '../net/admin-client.ts';
import { http as nodeHttp } from '../node-builtins.ts';
import { boundText } from '../text-bounds.ts';
import { dashboardPage, isIconRequest, isPageRequest, NO_ICON } from './page-asset.ts';
import { DASHBOARD_HEADER } from './protocol.ts';

/** The admin API's read routes the page calls; nothing else is forwarded. */
export const FORWARDED_ROUTES: readonly RegExp[] = [
  /^\/report$/,
  /^\/events$/,
  /^\/summary$/,
  /^\/certificates$/,
  /^\/certificates\/[^/]+$/,
  /^\/targets$/,
  /^\/targets\/[^/]+$/,
  /^\/targets\/[^/]+\/timeline$/,
  /^\/metrics$/,
];

/** Read by Prometheus, which cannot send the page's header: the host and origin checks still hold. */
const SCRAPED = /^\/metrics$/;

/** The only writes forwarded: acknowledging or snoozing one open event (issue 31). */
export const FORWARDED_POSTS: readonly RegExp[] = [/^\/events\/[A-Za-z0-9_-]{1,64}\/(?:ack|snooze)$/];

/** Largest body forwarded ({target, note, until}: a target id, a 500-character note, a date). */
const MAX_BODY = 8 * 1024;

export interface DashboardProxyOptions {
  client: Pick<AdminClient, 'send'>;
  /** 0: the system picks a free port. */
  port: number;
  /** Where each forwarded call's failure is said (never a credential or a signed header). */
  print?: ((text: string) => void) | undefined;
}

export interface DashboardProxy {
  url: string;
  stop(): Promise<void>;
}

const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  let port = options.port;
  const server = nodeHttp().createServer((req, res) => {
    void readBody(req, MAX_BODY)
      .then(async (body) =>
        body === undefined ? problem(413, `the body is over ${MAX_BODY} bytes`) : answer(req, body),
      )
      .then(
        (reply) => {
          res.writeHead(reply.status, { ...API_HEADERS, ...reply.headers });
          res.end(req.method === 'HEAD' ? undefined : reply.body);
        },
        (error: Error) => {
          options.print?.(`dashboard: request failed: ${boundText(error.message, 300)}\n`);
          const reply = problem(500, 'the dashboard proxy failed; see its terminal');
          res.writeHead(reply.status, reply.headers).end(reply.body);
        },
      );
  });

  async function answer(req: http.IncomingMessage, body: string): Promise<AdminResponse> {
    const own = [`127.0.0.1:${port}`, `localhost:${port}`];
    // A name other than our own is a page of another site reaching us through DNS rebinding.
    if (!own.includes(req.headers.host ?? '')) {
      return problem(
        403,
        `certvigil dashboard answers only as http://127.0.0.1:${port} (this request named ${boundText(req.headers.host ?? 'no host', 100)})`,
      );
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const method = req.method ?? 'GET';
    if (isPageRequest(method, url.pathname)) {
      const page = await dashboardPage();
      return { status: 200, headers: page.headers, body: page.html };
    }
    if (isIconRequest(method, url.pathname)) return { ...NO_ICON, headers: { ...NO_ICON.headers } };
    const origin = req.headers.origin;
    if (origin !== undefined && !own.some((o) => origin === `http://${o}`)) {
      return problem(403, 'the dashboard API answers only its own page');
    }
    if (req.headers[DASHBOARD_HEADER] !== '1' && !(method === 'GET' && SCRAPED.test(url.pathname))) {
      return problem(403, `the dashboard API answers only its own page (which sends ${DASHBOARD_HEADER}: 1)`);
    }
    const write = method === 'POST' && FORWARDED_POSTS.some((route) => route.test(url.pathname));
    if (method !== 'GET' && !write) {
      const reply = problem(
        405,
        'the dashboard reads, and acknowledges or snoozes events; change targets with "certvigil targets add|rm|import" or the admin API',
      );
      reply.headers.allow = 'GET';
      return reply;
    }
    if (write && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return problem(415, 'send the acknowledgement as application/json');
    }
    if (!write && !FORWARDED_ROUTES.some((route) => route.test(url.pathname))) {
      return problem(404, `the dashboard does not forward ${boundText(url.pathname, 100)}`);
    }
    let reply: Awaited<ReturnType<AdminClient['send']>>;
    try {
      reply = write
        ? await options.client.send('POST', url.pathname, { body, contentType: 'application/json' })
        : await options.client.send('GET', url.pathname, { query: Object.fromEntries(url.searchParams) });
    } catch (error) {
      const message =
        error instanceof AdminError ? error.message : `cannot ask the admin URL: ${(error as Error).message}`;
      options.print?.(`dashboard: ${boundText(message, 300)}\n`);
      return problem(502, boundText(message, 300));
    }
    if (reply.status >= 400 && !reply.contentType.includes('problem+json')) {
      // Function URLs refuse with their own bodies (403 {"Message":"Forbidden"}): say what to do.
      return problem(reply.status >= 500 ? 502 : reply.status, describeFailure(reply));
    }
    return {
      status: reply.status,
      headers: { 'content-type': reply.contentType || 'application/json' },
      body: reply.text,
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' ? new Error(`port ${options.port} is in use; pick another with --port`) : error;
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
