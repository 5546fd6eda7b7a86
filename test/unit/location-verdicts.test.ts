// Issue 32: where a check refuses a certificate, and why, as the inventory records it: per address
// of a TLS target (its own status there), per place a document publishes it (the certificate's
// own status and problem).
import { describe, expect, it } from 'vitest';
import { locationsOf, refusalOf } from '../../lib/inventory/locations.ts';
import type { CertificateEntry, CheckResult } from '../../lib/policy/check-result.ts';
import { checkResult } from '../fixtures/check-results.ts';

describe('where a check refuses a certificate', () => {
  it('marks the addresses of a TLS target that refuse it, with the words the page uses', () => {
    const result: CheckResult = {
      ...checkResult({
        status: 'invalid',
        trusted: true,
        hostnameMatch: false,
        endpoints: [
          { address: '192.0.2.1', fingerprint: 'AA:AA', status: 'invalid' },
          { address: '192.0.2.2', fingerprint: 'BB:BB', status: 'ok' },
        ],
      }),
      sans: ['other.example'],
    };
    const locations = locationsOf(result) ?? {};
    const [refused] = locations['192.0.2.1'] ?? [];
    const [accepted] = locations['192.0.2.2'] ?? [];
    if (!refused || !accepted) throw new Error('both addresses have a location');
    expect(refused.refused).toBe('invalid');
    expect('refused' in accepted).toBe(false);
    expect(refusalOf(result, refused)).toEqual({
      status: 'invalid',
      problem: 'the certificate names other.example, not www.example.com',
    });
    expect(refusalOf(result, accepted)).toBeUndefined();
  });

  it("marks a document's certificate by its own status, with its own problem", () => {
    const base = checkResult({ status: 'invalid' });
    const entry = (over: Partial<CertificateEntry>): CertificateEntry => ({
      ...(base.certificates[0] as CertificateEntry),
      ...over,
    });
    const result: CheckResult = {
      ...base,
      kind: 'saml',
      endpoints: [],
      certificates: [
        entry({ fingerprint256: 'AA:AA', namesKey: 'idp signing', status: 'invalid', problem: 'x5t#S256 mismatch' }),
        entry({ fingerprint256: 'BB:BB', namesKey: 'idp encryption', status: 'ok', problem: null }),
      ],
    };
    const locations = locationsOf(result) ?? {};
    const signing = locations['idp signing']?.[0];
    if (!signing) throw new Error('the signing certificate has a location');
    expect(signing.refused).toBe('invalid');
    expect(locations['idp encryption']?.[0]?.refused).toBeUndefined();
    expect(refusalOf(result, signing)).toEqual({ status: 'invalid', problem: 'x5t#S256 mismatch' });
  });

  it('records no location for a check that read nothing', () => {
    expect(locationsOf(checkResult({ status: 'error', error: { kind: 'timeout', message: 'no answer' } }))).toBe(
      undefined,
    );
  });
});
