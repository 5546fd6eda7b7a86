// The query of the certificate lists (GET /certificates, GET /report?view=certificates): the
// filters people use, checked with a message a person can act on, turned into a range of the
// certificate lists index (soonest expiry first) and, for a status, a test on each certificate.
import { DEFAULT_WINDOWS } from '../policy/renewal-policy.ts';
import {
  CERTIFICATE_LISTS,
  type CertificateList,
  type CertificatePageOptions,
  GONE,
  SERVED,
} from '../store/certificate-lists.ts';
import type { CertificateStore } from '../store/certificate-store.ts';
import { epochDigits } from '../store/list-keys.ts';
import type { AdminDependencies, AdminRequest } from './admin-types.ts';
import { type CertificateStatus, type CertificateView, certificateView } from './certificate-views.ts';
import { clip, decodeCursor, encodeCursor, pageLimit } from './list-query.ts';
import { ProblemError } from './problem.ts';
import { now } from './request.ts';

/** The inventory, or 501 where this deployment keeps none. */
export function inventory(deps: AdminDependencies): CertificateStore {
  if (!deps.certificates) throw new ProblemError(501, 'this deployment keeps no certificate inventory');
  return deps.certificates;
}

export const CERTIFICATE_STATUSES: readonly CertificateStatus[] = [
  'ok',
  'warning',
  'critical',
  'expired',
  'invalid',
  'revoked',
];

const DAY_MS = 86_400_000;

/** The filters of a certificate list. */
export interface CertificateQuery {
  /** Only certificates whose whole days left are at most this. */
  expiringWithin: number | undefined;
  status: CertificateStatus | undefined;
  /** true: served somewhere now; false: served nowhere any more; undefined: both, served first. */
  served: boolean | undefined;
}

export function certificateQuery(request: AdminRequest): CertificateQuery {
  const within = request.query.get('expiringWithin');
  const days = within === null ? undefined : Number(within);
  if (
    days !== undefined &&
    (!Number.isFinite(days) || days < 0 || days > 3650 || !/^\d+(\.\d+)?$/.test(within ?? ''))
  ) {
    throw new ProblemError(400, `expiringWithin must be a number of days from 0 to 3650 (got "${clip(within)}")`, [
      { field: 'expiringWithin', message: 'must be a number of days' },
    ]);
  }
  const status = request.query.get('status') ?? undefined;
  if (status !== undefined && !(CERTIFICATE_STATUSES as readonly string[]).includes(status)) {
    throw new ProblemError(400, `status must be one of ${CERTIFICATE_STATUSES.join(', ')} (got "${clip(status)}")`, [
      { field: 'status', message: `must be one of ${CERTIFICATE_STATUSES.join(', ')}` },
    ]);
  }
  const served = request.query.get('served');
  if (served !== null && served !== 'true' && served !== 'false') {
    throw new ProblemError(400, `served must be true or false (got "${clip(served)}")`, [
      { field: 'served', message: 'must be true or false' },
    ]);
  }
  return {
    expiringWithin: days,
    status: status as CertificateStatus | undefined,
    served: served === null ? undefined : served === 'true',
  };
}

/** Whether a certificate's view passes the filters (the whole list filters with this). */
export function matchesQuery(view: CertificateView, query: CertificateQuery): boolean {
  if (query.expiringWithin !== undefined && (view.daysLeft === null || view.daysLeft > query.expiringWithin))
    return false;
  if (query.status !== undefined && view.status !== query.status) return false;
  if (query.served !== undefined && query.served !== view.locationCount > 0) return false;
  return true;
}

/**
 * The index range and test that serve a query at `at`: expiry bounds from `expiringWithin` and
 * the status (expired is before now; warning and critical within the longest warning window
 * ahead; invalid not yet expired, since an expired one shows `expired`; revoked at any date),
 * the status itself checked on each certificate read.
 */
export function certificateRange(
  query: CertificateQuery,
  at: Date,
): Pick<CertificatePageOptions, 'lists' | 'from' | 'to' | 'match'> {
  const t = at.getTime();
  const tos: number[] = [];
  let from: number | undefined;
  // daysLeft = floor((notAfter - now) / day) <= d  <=>  notAfter <= now + (d + 1) days - 1 ms
  if (query.expiringWithin !== undefined) tos.push(t + (Math.floor(query.expiringWithin) + 1) * DAY_MS - 1);
  if (query.status === 'expired') tos.push(t);
  else if (query.status === 'invalid') from = t + 1;
  else if (query.status !== undefined && query.status !== 'revoked') {
    from = t + 1;
    if (query.status !== 'ok') tos.push(t + DEFAULT_WINDOWS.warnMaxDays * DAY_MS);
  }
  const lists: readonly CertificateList[] =
    query.served === undefined ? CERTIFICATE_LISTS : [query.served ? SERVED : GONE];
  const status = query.status;
  return {
    lists,
    from: from === undefined ? undefined : epochDigits(from),
    to: tos.length ? epochDigits(Math.min(...tos)) : undefined,
    match: status === undefined ? undefined : (item) => certificateView(item, at).status === status,
  };
}

/** Most locations a certificate shows in a page (its count says how many there are). */
export const LOCATIONS_IN_PAGE = 50;

/**
 * Most bytes of JSON a page of certificates holds: under the 6 MB answer with room for the
 * escaping of a Lambda payload. Target ids may be 2 KB long, so 500 certificates of 50 locations
 * each could pass the cap: the page then ends early, with a cursor.
 */
export const PAGE_BYTES = 4 * 1024 * 1024;

/**
 * A page of certificates as `{items, nextCursor}`, soonest expiry first (those still served
 * before those served nowhere), each shown by `view`.
 */
export async function certificatesPage<T>(
  request: AdminRequest,
  deps: AdminDependencies,
  view: (v: CertificateView) => T,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const query = certificateQuery(request);
  const at = now(deps);
  const range = certificateRange(query, at);
  const cursor = decodeCursor(request.query.get('cursor'), range.lists.length);
  const page = await inventory(deps).lists.page({ ...range, limit: pageLimit(request), cursor });
  const items: T[] = [];
  let bytes = 0;
  for (const item of page.items) {
    const whole = certificateView(item, at);
    const shown = view({ ...whole, locations: whole.locations.slice(0, LOCATIONS_IN_PAGE) });
    bytes += Buffer.byteLength(JSON.stringify(shown)) + 1;
    if (bytes > PAGE_BYTES && items.length > 0) {
      // Full: the next page starts at this certificate (after the one before it).
      const previous = page.items[items.length - 1] as typeof item;
      const partition = range.lists.indexOf(previous.certList as CertificateList);
      return {
        items,
        nextCursor: encodeCursor({ partition: Math.max(0, partition), after: previous.certExpiry }),
      };
    }
    items.push(shown);
  }
  return { items, nextCursor: page.next === undefined ? null : encodeCursor(page.next) };
}
