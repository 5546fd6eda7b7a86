// GETs a small JSON document (an ACME directory, a renewalInfo answer) the way the probe fetches
// documents: https only, the probe's trust, the address guard, time limits and a size cap.

import { fetchDeadline, openDocument, type ReachOptions } from '../../../net/fetch-document.ts';
import { ProbeError } from '../../../net/probe-error.ts';

/** Largest ACME JSON answer read (they are a few hundred bytes). */
const MAX_JSON_BYTES = 64 * 1024;

export async function getJson(
  url: string,
  options: ReachOptions,
): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  let opened: Awaited<ReturnType<typeof openDocument>>;
  try {
    opened = await openDocument(url, {
      trust: options.trust,
      timeouts: options.timeouts,
      maxBytes: MAX_JSON_BYTES,
      accept: 'application/json',
      guard: options.guard,
      resolver: options.resolver,
      signal: fetchDeadline(options.timeouts, options.within),
    });
  } catch (error) {
    // A non-2xx answer is an answer (a 404: the CA does not know the certificate).
    if (error instanceof ProbeError && error.status !== undefined)
      return { status: error.status, retryAfter: null, body: null };
    throw error;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of opened.body) chunks.push(chunk as Buffer);
  let body: unknown = null;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    body = null;
  }
  return { status: 200, retryAfter: opened.retryAfter, body };
}
