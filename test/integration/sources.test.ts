// Certificate sources against real HTTPS servers on loopback serving documents built from
// certificates the fixtures mint: SAML metadata, JWKS and OIDC discovery, PEM and DER, files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTrustStore, type TrustStore } from '../../lib/certificate/trust-store.ts';
import { DEFAULT_TIMEOUTS, type ProbeTimeouts } from '../../lib/net/timeouts.ts';
import type { CheckResult } from '../../lib/policy/check-result.ts';
import { ALL_READERS, checkSource } from '../../lib/sources/registry.ts';
import type { SourceContext } from '../../lib/sources/source-context.ts';
import { addressGuard } from '../../lib/targets/address-guard.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createRootCa, createSelfSigned, daysFromNow, type Minted } from '../fixtures/cert-factory.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { jwks, type SamlEntity, samlMetadata } from '../fixtures/documents.ts';

let docs: DocumentServer;
let dir: string;
let expiring: Minted; // 5 days left of 90
let successor: Minted; // published alongside, 89 days left
let healthy: Minted;
let expired: Minted;

const fast: ProbeTimeouts = { ...DEFAULT_TIMEOUTS, connectMs: 1000, handshakeMs: 1000, endpointMs: 2500, dnsMs: 500 };

function context(overrides: Partial<SourceContext> = {}): SourceContext {
  return {
    trust: defaultTrustStore(),
    timeouts: fast,
    thresholds: {},
    allowFiles: true,
    now: () => new Date(),
    ...overrides,
  };
}

async function check(target: string, overrides: Partial<SourceContext> = {}): Promise<CheckResult> {
  return checkSource(normalizeTarget({ host: target }), context(overrides), ALL_READERS);
}

beforeAll(async () => {
  docs = await startDocumentServer();
  dir = mkdtempSync(join(tmpdir(), 'certvigil-sources-'));
  // Self-signed, as SAML and JWKS certificates usually are.
  expiring = await createSelfSigned({
    subject: 'CN=idp signing 2026',
    notBefore: daysFromNow(-85),
    notAfter: daysFromNow(5),
  });
  successor = await createSelfSigned({
    subject: 'CN=idp signing 2027',
    notBefore: daysFromNow(-1),
    notAfter: daysFromNow(89),
  });
  healthy = await createSelfSigned({
    subject: 'CN=sp encryption',
    notBefore: daysFromNow(-10),
    notAfter: daysFromNow(300),
  });
  expired = await createSelfSigned({ subject: 'CN=old sp', notBefore: daysFromNow(-400), notAfter: daysFromNow(-2) });
});
afterAll(async () => {
  await docs.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('saml: metadata', () => {
  it('reads an IdP in rollover: both signing certificates, the expiring one pointing at its successor', async () => {
    docs.serve(
      '/idp.xml',
      samlMetadata([
        {
          entityId: 'https://idp.example.org/idp',
          roles: [
            {
              role: 'IDPSSODescriptor',
              keys: [
                { cert: expiring, use: 'signing' },
                { cert: successor, use: 'signing' },
                { cert: healthy, use: 'encryption' },
              ],
            },
          ],
        },
      ]),
      'application/samlmetadata+xml',
    );
    const result = await check(`saml:${docs.origin}/idp.xml`);
    expect(result).toMatchObject({
      kind: 'saml',
      target: `saml:${docs.origin}/idp.xml`,
      status: 'critical',
      fingerprint256: expect.any(String),
      certificateCount: 3,
      endpoints: [],
      tlsVersion: null,
      hostnameMatch: null,
    });
    expect(result.daysLeft).toBe(4);
    const [first, ...rest] = result.certificates;
    expect(first).toMatchObject({
      entityId: 'https://idp.example.org/idp',
      role: 'idp',
      use: 'signing',
      status: 'critical',
      successor: rest.find((c) => c.subject === 'CN=idp signing 2027')?.fingerprint256,
    });
    expect(rest.map((c) => [c.subject, c.use, c.status, c.successor])).toEqual([
      ['CN=idp signing 2027', 'signing', 'ok', null],
      ['CN=sp encryption', 'encryption', 'ok', null],
    ]);
  });

  it('reads an aggregate with many entities, any role, default namespace and keys without use', async () => {
    const entities: SamlEntity[] = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => ({
        entityId: `https://sp${i}.example.org/sp`,
        roles: [
          {
            role: 'SPSSODescriptor' as const,
            keys: [{ cert: await createSelfSigned({ subject: `CN=sp ${i}`, notAfter: daysFromNow(200 + i) }) }],
          },
        ],
      })),
    );
    entities.push({
      entityId: 'https://aa.example.org/aa',
      roles: [{ role: 'AttributeAuthorityDescriptor', keys: [{ cert: expired }] }],
    });
    docs.serve('/federation.xml', samlMetadata(entities, { prefix: '' }), 'application/xml');
    const result = await check(`saml:${docs.origin}/federation.xml`);
    expect(result.status).toBe('expired');
    expect(result.certificateCount).toBe(41);
    expect(result.certificates[0]).toMatchObject({
      entityId: 'https://aa.example.org/aa',
      role: 'aa',
      use: null,
      status: 'expired',
    });
    expect(result.certificates.filter((c) => c.role === 'sp')).toHaveLength(40);
  });

  it('reads a custom prefix and gzip-compressed metadata', async () => {
    const xml = samlMetadata(
      [{ entityId: 'urn:x', roles: [{ role: 'IDPSSODescriptor', keys: [{ cert: healthy, use: 'signing' }] }] }],
      { prefix: 'saml2md' },
    );
    docs.serve('/gz.xml', gzipSync(xml), 'application/xml', { 'content-encoding': 'gzip' });
    const result = await check(`saml:${docs.origin}/gz.xml`);
    expect(result).toMatchObject({ status: 'ok', certificateCount: 1 });
  });

  it.each([
    [
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">&lol2;</md:EntityDescriptor>',
      /DOCTYPE/,
    ],
    ['<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>', /DOCTYPE/],
    ['<html><body>Sign in</body></html>', /not SAML metadata/],
    ['{"keys": []}', /not well-formed/],
    [
      '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor>',
      /not well-formed/,
    ],
  ])('refuses %s as a parse error, processing no entity', async (body, message) => {
    docs.serve('/bad.xml', body, 'application/xml');
    const result = await check(`saml:${docs.origin}/bad.xml`);
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('parse');
    expect(result.error?.message).toMatch(message);
    expect(JSON.stringify(result)).not.toContain('root:');
  });

  it('says so when the metadata publishes no certificate', async () => {
    docs.serve(
      '/empty.xml',
      '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>',
      'application/xml',
    );
    const result = await check(`saml:${docs.origin}/empty.xml`);
    expect(result.error).toEqual({ kind: 'empty', message: 'the metadata publishes no certificate' });
  });
});

