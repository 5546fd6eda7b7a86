// The DER reader meets hostile bytes: whatever a certificate or a CRL holds, it answers or throws
// its own errors, never reads past its input, and never loops.
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { children, DerError, element, oid, time } from '../../lib/certificate/der.ts';
import { CrlError, readCrl } from '../../lib/sources/tls/revocation/crl.ts';
import { createRootCa } from '../fixtures/cert-factory.ts';

// Any well-formed certificate will do as the "issuer" of hostile CRLs.
let ISSUER: X509Certificate;
beforeAll(async () => {
  ISSUER = new X509Certificate((await createRootCa()).certPem);
});

describe('the DER reader', () => {
  it('reads lengths in short and long form, and refuses ones past the input', () => {
    expect(element(Buffer.from([0x04, 0x02, 0xaa, 0xbb])).content).toEqual(Buffer.from([0xaa, 0xbb]));
    expect(element(Buffer.concat([Buffer.from([0x04, 0x81, 0x80]), Buffer.alloc(128)])).content.length).toBe(128);
    expect(() => element(Buffer.from([0x04, 0x05, 0xaa]))).toThrow(DerError);
    expect(() => element(Buffer.from([0x04, 0x85, 1, 2, 3, 4, 5]))).toThrow(DerError);
    expect(() => element(Buffer.from([0x04]))).toThrow(DerError);
  });

  it('reads OIDs and both time forms', () => {
    expect(oid(Buffer.from('551d1f', 'hex'))).toBe('2.5.29.31');
    expect(oid(Buffer.from('2a864886f70d01010b', 'hex'))).toBe('1.2.840.113549.1.1.11');
    expect(time({ tag: 0x17, content: Buffer.from('261128120000Z'), bytes: Buffer.alloc(0) }).toISOString()).toBe(
      '2026-11-28T12:00:00.000Z',
    );
    expect(time({ tag: 0x18, content: Buffer.from('20491231235959Z'), bytes: Buffer.alloc(0) }).toISOString()).toBe(
      '2049-12-31T23:59:59.000Z',
    );
    expect(() => time({ tag: 0x17, content: Buffer.from('tomorrow'), bytes: Buffer.alloc(0) })).toThrow(DerError);
  });

  it('answers any bytes with a CrlError, never another error or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        try {
          await readCrl(Buffer.from(bytes), ISSUER, new Date());
        } catch (error) {
          expect(error).toBeInstanceOf(CrlError);
        }
        try {
          children(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(DerError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
