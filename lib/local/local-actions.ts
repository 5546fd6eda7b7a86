// Local mode's action links (issue 31): the same route as the deployed action function, served by
// local mode's own server without its token, and a signing key kept in the data directory (so that
// links in the outbox keep working across restarts of the same directory).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import { type ActionDependencies, handleActionRequest } from '../actions/action-handler.ts';
import { refusalPage } from '../actions/action-pages.ts';
import { readBody } from '../http-body.ts';
import type { ProbeDependencies } from '../monitor/probe-target.ts';
import { MIN_KEY_BYTES } from '../notify/action-token.ts';
import type { ActionLedger } from '../store/action-ledger.ts';

/** Largest body read on the action route (a token, a note and a name). */
const MAX_ACTION_BODY = 16 * 1024;

/** The key in `dataDir/action-key` (made once, mode 0600), or a fresh one per run without a directory. */
export function localActionKey(dataDir: string | undefined): Uint8Array {
  if (!dataDir) return new Uint8Array(randomBytes(48));
  const path = join(dataDir, 'action-key');
  try {
    const kept = readFileSync(path);
    if (kept.byteLength >= MIN_KEY_BYTES) return new Uint8Array(kept);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(48);
  writeFileSync(path, key, { mode: 0o600 });
  return new Uint8Array(key);
}

/** What the route needs in local mode: the kept key, the ledger, the monitor's stores; uses printed. */
export function localActions(options: {
  dataDir?: string | undefined;
  ledger: ActionLedger;
  monitor: Pick<ProbeDependencies, 'targets' | 'history'>;
  print: (text: string) => void;
}): ActionDependencies {
  const key = localActionKey(options.dataDir);
  return {
    key: async () => key,
    ledger: options.ledger,
    targets: options.monitor.targets,
    history: options.monitor.history,
    log: (e) => options.print(`action link: ${e.outcome} (${e.status}) ${String(e.target ?? e.path)}\n`),
  };
}

export function isActionPath(pathname: string): boolean {
  return pathname.startsWith('/actions/');
}

/** Answers one request on the action route, as the action function does. */
export async function serveAction(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  deps: ActionDependencies,
): Promise<void> {
  const body = await readBody(req, MAX_ACTION_BODY);
  const reply =
    body === undefined
      ? refusalPage('form')
      : await handleActionRequest(
          {
            method: req.method ?? 'GET',
            path: new URL(req.url ?? '/', 'http://local').pathname,
            query: new URL(req.url ?? '/', 'http://local').searchParams,
            headers: Object.fromEntries(
              Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]),
            ),
            body: body || undefined,
            sourceIp: req.socket.remoteAddress ?? 'local',
          },
          deps,
        );
  res.writeHead(reply.status, reply.headers).end(req.method === 'HEAD' ? undefined : reply.body);
}
