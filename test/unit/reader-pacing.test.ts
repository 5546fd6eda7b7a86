// Readers of large hostile-sized inputs share the event loop: while a CRL of 100,000 entries or a
// PEM bundle of thousands of certificates is read, other checks' timers keep firing.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificatesIn } from '../../lib/certificate/pem-blocks.ts';
import { PACE_SLICE_MS } from '../../lib/concurrency.ts';
import { readCrl } from '../../lib/sources/tls/revocation/crl.ts';
import { createRootCa, createSelfSigned } from '../fixtures/cert-factory.ts';
import { largeCrl } from '../fixtures/large-crl.ts';

/** Runs `work` beside a 1 ms interval: how long it took, and how often the timer fired meanwhile. */
async function beside<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - started, ticks };
  } finally {
    clearInterval(timer);
  }
}

describe('readers share the event loop', () => {
  it('lets timers fire while a CRL of 100,000 entries is indexed', async () => {
    const ca = await createRootCa();
    const issuer = new X509Certificate(ca.certPem);
    const der = largeCrl(issuer, ca.keyPem, 100_000);
    const { value: crl, ms, ticks } = await beside(() => readCrl(der, issuer, new Date()));
    expect(crl.size).toBe(100_000);
    expect(ms).toBeGreaterThan(3 * PACE_SLICE_MS);
    expect(ticks).toBeGreaterThanOrEqual(2);
  });

  it('lets timers fire while a PEM bundle of thousands of certificates is read', async () => {
    const certificates = await Promise.all(Array.from({ length: 40 }, () => createSelfSigned()));
    const pem = Array.from({ length: 4_000 }, (_, i) => (certificates[i % 40] as { certPem: string }).certPem).join(
      '\n',
    );
    const { value, ms, ticks } = await beside(() => certificatesIn(Buffer.from(pem)));
    expect(value).toHaveLength(4_000);
    expect(ms).toBeGreaterThan(3 * PACE_SLICE_MS);
    expect(ticks).toBeGreaterThanOrEqual(2);
  });
});
