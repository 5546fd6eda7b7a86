import { describe, expect, it } from 'vitest';
import { combinedExitCode, exitCodeFor, type Status, worstStatus } from '../../lib/policy/status.ts';

describe('statuses', () => {
  it.each([
    ['ok', 0],
    ['warning', 1],
    ['critical', 2],
    ['expired', 2],
    ['invalid', 2],
    ['error', 3],
  ] as const)('%s exits with %d', (status, code) => {
    expect(exitCodeFor(status)).toBe(code);
  });

  it.each([
    [[], 'ok'],
    [['ok', 'error'], 'error'],
    [['error', 'warning'], 'warning'],
    [['warning', 'critical', 'ok'], 'critical'],
    [['critical', 'invalid'], 'invalid'],
    [['invalid', 'expired'], 'expired'],
  ] as const)('the worst of %j is %s', (statuses, worst) => {
    expect(worstStatus(statuses as readonly Status[])).toBe(worst);
  });

  it.each([
    [['ok', 'ok'], 0],
    [['ok', 'error'], 3],
    [['error', 'warning'], 1],
    [['warning', 'expired', 'error'], 2],
    [[], 0],
  ] as const)('several results %j exit with %d (critical > warning > unknown > ok)', (statuses, code) => {
    expect(combinedExitCode(statuses as readonly Status[])).toBe(code);
  });
});
