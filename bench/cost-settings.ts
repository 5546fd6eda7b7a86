// What bench/cost.ts assumes rather than measures, and the prices it uses: in one place, printed
// with every run.

/** Network time of one check on a real endpoint: DNS, TCP and a TLS 1.3 handshake, ~3 round trips of 50 ms. */
export const NETWORK_MS = 150;
/** Share of checks that change something stored (a renewal every ~60 days, status changes, errors). */
export const CHANGED_SHARE = 0.02;
/**
 * The dispatcher's time per target per round, invoke mode with 5% throttled, the slower of the
 * measured sizes: 1,000,000 targets in 716 s (`npm run bench:dispatch -- 1000000 invoke 0.05 900`;
 * 100,000 took 48 s).
 */
export const DISPATCH_MS_PER_TARGET = 0.716;
/** Full dispatch rounds a month (hourly). */
export const ROUNDS_PER_MONTH = 730;
/** Frequent rounds a month over the due-soon index (every 15 minutes; they read the troubled targets only). */
export const SOON_ROUNDS_PER_MONTH = 2920;
/** Days a history row is kept. */
export const HISTORY_TTL_DAYS = 400;

/** Share of targets in their warning window at any time, and in trouble (critical, expired, invalid, unreachable). */
export const WARNING_SHARE = 0.02;
export const TROUBLE_SHARE = 0.01;

/**
 * Checks a target gets in a month: daily, plus the adaptive cadence's extra checks for the share
 * in their warning window (every `warningMinutes`) or in trouble (every `troubleMinutes`).
 */
export function checksPerTargetPerMonth(cadence: { warningMinutes: number; troubleMinutes: number }): number {
  const perDay =
    1 + WARNING_SHARE * (1440 / cadence.warningMinutes - 1) + TROUBLE_SHARE * (1440 / cadence.troubleMinutes - 1);
  return perDay * 30.4;
}

/** History rows written per check: the timeline records only checks that change something. */
export function historyRowsPerCheck(changedShare: number): number {
  return changedShare;
}

/** us-east-1 list prices, on demand, arm64 (November 2026). */
export const PRICES = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  storageGbMonth: 0.25,
  pitrGbMonth: 0.2,
  metricMonth: 0.3,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  logIngestGb: 0.5,
  logStoreGbMonth: 0.03,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
};
