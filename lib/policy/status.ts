/** A check's verdict. `error`: no certificate could be read. */
export const STATUSES = ['ok', 'warning', 'critical', 'expired', 'invalid', 'revoked', 'error'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Severity order used to pick a target's worst status across its addresses. It mirrors the
 * monitoring-plugin rule CRITICAL > WARNING > UNKNOWN > OK: an unreachable address outranks a
 * healthy one, but a certificate that is about to break (or broken) outranks an unknown.
 */
const SEVERITY: Record<Status, number> = {
  ok: 0,
  error: 1,
  warning: 2,
  critical: 3,
  invalid: 4,
  expired: 5,
  // Revoked by its CA: refused wherever revocation is checked, whatever its dates say.
  revoked: 6,
};

export function severity(status: Status): number {
  return SEVERITY[status];
}

/** The most severe of the given statuses; `ok` for none. */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'ok';
  for (const status of statuses) if (SEVERITY[status] > SEVERITY[worst]) worst = status;
  return worst;
}

/** Monitoring-plugin exit codes: 0 ok, 1 warning, 2 critical, 3 unknown. */
export type ExitCode = 0 | 1 | 2 | 3;

export function exitCodeFor(status: Status): ExitCode {
  switch (status) {
    case 'ok':
      return 0;
    case 'warning':
      return 1;
    case 'critical':
    case 'expired':
    case 'invalid':
    case 'revoked':
      return 2;
    case 'error':
      return 3;
  }
}

/** The exit code for several results together: 2 beats 1 beats 3 beats 0. */
export function combinedExitCode(statuses: Iterable<Status>): ExitCode {
  const rank: Record<ExitCode, number> = { 0: 0, 3: 1, 1: 2, 2: 3 };
  let code: ExitCode = 0;
  for (const status of statuses) {
    const next = exitCodeFor(status);
    if (rank[next] > rank[code]) code = next;
  }
  return code;
}
