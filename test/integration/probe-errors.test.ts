import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustStore } from '../../lib/certificate/trust-store.ts';
import { type ProbeTimeouts, timeoutsWithTotal } from '../../lib/net/timeouts.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { createChain, type Minted } from '../fixtures/cert-factory.ts';
import { closedPort, credentials, type RunningServer, startTcpServer, startTlsServer } from '../fixtures/servers.ts';

const servers: RunningServer[] = [];
let leaf: Minted;
let trust: TrustStore;
const fast: ProbeTimeouts = { dnsMs: 300, connectMs: 300, starttlsMs: 300, handshakeMs: 300, endpointMs: 600 };

beforeAll(async () => {
  const chain = await createChain();
  leaf = chain.leaf;
  trust = new TrustStore([chain.root.certPem]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function tcp(onSocket: (socket: net.Socket) => void): Promise<RunningServer> {
  const server = await startTcpServer(onSocket);
  servers.push(server);
  return server;
}

async function timed(target: string, timeouts: ProbeTimeouts = fast, extra: Parameters<typeof checkTarget>[1] = {}) {
  const started = performance.now();
  const result = await checkTarget(parseTarget(target), { trust, timeouts, ...extra });
  return { result, ms: performance.now() - started };
}

describe('endpoints that yield no certificate', () => {
  it('reports a refused port as error kind refused', async () => {
    const port = await closedPort();
    const { result } = await timed(`127.0.0.1:${port}`);
    expect(result.status).toBe('error');
    expect(result.error).toEqual({ kind: 'refused', message: expect.stringMatching(/refused/) });
    expect(result.endpoints).toEqual([
      { address: '127.0.0.1', status: 'error', fingerprint256: null, notAfter: null, error: result.error },
    ]);
    expect(result.fingerprint256).toBeNull();
    expect(result.daysLeft).toBeNull();
  });

  it('gives up on a server that accepts and never answers within the handshake timeout, and hangs up', async () => {
    const closed: Promise<void>[] = [];
    const server = await tcp((socket) => {
      socket.resume(); // read (and drop) the ClientHello so the close is noticed
      closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
    });
    const { result, ms } = await timed(`127.0.0.1:${server.port}`);
    expect(result.error).toEqual({ kind: 'timeout', message: 'handshake timed out after 300 ms' });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1500);
    // Our side closed the connection: the server sees it go away.
    await expect(
      Promise.race([
        Promise.all(closed),
        new Promise((_, r) => setTimeout(() => r(new Error('socket left open')), 2000)),
      ]),
    ).resolves.toBeDefined();
  });

  it('stops at the per-address total when it is shorter than the phase limits', async () => {
    const server = await tcp(() => undefined);
    const { result, ms } = await timed(`127.0.0.1:${server.port}`, { ...fast, handshakeMs: 5000, endpointMs: 400 });
    expect(result.error?.kind).toBe('timeout');
    expect(result.error?.message).toMatch(/400 ms limit for one address \(stopped during handshake\)/);
    expect(ms).toBeLessThan(1500);
  });

  it('reports a server that closes at once as reset', async () => {
    const server = await tcp((socket) => socket.destroy());
    const { result } = await timed(`127.0.0.1:${server.port}`);
    expect(result.error?.kind).toBe('reset');
  });

  it('reports a server that speaks plain text on the TLS port as protocol', async () => {
    const server = await tcp((socket) => {
      socket.on('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    });
    const { result } = await timed(`127.0.0.1:${server.port}`);
    expect(result.error?.kind).toBe('protocol');
    expect(result.error?.message).toMatch(/did not answer with TLS/);
  });

  it('reports a plaintext greeting (an SMTP server on a port checked as TLS) as protocol', async () => {
    const server = await tcp((socket) => socket.write('220 mail.test ESMTP ready\r\n'));
    const { result } = await timed(`127.0.0.1:${server.port}/tls`);
    expect(result.error?.kind).toBe('protocol');
  });

  it('reports a TLS alert from the server as handshake', async () => {
    // TLS 1.2 with a required client certificate: the server aborts the handshake with an alert.
    const server = await startTlsServer(credentials(leaf), { maxVersion: 'TLSv1.2' });
    await server.close();
    const tls = await import('node:tls');
    const strict = tls.createServer({
      ...credentials(leaf),
      maxVersion: 'TLSv1.2',
      requestCert: true,
      rejectUnauthorized: true,
    });
    strict.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { result } = await timed(`127.0.0.1:${(strict.address() as net.AddressInfo).port}`);
      expect(result.error?.kind).toBe('handshake');
      expect(result.error?.message).toMatch(/TLS handshake failed/);
    } finally {
      await new Promise((resolve) => strict.close(resolve));
    }
  });

  it('reports a name that does not resolve as dns', async () => {
    const resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    const { result } = await timed('nowhere.test', fast, { resolver });
    expect(result).toMatchObject({
      status: 'error',
      error: { kind: 'dns', message: 'the name does not exist in DNS' },
      endpoints: [],
    });
  });

  it('reports a resolver that never answers as dns after the DNS timeout', async () => {
    const resolver = () => new Promise<string[]>(() => undefined);
    const { result, ms } = await timed('slow.test', fast, { resolver });
    expect(result.error).toEqual({ kind: 'dns', message: 'DNS lookup timed out after 300 ms' });
    expect(ms).toBeLessThan(1500);
  });

  it('resolves localhost through the system resolver', async () => {
    const server = await startTlsServer(credentials(leaf), { host: '127.0.0.1' });
    servers.push(server);
    const { result } = await timed(`localhost:${server.port}`, timeoutsWithTotal(5000));
    expect(result.endpoints.map((e) => e.address)).toContain('127.0.0.1');
    expect(result.endpoints.find((e) => e.address === '127.0.0.1')?.status).toBe('ok');
  });

  it('reports error for the target when one of two addresses fails, with the cert read from the other', async () => {
    const server = await startTlsServer(credentials(leaf), { host: '127.0.0.1' });
    servers.push(server);
    const { result } = await timed(`localhost:${server.port}`, fast, {
      resolver: async () => ['127.0.0.1', '127.0.0.3'],
    });
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('refused');
    expect(result.error?.message).toMatch(/^127\.0\.0\.3: /);
    expect(result.fingerprint256).not.toBeNull();
    expect(result.endpoints.map((e) => e.status)).toEqual(['ok', 'error']);
  });
});
