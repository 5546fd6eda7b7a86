// GET /certificates and one certificate: the inventory keyed by fingerprint. With `limit` or
// `cursor`, in pages from the certificate lists index (soonest expiry first); without, the whole
// list while it fits one answer.
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { certificateQuery, certificatesPage, inventory, matchesQuery } from '../certificate-query.ts';
import { canonicalFingerprint, certificateView, sortCertificates } from '../certificate-views.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';
import { guardWholeList } from '../whole-list.ts';

async function listCertificates(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  if (request.query.has('limit') || request.query.has('cursor')) {
    return json(200, await certificatesPage(request, deps, (v) => v));
  }
  const query = certificateQuery(request);
  await guardWholeList(request, deps, 'the certificate list', '/certificates?limit=500');
  const at = now(deps);
  const views = (await inventory(deps).all())
    .map((item) => certificateView(item, at))
    .filter((v) => matchesQuery(v, query));
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
