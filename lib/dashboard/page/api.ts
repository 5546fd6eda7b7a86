// The page's only way to the admin API: same origin (local mode, or `certvigil dashboard`, which
// signs and forwards), the bearer token from sessionStorage when there is one, never in a URL.
import type { TargetView } from '../../admin/admin-api.ts';
import type { CertificateView } from '../../admin/certificate-views.ts';
import type { OpenEventView } from '../../admin/open-events.ts';
import type { SummaryView } from '../../admin/routes/summary.ts';
import { problemOf } from '../../policy/problem.ts';
import { DASHBOARD_HEADER } from '../protocol.ts';

const TOKEN_KEY = 'certvigil-token';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function getJson<T>(path: string): Promise<T> {
  return requestJson<T>('GET', path);
}

/** A call to the admin API: JSON in and out, the page's header and the token, never cookies. */
async function requestJson<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', [DASHBOARD_HEADER]: '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    throw new ApiError(0, 'certvigil did not answer; is local mode (or certvigil dashboard) still running?');
  }
  if (!response.ok) {
    let detail = `the admin API answered ${response.status}`;
    try {
      const problem = (await response.json()) as { detail?: unknown };
      if (typeof problem.detail === 'string') detail = problem.detail;
    } catch {
      // not a problem document: keep the status
    }
    throw new ApiError(response.status, detail);
  }
  return (await response.json()) as T;
}

export type { CertificateView, OpenEventView, SummaryView, TargetView };

export interface TimelineRow {
  checkedAt: string;
  status: string;
  change: string | null;
  daysLeft: number | null;
  notAfter: string | null;
  subject: string | null;
  issuer: string | null;
  fingerprint256: string | null;
  error: { kind: string; message: string } | null;
  /** An acknowledgement's or snooze's row: which event, who, the note, until when. */
  acknowledgement?: { kind: string; by: string; note?: string; until?: string; event: string } | undefined;
}

/** A row of the inventory table: a target and its latest check, flattened. */
export interface TargetRow {
  target: string;
  status: string;
  daysLeft: number | null;
  notAfter: string | null;
  kind: string;
  owner: string | null;
  tags: string;
  subject: string | null;
  issuer: string | null;
  error: string | null;
  /** Why the target is not ok, in words: its error, the trust error, the names against the name checked. */
  problem: string | null;
  checkedAt: string | null;
  fingerprint256: string | null;
}

export function rowOf(t: TargetView): TargetRow {
  const r = t.lastCheck;
  return {
    target: t.id,
    status: r?.status ?? 'unchecked',
    daysLeft: r?.daysLeft ?? null,
    notAfter: r?.notAfter ?? null,
    kind: t.kind ?? 'tls',
    owner: t.owner ?? null,
    tags: (t.tags ?? []).join(' '),
    subject: r?.subject ?? null,
    issuer: r?.issuer ?? null,
    error: r?.error ? `${r.error.kind}: ${r.error.message}` : null,
    problem: problemOf(r),
    checkedAt: r?.checkedAt ?? null,
    fingerprint256: r?.fingerprint256 ?? null,
  };
}

/** A page of a list the admin API pages, and where the next one starts (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What the inventory view opens with: the summary and the first pages, never the whole inventory. */
export interface Overview {
  loadedAt: number;
  /** Null where the deployment keeps no summary (the counts then come from the first page). */
  summary: SummaryView | null;
  /** The soonest-expiring targets: the table's first page and the timeline's marks. */
  first: Page<TargetRow>;
  /** The first open events, most severe first. */
  events: Page<OpenEventView>;
}

/** Rows a page of the table holds. */
export const PAGE_ROWS = 200;

export async function loadOverview(): Promise<Overview> {
  const [summary, first, events] = await Promise.all([
    getJson<SummaryView>('/summary').catch((error: ApiError) => {
      if (error.status === 501) return null;
      throw error;
    }),
    targetsPage(new URLSearchParams()),
    getJson<Page<OpenEventView>>('/events?limit=10'),
  ]);
  return { loadedAt: Date.now(), summary, first, events };
}

/** A page of targets with these filters (server-side), from `cursor` on. */
export async function targetsPage(filters: URLSearchParams, cursor?: string | null): Promise<Page<TargetRow>> {
  const query = new URLSearchParams(filters);
  query.set('limit', String(PAGE_ROWS));
  if (cursor) query.set('cursor', cursor);
  const page = await getJson<Page<TargetView>>(`/targets?${query}`);
  return { items: page.items.map(rowOf), nextCursor: page.nextCursor };
}

export async function eventsPage(cursor?: string | null): Promise<Page<OpenEventView>> {
  return getJson<Page<OpenEventView>>(`/events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
}

/**
 * A page of certificates (soonest expiry first, those served nowhere last) with these filters
 * (server-side); `missing` says why there is none where the deployment keeps no inventory.
 */
export async function certificatesPage(
  filters: URLSearchParams,
  cursor?: string | null,
): Promise<Page<CertificateView> & { missing: string | null }> {
  const query = new URLSearchParams(filters);
  query.set('limit', String(PAGE_ROWS));
  if (cursor) query.set('cursor', cursor);
  return getJson<Page<CertificateView>>(`/certificates?${query}`).then(
    (page) => ({ ...page, missing: null }),
    (error: ApiError) => {
      if (error.status === 501) return { items: [], nextCursor: null, missing: error.message };
      throw error;
    },
  );
}

/** Acknowledges (until renewed) or snoozes (until `until`) one open event of `target`. */
export function acknowledgeEvent(
  kind: 'ack' | 'snooze',
  event: { id: string; target: string },
  until?: string,
): Promise<{ acknowledged: NonNullable<OpenEventView['acknowledged']> }> {
  return requestJson('POST', `/events/${enc(event.id)}/${kind}`, {
    target: event.target,
    ...(until ? { until } : {}),
  });
}

const enc = encodeURIComponent;

export const targetPath = (id: string) => `/targets/${enc(id)}`;
export const timelinePath = (id: string) => `/targets/${enc(id)}/timeline?limit=50`;
export const certificatePath = (fingerprint: string) => `/certificates/${enc(fingerprint)}`;
