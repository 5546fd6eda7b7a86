// The check cadence: a target's own interval while healthy, at most 6 hours in its warning
// window, at most 15 minutes while critical, expired, invalid or unreadable.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE, nextCheck } from '../../lib/policy/cadence.ts';

describe('next check', () => {
  it.each([
    ['ok', 1440, 1440, false],
    ['warning', 1440, 360, false],
    ['critical', 1440, 15, true],
    ['expired', 1440, 15, true],
    ['invalid', 1440, 15, true],
    ['error', 1440, 15, true],
    // A target checked more often than the cadence keeps its own interval.
    ['warning', 60, 60, false],
    ['critical', 10, 10, true],
    // An interval of its own under an hour needs the frequent round too.
    ['ok', 30, 30, true],
    ['ok', 60, 60, false],
  ] as const)('%s with a %i-minute interval: every %i minutes (soon: %s)', (status, interval, minutes, soon) => {
    expect(nextCheck(interval, status)).toEqual({ minutes, soon });
  });

  it('takes the deployment’s settings', () => {
    expect(nextCheck(1440, 'warning', { warningMinutes: 120, troubleMinutes: 30 })).toEqual({
      minutes: 120,
      soon: false,
    });
    expect(nextCheck(1440, 'expired', { warningMinutes: 120, troubleMinutes: 30 })).toEqual({
      minutes: 30,
      soon: true,
    });
    expect(nextCheck(1440, 'warning', { ...DEFAULT_CADENCE, warningMinutes: 45 })).toEqual({ minutes: 45, soon: true });
  });
});