describe('jwks: keys', () => {
  it('reads every key: x5c leaves, keys without a certificate, and a thumbprint that does not match', async () => {
    docs.serve(
      '/keys',
      jwks([
        { kid: 'current', use: 'sig', alg: 'ES256', cert: healthy },
        { kid: 'rolling', use: 'sig', alg: 'ES256', cert: expiring },
        { kid: 'bare', use: 'sig', alg: 'ES256' },
        { kid: 'forged', use: 'enc', alg: 'ECDH-ES', cert: successor, badThumbprint: true },
      ]),
      'application/json',
    );
    const result = await check(`jwks:${docs.origin}/keys`);
    expect(result.status).toBe('invalid');
    const byKid = Object.fromEntries(result.certificates.map((c) => [c.kid, c]));
    expect(byKid.forged).toMatchObject({
      status: 'invalid',
      problem: 'x5t#S256 does not match the certificate in x5c',
    });
    expect(byKid.rolling).toMatchObject({ status: 'critical', successor: byKid.current?.fingerprint256, alg: 'ES256' });
    expect(byKid.bare).toMatchObject({ fingerprint256: null, notAfter: null, status: 'ok' });
    expect(result.certificateCount).toBe(4);
  });

  it('follows an OIDC issuer to its discovery document and jwks_uri', async () => {
    docs.serve('/issuer', '<html>welcome</html>', 'text/html');
    docs.serve(
      '/issuer/.well-known/openid-configuration',
      JSON.stringify({ issuer: `${docs.origin}/issuer`, jwks_uri: `${docs.origin}/issuer/jwks` }),
      'application/json',
    );
    docs.serve('/issuer/jwks', jwks([{ kid: 'k1', use: 'sig', cert: healthy }]), 'application/json');
    const result = await check(`jwks:${docs.origin}/issuer`);
    expect(result).toMatchObject({ status: 'ok', certificateCount: 1 });
    expect(result.certificates[0]?.kid).toBe('k1');
  });

  it('reports a set without any certificate as empty, listing its keys', async () => {
    docs.serve('/bare', jwks([{ kid: 'a' }, { kid: 'b' }]), 'application/json');
    const result = await check(`jwks:${docs.origin}/bare`);
    expect(result.error).toMatchObject({
      kind: 'empty',
      message: 'the JWKS publishes 2 key(s), none with a certificate',
    });
    expect(result.certificates.map((c) => c.kid)).toEqual(['a', 'b']);
  });

  it('refuses base64url in x5c', async () => {
    const url = Buffer.from(healthy.cert.rawData).toString('base64url');
    docs.serve('/urlsafe', JSON.stringify({ keys: [{ kid: 'u', x5c: [`${url}_-`] }] }), 'application/json');
    const result = await check(`jwks:${docs.origin}/urlsafe`);
    expect(result.certificates[0]).toMatchObject({ status: 'invalid', problem: expect.stringMatching(/base64url/) });
  });
});

