// Endpoints that misbehave on purpose: every one must end in a result, within its time bounds,
// with the process unharmed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustStore } from '../../lib/certificate/trust-store.ts';
import type { ProbeTimeouts } from '../../lib/net/timeouts.ts';
import { MAX_CHAIN_LENGTH } from '../../lib/sources/tls/chain.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { MAX_PLAINTEXT_BYTES } from '../../lib/sources/tls/socket-reader.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { createRootCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { credentials, type RunningServer, startTcpServer, startTlsServer } from '../fixtures/servers.ts';

const servers: RunningServer[] = [];
let root: Minted;
let trust: TrustStore;
const bounds: ProbeTimeouts = { dnsMs: 500, connectMs: 500, starttlsMs: 800, handshakeMs: 800, endpointMs: 1500 };

beforeAll(async () => {
  root = await createRootCa();
  trust = new TrustStore([root.certPem]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function track(server: Promise<RunningServer>): Promise<RunningServer> {
  const s = await server;
  servers.push(s);
  return s;
}

async function probe(target: string) {
  const started = performance.now();
  const result = await checkTarget(parseTarget(target), { trust, timeouts: bounds });
  return { result, ms: performance.now() - started };
}

describe('hostile endpoints', () => {
  it('reads a chain of 50 certificates, following at most 16', async () => {
    let issuer = root;
    for (let i = 0; i < 48; i++) issuer = await issueCertificate(issuer, { ca: true });
    const leaf = await issueCertificate(issuer);
    const server = await track(startTlsServer(credentials(leaf)));
    const { result, ms } = await probe(`127.0.0.1:${server.port}`);
    expect(result.fingerprint256).not.toBeNull();
    expect(result.chain.length).toBeLessThanOrEqual(MAX_CHAIN_LENGTH);
    expect(['ok', 'invalid']).toContain(result.status);
    expect(ms).toBeLessThan(bounds.endpointMs + 500);
  });

  it('survives an enormous certificate (3,000 names, over 100 KB) with a handshake error', async () => {
    const sans = Array.from({ length: 3000 }, (_, i) => `host-${i}-${'x'.repeat(20)}.enormous.example`);
    const leaf = await issueCertificate(await issueCertificate(root, { ca: true }), { sans });
    expect(leaf.certPem.length).toBeGreaterThan(100_000);
    const server = await track(startTlsServer(credentials(leaf)));
    const { result, ms } = await probe(`127.0.0.1:${server.port}`);
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('handshake');
    expect(ms).toBeLessThan(bounds.endpointMs + 500);
  });

  it('reports garbage after a ServerHello-looking record as a failed handshake', async () => {
    const server = await track(
      startTcpServer((socket) => {
        socket.once('data', () => {
          const hello = Buffer.concat([
            Buffer.from([0x02, 0x00, 0x00, 0x26, 0x03, 0x03]),
            randomBytes(32),
            Buffer.from([0x00, 0x13, 0x01, 0x00]),
          ]);
          socket.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x00, hello.length]), hello, randomBytes(4096)]));
        });
      }),
    );
    const { result, ms } = await probe(`127.0.0.1:${server.port}`);
    expect(['handshake', 'protocol']).toContain(result.error?.kind);
    expect(ms).toBeLessThan(bounds.endpointMs + 500);
  });

  it('gives up on a server that drips one byte every 100 ms', async () => {
    const server = await track(
      startTcpServer((socket) => {
        const bytes = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, ...randomBytes(200)]);
        let i = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || i >= bytes.length) return clearInterval(timer);
          socket.write(bytes.subarray(i, ++i));
        }, 100);
        socket.on('close', () => clearInterval(timer));
      }),
    );
    const { result, ms } = await probe(`127.0.0.1:${server.port}`);
    expect(result.error?.kind).toBe('timeout');
    expect(ms).toBeLessThan(bounds.endpointMs + 500);
  });

  it('gives up on an SMTP server that keeps greeting and never says "220 "', async () => {
    const server = await track(
      startTcpServer((socket) => {
        const timer = setInterval(() => socket.destroyed || socket.write('220-still greeting\r\n'), 20);
        socket.on('close', () => clearInterval(timer));
      }),
    );
    const { result, ms } = await probe(`127.0.0.1:${server.port}/smtp`);
    expect(result.error?.kind).toBe('timeout');
    expect(result.error?.message).toMatch(/starttls timed out/);
    expect(ms).toBeLessThan(bounds.endpointMs + 500);
  });

  it('stops reading an SMTP greeting line that floods more than 64 KiB', async () => {
    const server = await track(startTcpServer((socket) => socket.write(`220-${'a'.repeat(100_000)}`)));
    const { result } = await probe(`127.0.0.1:${server.port}/smtp`);
    expect(result.error).toEqual({
      kind: 'protocol',
      message: `the server sent more than ${MAX_PLAINTEXT_BYTES} bytes before TLS`,
    });
  });

  it('stops reading an SMTP greeting of endless continuation lines', async () => {
    const server = await track(startTcpServer((socket) => socket.write('220-more\r\n'.repeat(1_000))));
    const { result } = await probe(`127.0.0.1:${server.port}/smtp`);
    expect(result.error).toEqual({ kind: 'protocol', message: 'the SMTP server sent a reply longer than 200 lines' });
  });

  it('keeps UTF-8 subjects and organisation names with commas intact', async () => {
    const leaf = await issueCertificate(await issueCertificate(root, { ca: true }), {
      subject: 'CN=bücher.example, O="Straße & Söhne, GmbH", L=東京',
      sans: ['xn--bcher-kva.example'],
    });
    const server = await track(startTlsServer(credentials(leaf)));
    const result = await checkTarget(
      { ...parseTarget(`bücher.example:${server.port}`), addresses: ['127.0.0.1'] },
      { trust, timeouts: bounds },
    );
    expect(result.status).toBe('ok');
    expect(result.servername).toBe('xn--bcher-kva.example');
    expect(result.subject).toContain('CN=bücher.example');
    expect(result.subject).toContain('東京');
    // The comma inside the organisation stays escaped (RFC 4514), so the DN reads unambiguously.
    expect(result.subject).toContain('O=Straße & Söhne\\, GmbH');
  });

  it('matches a certificate that names only the IP address', async () => {
    const leaf = await issueCertificate(await issueCertificate(root, { ca: true }), {
      sans: ['127.0.0.1'],
      subject: 'CN=ip-only',
    });
    const server = await track(startTlsServer(credentials(leaf)));
    const { result } = await probe(`127.0.0.1:${server.port}`);
    expect(result).toMatchObject({ status: 'ok', hostnameMatch: true, sans: ['127.0.0.1'], servername: null });
  });
});
