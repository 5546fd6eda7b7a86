import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../lib/certificate/cert-facts.ts';
import {
  type CertificateState,
  daysUntil,
  evaluateCertificate,
  renewalWindows,
} from '../../lib/policy/renewal-policy.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

/** A trusted, matching certificate of `lifetime` days with `left` days remaining at NOW. */
function cert(lifetime: number, left: number, extra: Partial<CertificateState> = {}): CertificateState {
  const notAfter = new Date(NOW.getTime() + left * DAY_MS);
  const notBefore = new Date(notAfter.getTime() - lifetime * DAY_MS);
  return {
    notBefore,
    notAfter,
    chainNotAfter: notAfter,
    chainNotBefore: notBefore,
    trusted: true,
    trustError: null,
    hostnameMatch: true,
    ...extra,
  };
}

describe('default renewal windows', () => {
  it.each([
    // lifetime, warnDays, critDays
    [6, 1.5, 1],
    [45, 11.25, 4.5],
    [47, 11.75, 4.7],
    [90, 22.5, 7],
    [100, 25, 7],
    [200, 30, 7],
    [398, 30, 7],
    [3650, 30, 7],
  ])('a %d-day certificate warns at %d days and is critical at %d', (lifetime, warnDays, critDays) => {
    const windows = renewalWindows(lifetime);
    expect(windows.warnDays).toBeCloseTo(warnDays, 6);
    expect(windows.critDays).toBeCloseTo(critDays, 6);
  });

  it('never makes the critical window wider than the warning window', () => {
    for (const lifetime of [0.5, 1, 2, 3, 4, 6, 10]) {
      const { warnDays, critDays } = renewalWindows(lifetime);
      expect(critDays).toBeLessThanOrEqual(warnDays);
    }
  });

  it('lets explicit thresholds override either window', () => {
    expect(renewalWindows(90, { warnDays: 40 })).toEqual({ warnDays: 40, critDays: 7 });
    expect(renewalWindows(90, { critDays: 3 })).toEqual({ warnDays: 22.5, critDays: 3 });
    expect(renewalWindows(90, { warnDays: 14, critDays: 2 })).toEqual({ warnDays: 14, critDays: 2 });
  });
});

describe('a healthy ACME certificate never warns', () => {
  // ACME clients renew with about a third of the lifetime left: until then the cert is served.
  it.each([6, 45, 47, 90, 100, 200, 398])('a %d-day certificate is ok all the way to its renewal point', (lifetime) => {
    const renewalPoint = lifetime / 3;
    for (let left = lifetime; left >= renewalPoint; left -= lifetime / 50) {
      expect(evaluateCertificate(cert(lifetime, left), NOW).status).toBe('ok');
    }
    expect(evaluateCertificate(cert(lifetime, renewalPoint), NOW).status).toBe('ok');
  });
});

describe('status of a certificate', () => {
  it.each([
    // lifetime, days left, status
    [398, 31, 'ok'],
    [398, 30, 'warning'],
    [398, 7.01, 'warning'],
    [398, 7, 'critical'],
    [398, 0.01, 'critical'],
    [90, 23, 'ok'],
    [90, 22, 'warning'],
    [90, 6.9, 'critical'],
    [6, 1.6, 'ok'],
    [6, 1.4, 'warning'],
    [6, 0.9, 'critical'],
    [90, 0, 'expired'],
    [90, -3, 'expired'],
  ] as const)('a %d-day certificate with %d days left is %s', (lifetime, left, status) => {
    expect(evaluateCertificate(cert(lifetime, left), NOW).status).toBe(status);
  });

  it('judges expiry on the earlier of leaf and chain', () => {
    const state = cert(90, 60, { chainNotAfter: new Date(NOW.getTime() + 3 * DAY_MS) });
    const verdict = evaluateCertificate(state, NOW);
    expect(verdict.status).toBe('critical');
    expect(verdict.reason).toMatch(/^an intermediate certificate expires/);
    expect(evaluateCertificate(cert(90, 60, { chainNotAfter: new Date(NOW.getTime() - DAY_MS) }), NOW).status).toBe(
      'expired',
    );
  });

  it('reports expired before untrusted or mismatched', () => {
    const verdict = evaluateCertificate(
      cert(90, -1, { trusted: false, trustError: 'CERT_HAS_EXPIRED', hostnameMatch: false }),
      NOW,
    );
    expect(verdict.status).toBe('expired');
  });

  it.each([
    ['untrusted', { trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, /untrusted: self-signed certificate/],
    ['a wrong name', { hostnameMatch: false }, /does not name this host/],
    ['not yet valid', { notBefore: new Date(NOW.getTime() + DAY_MS) }, /not valid before/],
    ['an intermediate not yet valid', { chainNotBefore: new Date(NOW.getTime() + DAY_MS) }, /not valid before/],
  ] as const)('reports %s as invalid with the reason', (_label, extra, reason) => {
    const verdict = evaluateCertificate(cert(90, 60, extra), NOW);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toMatch(reason);
  });

  it('applies explicit thresholds', () => {
    expect(evaluateCertificate(cert(90, 30), NOW, { warnDays: 45 }).status).toBe('warning');
    expect(evaluateCertificate(cert(90, 10), NOW, { warnDays: 5, critDays: 2 }).status).toBe('ok');
    expect(evaluateCertificate(cert(398, 20), NOW, { critDays: 21 }).status).toBe('critical');
  });
});

describe('daysUntil', () => {
  it.each([
    [10.9, 10],
    [0.5, 0],
    [0, 0],
    [-0.1, -1],
    [-10, -10],
    [-10.2, -11],
  ])('%d days from now is %d whole days (rounded down)', (days, whole) => {
    expect(daysUntil(new Date(NOW.getTime() + days * DAY_MS), NOW)).toBe(whole);
  });
});
