// One deadline for a whole check (net/timeouts.ts checkDeadline): resolution, the handshake, the
// CRL fetch after it and an AWS API call each end by the check's AbortSignal, however long their
// own limits are.
// Real loopback servers that accept and then say nothing; the phases' own limits are left at
// their defaults (seconds), the deadline is a fraction of a second.
import type net from 'node:net';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultTrustStore } from '../../lib/certificate/trust-store.ts';
import { DEFAULT_TIMEOUTS } from '../../lib/net/timeouts.ts';
import { checkSource } from '../../lib/sources/check-source.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { sharedCrlCache } from '../../lib/sources/tls/revocation/check-revocation.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { crlDistributionPoints, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { type RunningServer, startTcpServer, testServers } from '../fixtures/servers.ts';

const DEADLINE_MS = 400;
const servers = testServers();
/** Accepts and never answers: a stalled peer (TLS server, CRL server). */
let silent: RunningServer;
const held = new Set<net.Socket>();

beforeAll(async () => {
  silent = servers.track(
    await startTcpServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    }),
  );
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await servers.close();
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe("a check's deadline", () => {
  it('ends a handshake the peer never answers, long before the handshake limit', async () => {
    expect(DEFAULT_TIMEOUTS.handshakeMs).toBeGreaterThan(5_000);
    const { value, ms } = await timed(() =>
      checkTarget(parseTarget(`127.0.0.1:${silent.port}`), { within: AbortSignal.timeout(DEADLINE_MS) }),
    );
    expect(value.status).toBe('error');
    expect(value.error).toMatchObject({ kind: 'timeout', message: expect.stringContaining("check's deadline") });
    expect(ms).toBeLessThan(DEADLINE_MS + 1_500);
  });

  it('ends a DNS lookup that never answers, long before the DNS limit', async () => {
    expect(DEFAULT_TIMEOUTS.dnsMs).toBeGreaterThan(2_000);
    const { value, ms } = await timed(() =>
      checkTarget(parseTarget('stalled.example.com:443'), {
        resolver: () => new Promise(() => undefined),
        within: AbortSignal.timeout(DEADLINE_MS),
      }),
    );
    expect(value.error).toMatchObject({ kind: 'dns', message: expect.stringContaining("check's deadline") });
    expect(ms).toBeLessThan(DEADLINE_MS + 1_500);
  });

  it('ends a CRL fetch after the handshake: the certificate is judged, its revocation unknown', async () => {
    const { certPem, keyPem } = inject('testCa');
    const root = await importCa(certPem, keyPem);
    const leaf = await issueCertificate(root, {
      extensions: [crlDistributionPoints(`http://127.0.0.1:${silent.port}/stalled.crl`)],
    });
    const server = await servers.serve(leaf);
    sharedCrlCache().clear();
    const { value, ms } = await timed(() =>
      checkTarget(parseTarget(`127.0.0.1:${server.port}`), {
        within: AbortSignal.timeout(DEADLINE_MS * 2),
        renewalInfo: false,
      }),
    );
    expect(value.status).toBe('ok');
    expect(value.revocation).toMatchObject({ status: 'unknown' });
    expect(ms).toBeLessThan(DEADLINE_MS * 2 + 1_500);
  });

  it('without a deadline, the same CRL fetch is bounded only by its own limit (the gap the deadline closes)', async () => {
    const { certPem, keyPem } = inject('testCa');
    const root = await importCa(certPem, keyPem);
    const leaf = await issueCertificate(root, {
      extensions: [crlDistributionPoints(`http://127.0.0.1:${silent.port}/stalled-2.crl`)],
    });
    const server = await servers.serve(leaf);
    sharedCrlCache().clear();
    const { value, ms } = await timed(() =>
      checkTarget(parseTarget(`127.0.0.1:${server.port}`), {
        timeouts: { ...DEFAULT_TIMEOUTS, dnsMs: 200, endpointMs: 1_500 },
        renewalInfo: false,
      }),
    );
    expect(value.revocation).toMatchObject({ status: 'unknown' });
    expect(ms).toBeGreaterThan(1_500);
  });

  it('ends a read of an AWS source whose API never answers (the SDK would retry for minutes)', async () => {
    const acm = mockClient(ACMClient);
    acm.on(DescribeCertificateCommand).callsFake(() => new Promise(() => undefined));
    try {
      const target = normalizeTarget({
        host: 'acm:arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab',
      });
      const { value, ms } = await timed(() =>
        checkSource(
          target,
          {
            trust: defaultTrustStore(),
            timeouts: DEFAULT_TIMEOUTS,
            thresholds: {},
            allowFiles: false,
            now: () => new Date(),
            within: AbortSignal.timeout(DEADLINE_MS),
          },
          ALL_READERS,
        ),
      );
      expect(value.status).toBe('error');
      expect(value.error).toMatchObject({ kind: 'timeout', message: expect.stringContaining("check's deadline") });
      expect(ms).toBeLessThan(DEADLINE_MS + 1_500);
    } finally {
      acm.restore();
    }
  });
});
