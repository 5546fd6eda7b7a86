import { describe, expect, it } from 'vitest';
import type { JudgedCertificate } from '../../lib/certificate/cert-facts.ts';
import { findingsOf, maxPublicLifetimeDays } from '../../lib/policy/findings.ts';

const cert = (over: Partial<JudgedCertificate> = {}): JudgedCertificate => ({
  fingerprint256: 'AA',
  subject: 'CN=www.example.com',
  keyType: 'ec',
  keyBits: 256,
  signatureAlgorithm: 'ecdsa-with-SHA256',
  notBefore: '2026-06-01T00:00:00.000Z',
  lifetimeDays: 90,
  root: false,
  selfSigned: false,
  leaf: true,
  ...over,
});
const codes = (list: JudgedCertificate[], publiclyTrusted = true) =>
  findingsOf(list, { publiclyTrusted }).map((f) => `${f.code}:${f.fingerprint256}`);

describe('the lifetime public CAs may issue', () => {
  it.each([
    ['2025-12-31T23:59:59Z', 398],
    ['2026-03-14T23:59:59Z', 398],
    ['2026-03-15T00:00:00Z', 200],
    ['2027-03-14T23:59:59Z', 200],
    ['2027-03-15T00:00:00Z', 100],
    ['2029-03-14T23:59:59Z', 100],
    ['2029-03-15T00:00:00Z', 47],
  ])('issued %s: %i days', (at, days) => {
    expect(maxPublicLifetimeDays(new Date(at))).toBe(days);
  });
});

describe('findings', () => {
  it('a healthy modern chain has none', () => {
    expect(codes([cert(), cert({ fingerprint256: 'IM', leaf: false, keyType: 'rsa', keyBits: 2048 })])).toEqual([]);
  });

  it('flags RSA keys under 2048 bits on the leaf and intermediates, never on the root', () => {
    expect(
      codes([
        cert({ keyType: 'rsa', keyBits: 1024 }),
        cert({ fingerprint256: 'IM', leaf: false, keyType: 'rsa', keyBits: 1536 }),
        cert({ fingerprint256: 'RT', leaf: false, root: true, keyType: 'rsa', keyBits: 1024 }),
      ]),
    ).toEqual(['weak-rsa-key:AA', 'weak-rsa-key:IM']);
    expect(codes([cert({ keyType: 'rsa', keyBits: 2048 })])).toEqual([]);
    expect(codes([cert({ keyType: 'ec', keyBits: 256 })])).toEqual([]);
  });

  it("flags SHA-1 and MD5 signatures a CA made, not the root's and not a self-signed certificate's", () => {
    expect(
      codes([
        cert({ signatureAlgorithm: 'sha1WithRSAEncryption' }),
        cert({ fingerprint256: 'IM', leaf: false, signatureAlgorithm: 'md5WithRSAEncryption' }),
        cert({ fingerprint256: 'RT', leaf: false, root: true, signatureAlgorithm: 'sha1WithRSAEncryption' }),
      ]),
    ).toEqual(['sha1-signature:AA', 'md5-signature:IM']);
    expect(codes([cert({ signatureAlgorithm: 'ecdsa-with-SHA1' })])).toEqual(['sha1-signature:AA']);
    expect(codes([cert({ signatureAlgorithm: 'sha1WithRSAEncryption', selfSigned: true })])).toEqual([]);
    // …but a self-signed certificate's short key is still weak (a SAML signing key, say).
    expect(codes([cert({ selfSigned: true, keyType: 'rsa', keyBits: 1024 })])).toEqual(['weak-rsa-key:AA']);
    for (const fine of ['sha256WithRSAEncryption', 'ecdsa-with-SHA384', 'sha512WithRSAEncryption', 'ED25519']) {
      expect(codes([cert({ signatureAlgorithm: fine })])).toEqual([]);
    }
  });

  it('flags a publicly trusted leaf living longer than public CAs may issue on its issue date', () => {
    const at = (notBefore: string, lifetimeDays: number) => cert({ notBefore, lifetimeDays });
    expect(codes([at('2026-03-14T00:00:00Z', 397)])).toEqual([]);
    expect(codes([at('2026-03-14T00:00:00Z', 399)])).toEqual(['lifetime-over-limit:AA']);
    expect(codes([at('2026-03-16T00:00:00Z', 200)])).toEqual([]);
    expect(codes([at('2026-03-16T00:00:00Z', 201)])).toEqual(['lifetime-over-limit:AA']);
    expect(codes([at('2027-04-01T00:00:00Z', 101)])).toEqual(['lifetime-over-limit:AA']);
    expect(codes([at('2029-04-01T00:00:00Z', 48)])).toEqual(['lifetime-over-limit:AA']);
    // An internal CA's certificate may live as long as its owner wants; an intermediate too.
    expect(codes([at('2026-04-01T00:00:00Z', 3650)], false)).toEqual([]);
    expect(codes([cert(), cert({ fingerprint256: 'IM', leaf: false, lifetimeDays: 3650 })])).toEqual([]);
  });

  it('keeps at most ten findings, each with bounded words', () => {
    const chain = Array.from({ length: 16 }, (_, i) =>
      cert({ fingerprint256: `C${i}`, leaf: i === 0, keyType: 'rsa', keyBits: 512, subject: 'x'.repeat(5000) }),
    );
    const findings = findingsOf(chain, { publiclyTrusted: false });
    expect(findings).toHaveLength(10);
    for (const f of findings) expect(f.subject.length).toBeLessThanOrEqual(220);
  });
});
