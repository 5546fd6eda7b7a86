// The trust store finds a chain's anchor without parsing every root: it indexes them by the DER
// of their subject and by fingerprint, and parses only the roots a chain needs.
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateNames } from '../../lib/certificate/der.ts';
import { TrustStore } from '../../lib/certificate/trust-store.ts';
import { buildChain } from '../../lib/sources/tls/chain.ts';
import { createChain, createRootCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';

const parse = (m: Minted) => new X509Certificate(m.certPem);
let chain: { root: Minted; intermediate: Minted; leaf: Minted };
beforeAll(async () => {
  chain = await createChain({ sans: ['names.test'] });
});

describe('certificate names read from DER', () => {
  it('reads the issuer and subject that chain a certificate to its issuer', () => {
    const leaf = certificateNames(parse(chain.leaf).raw);
    const intermediate = certificateNames(parse(chain.intermediate).raw);
    const root = certificateNames(parse(chain.root).raw);
    expect(leaf?.issuer).toBe(intermediate?.subject);
    expect(intermediate?.issuer).toBe(root?.subject);
    expect(root?.issuer).toBe(root?.subject);
    expect(leaf?.subject).not.toBe(intermediate?.subject);
  });

  it('agrees with X509Certificate on every root Node bundles', () => {
    const textBySubject = new Map<string, string>();
    const pems = tls.getCACertificates('bundled');
    expect(pems.length).toBeGreaterThan(100);
    for (const pem of pems) {
      const cert = new X509Certificate(pem);
      const names = certificateNames(cert.raw);
      expect(names, cert.subject).toBeDefined();
      // The same name bytes always read as the same text, and a self-signed root names itself.
      const text = textBySubject.get(names?.subject ?? '');
      if (text !== undefined) expect(cert.subject).toBe(text);
      textBySubject.set(names?.subject ?? '', cert.subject);
      if (cert.checkIssued(cert)) expect(names?.issuer).toBe(names?.subject);
    }
  });

  it('answers undefined, never throws, for bytes that are not a certificate', () => {
    const raw = parse(chain.leaf).raw;
    for (let cut = 0; cut < raw.length; cut += 7) expect(certificateNames(raw.subarray(0, cut))).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const names = certificateNames(Buffer.from(bytes));
        expect(names === undefined || typeof names.subject === 'string').toBe(true);
      }),
    );
  });
});

describe('the trust store', () => {
  it('knows its anchors by fingerprint: the extra CA and the bundled roots, not what they issued', () => {
    const trust = new TrustStore([chain.root.certPem]);
    const bundled = new X509Certificate(tls.getCACertificates('bundled')[0] as string);
    expect(trust.isAnchor(parse(chain.root))).toBe(true);
    expect(trust.isAnchor(bundled)).toBe(true);
    expect(trust.isAnchor(parse(chain.intermediate))).toBe(false);
    expect(trust.isPublicAnchor(bundled)).toBe(true);
    expect(trust.isPublicAnchor(parse(chain.root))).toBe(false);
    // Every bundled root is public (read from the anchor index), and nothing else is.
    const all = tls.getCACertificates('bundled').map((pem) => new X509Certificate(pem));
    expect(all.filter((root) => !trust.isPublicAnchor(root))).toEqual([]);
    expect(trust.isPublicAnchor(parse(chain.intermediate))).toBe(false);
  });

  it('finds the anchor that signed a certificate among roots of the same name', async () => {
    const subject = 'CN=certvigil renewed root, O=certvigil tests';
    const old = await createRootCa({ subject });
    const renewed = await createRootCa({ subject });
    const intermediate = await issueCertificate(renewed, { ca: true });
    const trust = new TrustStore([old.certPem, renewed.certPem]);
    expect(trust.issuerOf(parse(intermediate))?.fingerprint256).toBe(parse(renewed).fingerprint256);
    expect(trust.issuerOf(parse(chain.intermediate))).toBeUndefined();
  });

  it('anchors a chain whose issuer name is encoded otherwise than the root writes its subject', async () => {
    const root = await createRootCa({ subject: 'CN=certvigil encoded root, O=certvigil tests' });
    const reencoded = new x509.Name([
      { CN: [{ utf8String: 'certvigil encoded root' }] },
      { O: [{ utf8String: 'certvigil tests' }] },
    ]);
    const intermediate = await issueCertificate(root, { ca: true, issuerName: reencoded });
    const leaf = await issueCertificate(intermediate, { sans: ['encoded.test'] });
    const presented = [parse(leaf), parse(intermediate)];
    // The names read the same and differ in their bytes.
    expect(presented[1]?.issuer).toBe(parse(root).subject);
    expect(certificateNames(parse(intermediate).raw)?.issuer).not.toBe(certificateNames(parse(root).raw)?.subject);

    const trust = new TrustStore([root.certPem]);
    expect(trust.issuerOf(presented[1] as X509Certificate)).toBeUndefined();
    const built = buildChain(presented, trust);
    expect(built.anchored).toBe(true);
    expect(built.links.map((l) => l.source)).toEqual(['server', 'server', 'trust-store']);
    expect(built.links.at(-1)?.cert.fingerprint256).toBe(parse(root).fingerprint256);
  });

  it('builds the usual chain: leaf and intermediate presented, the root from the store', () => {
    const built = buildChain([parse(chain.leaf), parse(chain.intermediate)], new TrustStore([chain.root.certPem]));
    expect(built.anchored).toBe(true);
    expect(built.links.map((l) => l.cert.subject)).toEqual([
      parse(chain.leaf).subject,
      parse(chain.intermediate).subject,
      parse(chain.root).subject,
    ]);
    expect(built.notAfter).toEqual(
      new Date(Math.min(parse(chain.leaf).validToDate.getTime(), parse(chain.intermediate).validToDate.getTime())),
    );
  });
});
