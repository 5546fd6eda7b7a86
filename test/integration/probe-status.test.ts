import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustStore } from '../../lib/certificate/trust-store.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import {
  createChain,
  createRootCa,
  createSelfSigned,
  daysFromNow,
  issueCertificate,
  type KeyKind,
  type Minted,
} from '../fixtures/cert-factory.ts';
import { credentials, type RunningServer, startTlsServer, testServers } from '../fixtures/servers.ts';

const servers = testServers();
let root: Minted;
let intermediate: Minted;
let trust: TrustStore;

const serve = (leaf: Minted, extra: Parameters<typeof servers.serve>[1] = {}) => servers.serve(leaf, extra);

function check(
  target: string,
  options: Parameters<typeof checkTarget>[1] = {},
  overrides: Partial<Parameters<typeof checkTarget>[0]> = {},
) {
  return checkTarget({ ...parseTarget(target), ...overrides }, { trust, ...options });
}

beforeAll(async () => {
  root = await createRootCa();
  intermediate = await issueCertificate(root, { ca: true });
  trust = new TrustStore([root.certPem]);
});

afterAll(async () => {
  await servers.close();
});

describe('a check against a real TLS server', () => {
  it('reports a healthy 90-day certificate as ok with every fact of the check result', async () => {
    const leaf = await issueCertificate(intermediate, {
      sans: ['localhost', '127.0.0.1'],
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(80),
    });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    const x509 = new X509Certificate(leaf.certPem);
    expect(result).toMatchObject({
      target: `127.0.0.1:${server.port}`,
      host: '127.0.0.1',
      port: server.port,
      protocol: 'tls',
      servername: null,
      status: 'ok',
      daysLeft: 79,
      notAfter: x509.validToDate.toISOString(),
      notBefore: x509.validFromDate.toISOString(),
      chainNotAfter: x509.validToDate.toISOString(),
      lifetimeDays: 90,
      subject: 'CN=localhost',
      issuer: intermediate.cert.subject,
      sans: ['localhost', '127.0.0.1'],
      serialNumber: x509.serialNumber,
      fingerprint256: x509.fingerprint256,
      keyType: 'ec',
      keyBits: 256,
      signatureAlgorithm: 'ecdsa-with-SHA256',
      tlsVersion: 'TLSv1.3',
      trusted: true,
      trustError: null,
      hostnameMatch: true,
      consistent: true,
      error: null,
    });
    expect(result.endpoints).toEqual([
      {
        address: '127.0.0.1',
        status: 'ok',
        fingerprint256: x509.fingerprint256,
        notAfter: x509.validToDate.toISOString(),
        error: null,
      },
    ]);
    expect(result.chain.map((c) => c.subject)).toEqual(['CN=localhost', intermediate.cert.subject, root.cert.subject]);
    expect(new Date(result.checkedAt).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['ok', 60, 90],
    ['warning', 20, 90],
    ['critical', 5, 90],
    ['warning', 25, 398],
    ['critical', 6, 398],
  ] as const)('reports %s for a certificate with %d of %d days left', async (status, left, lifetime) => {
    const leaf = await issueCertificate(intermediate, {
      notBefore: daysFromNow(left - lifetime),
      notAfter: daysFromNow(left + 0.5),
    });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.status).toBe(status);
    expect(result.daysLeft).toBe(left);
  });

  it('reports an expired certificate as expired, with negative days left, and still reads it', async () => {
    const leaf = await issueCertificate(intermediate, { notBefore: daysFromNow(-100), notAfter: daysFromNow(-9.5) });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.status).toBe('expired');
    expect(result.daysLeft).toBe(-10);
    expect(result.trusted).toBe(false);
    expect(result.trustError).toBe('CERT_HAS_EXPIRED');
    expect(result.fingerprint256).toBe(new X509Certificate(leaf.certPem).fingerprint256);
  });

  it('reports a certificate that is not yet valid as invalid', async () => {
    const leaf = await issueCertificate(intermediate, { notBefore: daysFromNow(2), notAfter: daysFromNow(92) });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.status).toBe('invalid');
    expect(result.trustError).toBe('CERT_NOT_YET_VALID');
  });

  it('reports a self-signed certificate as invalid and explains why', async () => {
    const server = await serve(await createSelfSigned());
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result).toMatchObject({
      status: 'invalid',
      trusted: false,
      trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      hostnameMatch: true,
    });
    expect(result.chain).toHaveLength(1);
  });

  it('reports a certificate from an unknown CA as invalid', async () => {
    const other = await createChain();
    const server = await serve(other.leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.status).toBe('invalid');
    expect(result.trusted).toBe(false);
    expect(result.trustError).toMatch(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('trusts an extra CA given to the trust store', async () => {
    const other = await createChain();
    const server = await serve(other.leaf);
    const result = await check(`127.0.0.1:${server.port}`, { trust: new TrustStore([other.root.certPem]) });
    expect(result.status).toBe('ok');
    expect(result.trusted).toBe(true);
  });

  it('reports a certificate for another name as invalid with hostnameMatch false', async () => {
    const leaf = await issueCertificate(intermediate, { sans: ['other.example'] });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result).toMatchObject({ status: 'invalid', trusted: true, hostnameMatch: false });
  });

  it('does not fall back to the common name when the certificate has no SAN', async () => {
    const leaf = await issueCertificate(intermediate, { sans: [], subject: 'CN=localhost' });
    const server = await serve(leaf);
    const result = await check(`localhost:${server.port}`, {}, { addresses: ['127.0.0.1'] });
    expect(result.sans).toEqual([]);
    expect(result.hostnameMatch).toBe(false);
    expect(result.status).toBe('invalid');
  });

  it('matches a wildcard certificate for a name one label below it', async () => {
    const leaf = await issueCertificate(intermediate, { sans: ['*.apps.test'] });
    const server = await serve(leaf);
    const ok = await check(`web.apps.test:${server.port}`, {}, { addresses: ['127.0.0.1'] });
    expect(ok).toMatchObject({ hostnameMatch: true, status: 'ok', servername: 'web.apps.test' });
    const deeper = await check(`a.web.apps.test:${server.port}`, {}, { addresses: ['127.0.0.1'] });
    expect(deeper.hostnameMatch).toBe(false);
  });

  it.each([
    ['rsa-2048', 'rsa', 2048],
    ['ec-p384', 'ec', 384],
    ['ed25519', 'ed25519', 256],
  ] as const)('reads a %s key (signed by the EC intermediate)', async (kind: KeyKind, keyType, keyBits) => {
    const leaf = await issueCertificate(intermediate, { key: kind });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result).toMatchObject({ status: 'ok', keyType, keyBits, signatureAlgorithm: 'ecdsa-with-SHA256' });
  });

  it('reports the signature algorithm of an RSA-signed chain', async () => {
    const rsaRoot = await createRootCa({ key: 'rsa-2048' });
    const leaf = await issueCertificate(rsaRoot, {});
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`, { trust: new TrustStore([rsaRoot.certPem]) });
    expect(result).toMatchObject({ status: 'ok', signatureAlgorithm: 'sha256WithRSAEncryption', keyType: 'ec' });
  });

  it('reports the TLS version the server negotiated', async () => {
    const leaf = await issueCertificate(intermediate);
    const server = await serve(leaf, { maxVersion: 'TLSv1.2' });
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.tlsVersion).toBe('TLSv1.2');
    expect(result.status).toBe('ok');
  });
});

describe('chains', () => {
  it('uses the intermediate that expires before its leaf for the status, not for daysLeft', async () => {
    const shortIntermediate = await issueCertificate(root, {
      ca: true,
      notBefore: daysFromNow(-300),
      notAfter: daysFromNow(3.5),
    });
    const leaf = await issueCertificate(shortIntermediate, { notBefore: daysFromNow(-10), notAfter: daysFromNow(80) });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.daysLeft).toBe(79);
    expect(result.chainNotAfter).toBe(new X509Certificate(shortIntermediate.certPem).validToDate.toISOString());
    expect(result.status).toBe('critical');
  });

  it('reports expired when only the intermediate has expired', async () => {
    const oldIntermediate = await issueCertificate(root, {
      ca: true,
      notBefore: daysFromNow(-300),
      notAfter: daysFromNow(-1),
    });
    const leaf = await issueCertificate(oldIntermediate, { notBefore: daysFromNow(-10), notAfter: daysFromNow(80) });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.status).toBe('expired');
    expect(result.daysLeft).toBe(79);
  });

  it('does not count the trust anchor, even one that expires first', async () => {
    const shortRoot = await createRootCa({ notBefore: daysFromNow(-3000), notAfter: daysFromNow(2) });
    const inter = await issueCertificate(shortRoot, { ca: true });
    const leaf = await issueCertificate(inter, { notBefore: daysFromNow(-10), notAfter: daysFromNow(80) });
    const server = await serve(leaf);
    const result = await check(`127.0.0.1:${server.port}`, { trust: new TrustStore([shortRoot.certPem]) });
    expect(result.chainNotAfter).toBe(new X509Certificate(leaf.certPem).validToDate.toISOString());
    expect(result.chain.at(-1)?.subject).toBe(shortRoot.cert.subject);
    expect(result.status).toBe('ok');
  });

  it('reports an incomplete chain (the server does not send its intermediate) as invalid', async () => {
    const leaf = await issueCertificate(intermediate);
    const server = await serve({ ...leaf, chainPem: leaf.certPem });
    const result = await check(`127.0.0.1:${server.port}`);
    expect(result.status).toBe('invalid');
    expect(result.trustError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(result.chain).toHaveLength(1);
  });
});

describe('SNI and addresses', () => {
  it('sends the host as SNI and reads the certificate the server picks for it', async () => {
    const a = await issueCertificate(intermediate, { sans: ['a.test'] });
    const b = await issueCertificate(intermediate, { sans: ['b.test'] });
    const fallback = await issueCertificate(intermediate, { sans: ['fallback.test'] });
    const server = await serve(fallback, { sni: { 'a.test': credentials(a), 'b.test': credentials(b) } });
    const resultA = await check(`a.test:${server.port}`, {}, { addresses: ['127.0.0.1'] });
    const resultB = await check(`b.test:${server.port}`, {}, { addresses: ['127.0.0.1'] });
    expect(resultA).toMatchObject({ servername: 'a.test', sans: ['a.test'], status: 'ok' });
    expect(resultB).toMatchObject({ servername: 'b.test', sans: ['b.test'], status: 'ok' });
  });

  it('uses an overridden servername for SNI and the name check', async () => {
    const a = await issueCertificate(intermediate, { sans: ['a.test'] });
    const fallback = await issueCertificate(intermediate, { sans: ['fallback.test'] });
    const server = await serve(fallback, { sni: { 'a.test': credentials(a) } });
    const result = await check(`127.0.0.1:${server.port}`, {}, { servername: 'a.test' });
    expect(result).toMatchObject({ servername: 'a.test', sans: ['a.test'], hostnameMatch: true, status: 'ok' });
  });

  it('probes every pinned address, takes the worst status and flags different certificates', async () => {
    const good = await issueCertificate(intermediate, { sans: ['multi.test'] });
    const old = await issueCertificate(intermediate, {
      sans: ['multi.test'],
      notBefore: daysFromNow(-85),
      notAfter: daysFromNow(5),
    });
    const first = await serve(good, { host: '127.0.0.1' });
    const second = await startTlsServer(credentials(old), { host: '127.0.0.2' }).catch(() => undefined);
    if (!second) throw new Error('this machine cannot listen on 127.0.0.2');
    servers.track(second);
    // Both servers must share a port for one target; retry on another port pair if needed.
    const shared = await sharedPortPair(good, old);
    const result = await check(`multi.test:${shared.port}`, {}, { addresses: ['127.0.0.1', '127.0.0.2'] });
    expect(result.status).toBe('critical');
    expect(result.consistent).toBe(false);
    expect(result.endpoints.map((e) => [e.address, e.status])).toEqual([
      ['127.0.0.1', 'ok'],
      ['127.0.0.2', 'critical'],
    ]);
    expect(result.fingerprint256).toBe(new X509Certificate(old.certPem).fingerprint256);
    expect(first.port).toBeGreaterThan(0);
  });

  it('reports consistent when every address serves the same certificate', async () => {
    const leaf = await issueCertificate(intermediate, { sans: ['same.test'] });
    const shared = await sharedPortPair(leaf, leaf);
    const result = await check(`same.test:${shared.port}`, {}, { addresses: ['127.0.0.1', '127.0.0.2'] });
    expect(result.consistent).toBe(true);
    expect(result.status).toBe('ok');
    expect(result.endpoints).toHaveLength(2);
  });

  it('probes the addresses a name resolves to, capped at maxAddresses', async () => {
    const leaf = await issueCertificate(intermediate, { sans: ['many.test'] });
    const shared = await sharedPortPair(leaf, leaf);
    const resolver = async () => ['127.0.0.1', '127.0.0.2', '127.0.0.1'];
    const all = await check(`many.test:${shared.port}`, { resolver });
    expect(all.endpoints.map((e) => e.address)).toEqual(['127.0.0.1', '127.0.0.2']);
    const capped = await check(`many.test:${shared.port}`, { resolver, maxAddresses: 1 });
    expect(capped.endpoints.map((e) => e.address)).toEqual(['127.0.0.1']);
  });
});

/** Starts two TLS servers on 127.0.0.1 and 127.0.0.2 with the same port. */
async function sharedPortPair(a: Minted, b: Minted): Promise<{ port: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await serve(a, { host: '127.0.0.1' });
    try {
      const second = await startTlsServerOnPort(b, '127.0.0.2', first.port);
      servers.track(second);
      return { port: first.port };
    } catch {
      // that port is taken on 127.0.0.2; try another
    }
  }
  throw new Error('no free port on both 127.0.0.1 and 127.0.0.2');
}

async function startTlsServerOnPort(leaf: Minted, host: string, port: number): Promise<RunningServer> {
  const tls = await import('node:tls');
  const server = tls.createServer(credentials(leaf), (socket) => {
    socket.on('error', () => undefined);
    socket.end();
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    host,
    port,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
