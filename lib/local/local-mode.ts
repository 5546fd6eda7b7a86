import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ADMIN_ROUTES,
  type AdminDependencies,
  handleAdminRequest,
  MAX_BODY_BYTES,
  type Route,
} from '../admin/admin-api.ts';
import { OwnerDirectory } from '../admin/owner-directory.ts';
import { json, problem } from '../admin/problem.ts';
import { createLimiter } from '../concurrency.ts';
import type { ProbeConfig } from '../config.ts';
import { dashboardPage, isIconRequest, isPageRequest, NO_ICON } from '../dashboard/page-asset.ts';
import { DEFAULT_SOURCE_TAG, DISCOVERY_WAIT_MS } from '../discovery/discovery-types.ts';
import type { DiscoverySummary } from '../discovery/enrol.ts';
import { dispatchRound, invokeSender } from '../dispatch/dispatch-round.ts';
import { readBody } from '../http-body.ts';
import { monitorDependencies } from '../monitor/monitor-dependencies.ts';
import { probeTarget } from '../monitor/probe-target.ts';
import { DEFAULT_TIMEOUTS } from '../net/timeouts.ts';
import { http as nodeHttp } from '../node-builtins.ts';
import { ActionLinks } from '../notify/action-links.ts';
import { CHANNEL_NAMES } from '../notify/channels/channel.ts';
import type { ConfiguredChannel } from '../notify/channels/index.ts';
import { DEFAULT_UNREACHABLE_AFTER } from '../policy/events.ts';
import type { ReminderPolicy } from '../policy/reminders.ts';
import type { AccountRoles } from '../sources/aws/account-roles.ts';
import { ALL_READERS } from '../sources/registry.ts';
import { ActionLedger } from '../store/action-ledger.ts';
import { DirectoryStore } from '../store/directory-store.ts';
import { documentClient } from '../store/document-client.ts';
import { DEFAULT_HISTORY_TTL_DAYS } from '../store/history-store.ts';
import { LocalOwnerChannels } from '../store/owner-channel-store.ts';
import { normalizeTarget } from '../targets/target-schema.ts';
import { boundText } from '../text-bounds.ts';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, startDynamoDbLocal } from './dynamodb-local.ts';
import { isActionPath, localActions, serveAction } from './local-actions.ts';
import { type LocalCtOptions, localCt } from './local-ct.ts';
import { startRecounts } from './local-recount.ts';
import { ensureTables } from './local-tables.ts';
import { OutboxPublisher } from './outbox-publisher.ts';

const TABLES = {
  targets: 'certvigil-targets',
  history: 'certvigil-history',
  certificates: 'certvigil-certificates',
  summary: 'certvigil-summary',
  directory: 'certvigil-directory',
};

export interface LocalModeOptions {
  /** How long POST /discover waits for a run before it answers 202 (default DISCOVERY_WAIT_MS, as deployed). */
  discoveryWaitMs?: number | undefined;
  port: number;
  /** Keep DynamoDB's data (and the default outbox) here; in memory when absent. */
  dataDir?: string | undefined;
  intervalSeconds: number;
  outboxPath?: string | undefined;
  token: string;
  /** Where notifications go besides the console and the outbox (from environment variables). */
  channels?: ConfiguredChannel[] | undefined;
  /** Where notifications and status lines are printed. */
  print: (text: string) => void;
  /** CA certificates to trust besides the system's and NODE_EXTRA_CA_CERTS (--ca FILE). */
  caFiles?: readonly string[] | undefined;
  /** Reminders and escalation (default DEFAULT_REMINDERS, as deployed). */
  reminders?: ReminderPolicy | undefined;
  /** Most probes in flight at once (default LOCAL_PROBE_CONCURRENCY). */
  probeConcurrency?: number | undefined;
  /** Discovery (POST /discover) with the user's AWS credentials: regions (default: the SDK's), roles, tag. */
  discovery?: { regions: string[]; roles?: AccountRoles | undefined; sourceTag?: string | undefined } | undefined;
  /** Certificate Transparency discovery with POST /discover (no AWS credentials needed). */
  ct?: LocalCtOptions | undefined;
}

/**
 * Probes in flight at once in local mode: enough to check hundreds of targets in a round,
 * few enough that the machine's resolver and sockets are not exhausted (which would record
 * false DNS timeouts, and false `unreachable` alerts).
 */
export const LOCAL_PROBE_CONCURRENCY = 16;
/** How long stop() waits for probes already running before it closes the store anyway. */
export const STOP_GRACE_MS = 2_000;

export interface DispatchSummary {
  dispatched: number;
  failed: number;
  checked: number;
  probeFailures: number;
  durationMs: number;
}

export interface LocalMode {
  url: string;
  outboxPath: string;
  isolation: DynamoDbLocal['isolation'];
  /** Runs a round now; `all` checks every enabled target, due or not. */
  dispatchNow(all?: boolean): Promise<DispatchSummary>;
  stop(): Promise<void>;
}

