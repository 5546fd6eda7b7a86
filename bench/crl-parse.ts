// How much a big CRL costs the probe: builds CRLs of N revoked entries (DER written here, signed
// with ECDSA P-256 by a CA key, as public CAs' sharded CRLs are), then times readCrl (verify,
// parse, index) and measures the memory it keeps (heap and the CRL's bytes), in this process. The probe has 128 MB; CRLs are
// capped at 4 MiB (MAX_CRL_BYTES) and the cache keeps at most 200,000 entries across CRLs.
//
//   npm run bench:crl -- [N=10000,100000]
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { MAX_CRL_BYTES } from '../lib/revocation/check-revocation.ts';
import { readCrl } from '../lib/revocation/crl.ts';
import { subjectBytes } from '../lib/revocation/der.ts';
import { createRootCa } from '../test/fixtures/cert-factory.ts';

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const utc = (d: Date) => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const ECDSA_SHA256 = seq(tlv(0x06, Buffer.from('2a8648ce3d040302', 'hex')));

async function main() {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const ca = await createRootCa();
  const issuer = new X509Certificate(ca.certPem);
  const privateKey = createPrivateKey(ca.keyPem);
  console.log(`node ${process.version}; CRL size cap ${MAX_CRL_BYTES / 1024 / 1024} MiB`);
  console.log('entries      bytes      read ms   kept by the index');
  for (const n of sizes) {
    const now = new Date();
    const entries: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const serial = Buffer.alloc(16);
      serial.writeUInt32BE(i + 1, 12);
      serial[0] = 0x40;
      entries.push(seq(tlv(0x02, serial), utc(new Date(now.getTime() - 86_400_000))));
    }
    const tbs = seq(
      tlv(0x02, Buffer.from([1])),
      ECDSA_SHA256,
      subjectBytes(issuer.raw),
      utc(new Date(now.getTime() - 3_600_000)),
      utc(new Date(now.getTime() + 7 * 86_400_000)),
      seq(...entries),
    );
    const signature = sign('sha256', tbs, privateKey);
    const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
    global.gc?.();
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    const started = performance.now();
    const crl = readCrl(der, issuer, now);
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
