// The page's only way to the admin API: same origin (local mode, or `certvigil dashboard`, which
// signs and forwards), the bearer token from sessionStorage when there is one, never in a URL.
import type { TargetView } from '../../admin/admin-api.ts';
import type { CertificateView } from '../../admin/certificate-views.ts';
import type { OpenEventView } from '../../admin/open-events.ts';
import type { ReportRow } from '../../admin/report.ts';
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

export async function getJson<T>(path: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', [DASHBOARD_HEADER]: '1' };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { headers, credentials: 'omit', cache: 'no-store', redirect: 'error' });
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

export type { CertificateView, OpenEventView, ReportRow, TargetView };

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
}

/** Everything the inventory views show, read in three requests. */
export interface Inventory {
  loadedAt: number;
  targets: ReportRow[];
  certificates: CertificateView[];
  events: OpenEventView[];
  /** Set when the deployment keeps no certificate inventory (the views say so). */
  certificatesMissing: string | null;
}

export async function loadInventory(): Promise<Inventory> {
  const [targets, certificates, events] = await Promise.all([
    getJson<ReportRow[]>('/report?format=json'),
    getJson<CertificateView[]>('/certificates').then(
      (list) => ({ list, missing: null }),
      (error: ApiError) => {
        if (error.status === 501) return { list: [] as CertificateView[], missing: error.message };
        throw error;
      },
    ),
    getJson<OpenEventView[]>('/events'),
  ]);
  return {
    loadedAt: Date.now(),
    targets,
    certificates: certificates.list,
    events,
    certificatesMissing: certificates.missing,
  };
}

const enc = encodeURIComponent;

export const targetPath = (id: string) => `/targets/${enc(id)}`;
export const timelinePath = (id: string) => `/targets/${enc(id)}/timeline?limit=50`;
export const certificatePath = (fingerprint: string) => `/certificates/${enc(fingerprint)}`;
