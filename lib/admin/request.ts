// Reading a request: the target id in a path, a JSON body, the clock the dependencies give.
import { parseTarget } from '../targets/parse-target.ts';
import { InvalidTargetError } from '../targets/target-id.ts';
import type { AdminDependencies, AdminRequest } from './admin-types.ts';
import { ProblemError } from './problem.ts';

/** Accepts the id as stored or any way of writing the same endpoint (URL-encoded in the path). */
export function canonicalId(encoded: string): string {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    throw new ProblemError(400, 'the target id in the path is not valid URL encoding');
  }
  try {
    return parseTarget(text).id;
  } catch (error) {
    if (error instanceof InvalidTargetError) throw new ProblemError(404, `no target "${text}": ${error.message}`);
    throw error;
  }
}

export function parseJsonBody(request: AdminRequest): unknown {
  const type = request.headers['content-type'] ?? 'application/json';
  if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
    throw new ProblemError(415, `send the target as application/json (got ${type})`);
  }
  if (!request.body) throw new ProblemError(400, 'the request has no body; send the target as JSON');
  try {
    return JSON.parse(request.body);
  } catch {
    throw new ProblemError(400, 'the body is not valid JSON');
  }
}

export function now(deps: AdminDependencies): Date {
  return deps.now?.() ?? new Date();
}

/** Whether the request's Accept-Encoding accepts gzip (`gzip` or `*`, not with `q=0`). */
export function acceptsGzip(request: Pick<AdminRequest, 'headers'>): boolean {
  for (const part of (request.headers['accept-encoding'] ?? '').toLowerCase().split(',')) {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim());
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