describe('pem: and file:', () => {
  it('reads every certificate of a PEM bundle, and a DER certificate', async () => {
    docs.serve(
      '/bundle.pem',
      [healthy.certPem, expiring.certPem, 'junk between blocks\n'].join('\n'),
      'application/x-pem-file',
    );
    const bundle = await check(`pem:${docs.origin}/bundle.pem`);
    expect(bundle).toMatchObject({ kind: 'pem', status: 'critical', certificateCount: 2 });
    docs.serve('/one.der', Buffer.from(healthy.cert.rawData), 'application/pkix-cert');
    expect(await check(`pem:${docs.origin}/one.der`)).toMatchObject({ status: 'ok', certificateCount: 1 });
  });

  it('reads PEM, DER and PKCS#7 files, skipping the private key without ever showing it', async () => {
    const pem = join(dir, 'server.pem');
    writeFileSync(pem, `${healthy.keyPem}\n${healthy.certPem}\n${expiring.certPem}`);
    const result = await check(`file:${pem}`);
    expect(result).toMatchObject({ kind: 'file', status: 'critical', certificateCount: 2 });
    const secret = healthy.keyPem.split('\n')[1] as string;
    expect(JSON.stringify(result)).not.toContain(secret);

    const der = join(dir, 'one.der');
    writeFileSync(der, Buffer.from(expired.cert.rawData));
    expect(await check(`file:${der}`)).toMatchObject({ status: 'expired', certificateCount: 1 });

    const x509 = await import('@peculiar/x509');
    const p7 = new x509.X509Certificates([healthy.cert, successor.cert]);
    const p7b = join(dir, 'bundle.p7b');
    writeFileSync(p7b, Buffer.from(p7.export('raw')));
    expect(await check(`file:${p7b}`)).toMatchObject({ status: 'ok', certificateCount: 2 });
    writeFileSync(join(dir, 'bundle.p7.pem'), p7.export('pem'));
    expect(await check(`file:${join(dir, 'bundle.p7.pem')}`)).toMatchObject({ certificateCount: 2 });
  });

  it('refuses files where files are not allowed, and says what is wrong with a key-only file', async () => {
    const keyOnly = join(dir, 'key.pem');
    writeFileSync(keyOnly, healthy.keyPem);
    const result = await check(`file:${keyOnly}`);
    expect(result.error).toEqual({
      kind: 'empty',
      message: 'the document holds no certificate (no CERTIFICATE or PKCS7 block)',
    });
    const denied = await check(`file:${keyOnly}`, { allowFiles: false });
    expect(denied.error?.message).toMatch(/CLI and local mode only/);
    const missing = await check(`file:${join(dir, 'nope.pem')}`);
    expect(missing.error?.message).toMatch(/cannot read .*nope\.pem \(ENOENT\)/);
  });
});

describe('fetching documents: hostile and broken servers', () => {
  it.each([
    ['a 404', '/missing', 'http', /answered 404/],
    ['a body over the size limit', '/huge', 'http', /larger than 5 MiB/],
    ['a gzip bomb', '/bomb', 'http', /larger than 5 MiB/],
    ['a redirect loop', '/loop', 'http', /more than 5 redirects/],
    ['a redirect to http', '/to-http', 'http', /leaves https/],
    ['a slow drip', '/drip', 'timeout', /in time|no answer/],
  ])('turns %s into a result with a clear error', async (_name, path, kind, message) => {
    docs.route('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      const chunk = Buffer.alloc(1024 * 1024, 65);
      let sent = 0;
      const pump = () => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent < 50) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    docs.serve('/bomb', gzipSync(Buffer.alloc(50 * 1024 * 1024)), 'application/x-pem-file', {
      'content-encoding': 'gzip',
    });
    docs.route('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    docs.route('/to-http', (_req, res) => res.writeHead(301, { location: 'http://localhost/x.pem' }).end());
    docs.route('/drip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      const timer = setInterval(() => res.write('-'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const started = performance.now();
    const result = await check(`pem:${docs.origin}${path}`);
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe(kind);
    expect(result.error?.message).toMatch(message);
    expect(performance.now() - started).toBeLessThan(fast.dnsMs + fast.endpointMs + 1500);
  });

  it('refuses a document whose server is not trusted', async () => {
    // The test server is trusted through NODE_EXTRA_CA_CERTS; a store of another root refuses it.
    const other = await createRootCa();
    const trust = { secureContext: createSecureContext({ ca: [other.certPem] }) } as TrustStore;
    docs.serve('/ok.pem', healthy.certPem, 'application/x-pem-file');
    const result = await check(`pem:${docs.origin}/ok.pem`, { trust });
    expect(result.error?.kind).toBe('handshake');
    expect(result.error?.message).toMatch(/not accepted/);
  });

  it('refuses, through the address guard, a document whose redirect leads to the metadata service', async () => {
    docs.route('/ssrf', (_req, res) =>
      res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' }).end(),
    );
    // The first hop is loopback, which the guard under test allows; the redirect hop is judged too.
    const guard = (address: string) => (address === '127.0.0.1' ? undefined : addressGuard(false)(address));
    const result = await check(`pem:${docs.origin}/ssrf`, { guard });
    expect(result.error?.kind).toBe('refused');
    expect(result.error?.message).toMatch(/169\.254\.169\.254.*link-local/);
  });
});
