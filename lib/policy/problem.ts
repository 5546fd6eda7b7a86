// Why a check's certificate is refused or could not be read, in words: the error, the revocation,
// the trust error, the names the certificate carries against the name checked. One wording for the
// page (inventory, target, events), the certificate inventory and the API (no imports beyond
// trust-errors.ts: the dashboard page bundles this too).
import type { CheckResult } from './check-result.ts';
import { describeTrustError } from './trust-errors.ts';

/** The fields of a result the problem is read from (a stored result may lack the names). */
export type ProblemFacts = Pick<
  CheckResult,
  'status' | 'error' | 'checkedAt' | 'notBefore' | 'trusted' | 'trustError' | 'hostnameMatch' | 'servername' | 'host'
> &
  Partial<Pick<CheckResult, 'sans' | 'findings' | 'revocation'>>;

/** Names a problem shows before `…`. */
const NAMES_SHOWN = 3;

/** Why the check's certificate is refused or could not be read, in words; null when there is nothing to say. */
export function problemOf(r: ProblemFacts | null | undefined): string | null {
  if (!r) return null;
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  if (r.status !== 'invalid' && r.status !== 'revoked') return null;
  if (r.revocation?.status === 'revoked' || r.status === 'revoked') return 'revoked by its CA';
  if (r.notBefore && r.notBefore > r.checkedAt) return `not valid before ${r.notBefore.slice(0, 10)}`;
  if (r.trusted === false) return `not trusted: ${describeTrustError(r.trustError)}`;
  if (r.hostnameMatch === false) {
    const sans = r.sans ?? [];
    const checked = r.servername ?? r.host;
    if (!sans.length) return `the certificate does not name ${checked}`;
    const names = sans.slice(0, NAMES_SHOWN).join(', ') + (sans.length > NAMES_SHOWN ? ', …' : '');
    return `the certificate names ${names}, not ${checked}`;
  }
  if (r.findings?.length) return `weak: ${r.findings.map((f) => f.code).join(', ')}`;
  return null;
}

/** Names of the certificate a stored result keeps when they are its problem (enough for the words above, and the count). */
export const PROBLEM_NAMES_KEPT = NAMES_SHOWN + 1;
