// How much a big CRL costs the probe: builds CRLs of N revoked entries (DER written here, signed
// with ECDSA P-256 by a CA key, as public CAs' sharded CRLs are), then times readCrl (verify,
// parse, index) and measures the memory it keeps (heap and the CRL's bytes), in this process. The probe has 128 MB; CRLs are
// capped at 4 MiB (MAX_CRL_BYTES) and the cache keeps at most 200,000 entries across CRLs.
//
//   npm run bench:crl -- [N=10000,100000]
import { X509Certificate } from 'node:crypto';
import { MAX_CRL_BYTES } from '../lib/sources/tls/revocation/check-revocation.ts';
import { readCrl } from '../lib/sources/tls/revocation/crl.ts';
import { createRootCa } from '../test/fixtures/cert-factory.ts';
import { largeCrl } from '../test/fixtures/large-crl.ts';

async function main() {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const ca = await createRootCa();
  const issuer = new X509Certificate(ca.certPem);
  console.log(`node ${process.version}; CRL size cap ${MAX_CRL_BYTES / 1024 / 1024} MiB`);
  console.log('entries      bytes      read ms   kept by the index');
  for (const n of sizes) {
    const now = new Date();
    const der = largeCrl(issuer, ca.keyPem, n, now);
    global.gc?.();
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    const started = performance.now();
    const crl = await readCrl(der, issuer, now);
    const ms = performance.now() - started;
    global.gc?.();
    const kept = used() - before;
    if (crl.size !== n) throw new Error(`read ${crl.size} of ${n} entries`);
    const probe = performance.now();
    if (!crl.lookup('40000000000000000000000000000001')) throw new Error('the first entry is not found');
    const lookupMs = performance.now() - probe;
    void lookupMs;
    console.log(
      `${String(n).padStart(7)}  ${String(der.length).padStart(9)}  ${ms.toFixed(1).padStart(9)}  ${(kept / 1024 / 1024).toFixed(1).padStart(7)} MiB${der.length > MAX_CRL_BYTES ? '  (over the cap: the probe would not read it)' : ''}`,
    );
  }
}

await main();