/** A fresh bearer token for local mode's admin API. */
export function newLocalToken(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The whole monitor on one machine: DynamoDB Local as the store, the admin API on 127.0.0.1
 * (same handler as the Lambda, behind a bearer token), the dispatcher on a timer and on
 * POST /dispatch, probes run in-process through the probe handler, and notifications to the
 * console, the outbox file and Slack. Private and loopback targets are allowed.
 */
export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  if (options.dataDir) mkdirSync(join(options.dataDir, 'dynamodb'), { recursive: true });
  // Without --data or --outbox the outbox is a scratch file, removed at stop as the store is.
  const scratch = options.outboxPath || options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'certvigil-local-'));
  const outboxPath = options.outboxPath ?? join(options.dataDir ?? (scratch as string), 'outbox.jsonl');
  const ddb = await startDynamoDbLocal({
    ...(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}),
    warn: (message) => options.print(`warning: ${message}\n`),
  });
  const dynamo = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTables(dynamo, TABLES, options.print);
  } catch (error) {
    dynamo.destroy();
    await ddb.stop();
    throw error;
  }

  const config: ProbeConfig = {
    targetsTable: TABLES.targets,
    historyTable: TABLES.history,
    certificatesTable: TABLES.certificates,
    summaryTable: TABLES.summary,
    directoryTable: TABLES.directory,
    topicArn: 'local',
    historyTtlDays: DEFAULT_HISTORY_TTL_DAYS,
    unreachableAfter: DEFAULT_UNREACHABLE_AFTER,
    endpointTimeoutMs: DEFAULT_TIMEOUTS.endpointMs,
    warnDays: undefined,
    critDays: undefined,
    allowPrivateTargets: true,
    allowFiles: true,
    accountRoles: options.discovery?.roles,
    reminders: options.reminders,
    caFiles: options.caFiles,
  };
  const ownerChannels = new LocalOwnerChannels(documentClient(dynamo), TABLES.directory);
  const publisher = new OutboxPublisher({
    outboxPath,
    print: options.print,
    channels: options.channels,
    ownerChannels,
  });
  const monitor = monitorDependencies(config, dynamo, publisher, ALL_READERS);
  // Local mode is an adapter onto lib: the admin API's transport-free core and the probe run,
  // never the Lambda handlers or fabricated Lambda events.
  const probe = (payload: { target: unknown }) => probeTarget(monitor, normalizeTarget(payload.target));
  const adminDeps: AdminDependencies = {
    targets: monitor.targets,
    publisher,
    certificates: monitor.certificates,
    history: monitor.history,
    // Local mode sends no email: owners and their routes are kept, nothing is subscribed.
    owners: new OwnerDirectory(new DirectoryStore(documentClient(dynamo), TABLES.directory), undefined, {
      values: ownerChannels,
      enabled: CHANNEL_NAMES,
    }),
    windows: monitor.windows,
    allowFiles: true,
    testAlertDelivery: `local mode has no topic: the test notification was printed here, appended to ${outboxPath}${options.channels?.length ? ` and sent to ${options.channels.map((c) => c.channel.title).join(', ')}` : ' (no channel is configured)'}`,
    probe: (t) => probeTarget(monitor, t),
    guard: undefined,
    // With the user's own AWS credentials; without any, a 503 saying how to provide them. A
    // request while a run is going joins it; past the wait it answers 202 and the run goes on.
    discover: async () => {
      if (!discovering) {
        discovering = runLocalDiscovery().finally(() => {
          discovering = undefined;
        });
        // Said once per run, whoever waits for it (a request past the wait no longer does).
        discovering.catch((error: Error) => options.print(`discovery failed: ${boundText(error.message, 500)}\n`));
      }
      const run = discovering;
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<'waited'>((resolve) => {
        timer = setTimeout(() => resolve('waited'), options.discoveryWaitMs ?? DISCOVERY_WAIT_MS);
      });
      try {
        const outcome = await Promise.race([run, waited]);
        if (outcome !== 'waited') return { done: true, summary: outcome };
      } finally {
        clearTimeout(timer);
      }
      return {
        done: false,
        detail: `discovery is still running (longer than ${Math.round((options.discoveryWaitMs ?? DISCOVERY_WAIT_MS) / 1000)} s); its summary is printed by local mode when it ends, and new targets carry the tag "discovered"`,
      };
    },
  };
  let discovering: Promise<DiscoverySummary> | undefined;
  const stopDiscovery = new AbortController();
  async function runLocalDiscovery(): Promise<DiscoverySummary> {
    const { runDiscovery } = await import('../discovery/run-discovery.ts');
    const ct = options.ct;
    const summary = await runDiscovery(
      { targets: monitor.targets, publisher },
      {
        regions: options.discovery?.regions ?? [],
        roles: options.discovery?.roles,
        sourceTag: options.discovery?.sourceTag ?? DEFAULT_SOURCE_TAG,
        ...(ct?.domains.length
          ? {
              ct: { ...(await localCt(ct, documentClient(dynamo), TABLES.certificates)), signal: stopDiscovery.signal },
            }
          : {}),
      },
    );
    options.print(
      `discovery: ${summary.found} found, ${summary.enrolled} enrolled, ${summary.vanished.length} vanished, ${summary.problems.length} could not be listed\n`,
    );
    return summary;
  }

  const limiter = createLimiter(options.probeConcurrency ?? LOCAL_PROBE_CONCURRENCY);
  let stopping = false;
  let running: Promise<DispatchSummary> | undefined;
  const dispatchNow = (all = false): Promise<DispatchSummary> => {
    running ??= (async () => {
      const probes: Promise<unknown>[] = [];
      let probeFailures = 0;
      const report = await dispatchRound(
        {
          targets: monitor.targets,
          // Like an asynchronous Lambda invocation: queue the probe and move on; the limiter
          // keeps at most probeConcurrency of them running.
          sender: invokeSender(async (payload) => {
            probes.push(
              limiter
                .run(() => probe(payload))
                .catch((error: Error) => {
                  if (stopping) return; // stopped: not started, or cut short on purpose
                  probeFailures++;
                  options.print(`probe of ${payload.target.id} failed: ${error.message}\n`);
                }),
            );
          }),
        },
        { all },
      );
      await Promise.all(probes);
      return {
        dispatched: report.dispatched,
        failed: report.failed,
        checked: probes.length - probeFailures,
        probeFailures,
        durationMs: report.durationMs,
      };
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // Local mode's own route lives in the admin API's table, so 404 and 405 answers name it too.
  const routes: Route[] = [
    ...ADMIN_ROUTES,
    {
      path: '/dispatch',
      pattern: /^\/dispatch$/,
      hint: 'POST /dispatch runs a round now; POST /dispatch?all=true checks every target',
      methods: {
        POST: async (request) => {
          const summary = await dispatchNow(request.query.get('all') === 'true');
          options.print(
            `dispatch: ${summary.dispatched} targets checked on request, ${summary.probeFailures} failed\n`,
          );
          return json(200, summary);
        },
      },
    },
  ];
  const expected = Buffer.from(options.token);
  const server = nodeHttp().createServer((req, res) => {
    void serve(req, res).catch((error: Error) => {
      options.print(`admin request failed: ${error.message}\n`);
      send(res, problem(500, 'the request failed inside certvigil; see the local mode output'));
    });
  });
  const ledger = new ActionLedger(documentClient(dynamo), TABLES.directory);
  const actionDeps = localActions({ ...options, monitor, ledger });
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://local');
    // Signed action links carry their own credential (the token), as deployed: no local token.
    if (isActionPath(pathname)) return serveAction(req, res, actionDeps);
    if (isIconRequest(req.method ?? 'GET', pathname)) {
      req.resume();
      res.writeHead(NO_ICON.status, NO_ICON.headers).end();
      return;
    }
    // The dashboard page holds no data: it is served without the token, and asks for it.
    if (isPageRequest(req.method ?? 'GET', pathname)) {
      req.resume();
      const page = await dashboardPage();
      res.writeHead(200, page.headers).end(req.method === 'HEAD' ? undefined : page.html);
      return;
    }
    // The scheme is case-insensitive (RFC 9110); the token is compared in constant time.
    const given = Buffer.from(/^bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      req.resume();
      return send(
        res,
        problem(
          401,
          given.length
            ? "the token was refused: it is not this local mode's (local mode prints its token at start; CERTVIGIL_LOCAL_TOKEN sets it)"
            : 'send the local mode token as "Authorization: Bearer <token>" (it is printed at start)',
        ),
      );
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return send(res, problem(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`));
    const url = new URL(req.url ?? '/', 'http://local');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]),
    );
    const reply = await handleAdminRequest(
      {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: body || undefined,
        caller: 'local mode',
      },
      adminDeps,
      routes,
    );
    res.writeHead(reply.status, reply.headers);
    res.end(reply.base64 ? Buffer.from(reply.body, 'base64') : reply.body);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  }).catch(async (error: NodeJS.ErrnoException) => {
    dynamo.destroy();
    await ddb.stop();
    throw error.code === 'EADDRINUSE' ? new Error(`port ${options.port} is in use; pick another with --port`) : error;
  });

  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Messages carry signed links to this server (docs/action-links.md), as the stack's do with actionLinks.
  publisher.useLinks(new ActionLinks({ baseUrl: url, key: actionDeps.key }));
  const timer = setInterval(() => {
    void dispatchNow().then((s) =>
      options.print(`dispatch: ${s.dispatched} targets checked on the timer, ${s.probeFailures} failed\n`),
    );
  }, options.intervalSeconds * 1000);
  timer.unref();
  const recounts = startRecounts({
    targets: monitor.targets,
    certificates: monitor.certificates,
    print: options.print,
  });

  return {
    url,
    outboxPath,
    isolation: ddb.isolation,
    dispatchNow,
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await recounts.stop();
      // A discovery run reading CT stops at its next step (a rate-limit wait ends at once).
      stopDiscovery.abort();
      // Probes waiting their turn are dropped; those running get a short grace, not a minute.
      limiter.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.race([limiter.idle(), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
      dynamo.destroy();
      await ddb.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function send(res: http.ServerResponse, response: { status: number; headers: Record<string, string>; body: string }) {
  res.writeHead(response.status, response.headers).end(response.body);
}
