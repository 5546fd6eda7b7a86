// GET /certificates and one certificate: the inventory keyed by fingerprint.
import type { CertificateStore } from '../../store/certificate-store.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { canonicalFingerprint, certificateView, sortCertificates } from '../certificate-views.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';
import { guardWholeList } from '../whole-list.ts';

export function inventory(deps: AdminDependencies): CertificateStore {
  if (!deps.certificates) throw new ProblemError(501, 'this deployment keeps no certificate inventory');
  return deps.certificates;
}

const CERTIFICATE_STATUSES = ['ok', 'warning', 'critical', 'expired'];

async function listCertificates(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const within = request.query.get('expiringWithin');
  const days = within === null ? undefined : Number(within);
  if (
    days !== undefined &&
    (!Number.isFinite(days) || days < 0 || days > 3650 || !/^\d+(\.\d+)?$/.test(within ?? ''))
  ) {
    throw new ProblemError(400, `expiringWithin must be a number of days from 0 to 3650 (got "${within}")`, [
      { field: 'expiringWithin', message: 'must be a number of days' },
    ]);
  }
  const status = request.query.get('status') ?? undefined;
  if (status !== undefined && !CERTIFICATE_STATUSES.includes(status)) {
    throw new ProblemError(400, `status must be one of ${CERTIFICATE_STATUSES.join(', ')} (got "${status}")`, [
      { field: 'status', message: `must be one of ${CERTIFICATE_STATUSES.join(', ')}` },
    ]);
  }
  await guardWholeList(request, deps, 'the certificate list');
  const at = now(deps);
  const views = (await inventory(deps).all())
    .map((item) => certificateView(item, at))
    .filter((v) => (days === undefined ? true : v.notAfter !== null && v.daysLeft !== null && v.daysLeft <= days))
    .filter((v) => (status === undefined ? true : v.status === status));
  return json(200, sortCertificates(views));
}

async function getCertificate(encoded: string, deps: AdminDependencies): Promise<AdminResponse> {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    throw new ProblemError(400, 'the fingerprint in the path is not valid URL encoding');
  }
  const fingerprint = canonicalFingerprint(text);
  if (!fingerprint)
    throw new ProblemError(404, 'no certificate: give its SHA-256 fingerprint (64 hex digits, colons optional)');
  const item = await inventory(deps).get(fingerprint);
  if (!item) throw new ProblemError(404, `no certificate ${fingerprint} has been seen`);
  return json(200, certificateView(item, now(deps)));
}

export const CERTIFICATE_ROUTES: readonly Route[] = [
  { path: '/certificates', pattern: /^\/certificates$/, methods: { GET: (r, _, d) => listCertificates(r, d) } },
  {
    path: '/certificates/{fingerprint256}',
    pattern: /^\/certificates\/(.+)$/,
    methods: { GET: (_, [fingerprint], d) => getCertificate(fingerprint ?? '', d) },
  },
];
