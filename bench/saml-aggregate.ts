// Parse time and peak memory for a SAML federation aggregate: `npm run bench:saml -- [ENTITIES=5000]
// [DISTINCT=500]`. Builds an EntitiesDescriptor of ENTITIES entities, each with a signing and an
// encryption key (DISTINCT certificates minted and reused, as federations reuse them), serves it
// over HTTPS on loopback, and reads it with the real saml source in a child process, printing the
// document size, the wall time and that process's peak RSS.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createRootCa,
  createSelfSigned,
  daysFromNow,
  issueCertificate,
  type Minted,
} from '../test/fixtures/cert-factory.ts';
import { samlMetadata } from '../test/fixtures/documents.ts';

const entities = Number(process.argv[2] ?? 5000);
const distinct = Number(process.argv[3] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'certvigil-bench-saml-'));
const certs: Minted[] = [];
for (let i = 0; i < distinct; i++) {
  certs.push(
    await createSelfSigned({ subject: `CN=member ${i}, O=federation`, notAfter: daysFromNow(30 + (i % 700)) }),
  );
}
const xml = samlMetadata(
  Array.from({ length: entities }, (_, i) => ({
    entityId: `https://member${i}.example.org/shibboleth`,
    roles: [
      {
        role: i % 2 ? ('SPSSODescriptor' as const) : ('IDPSSODescriptor' as const),
        keys: [
          { cert: certs[i % distinct] as Minted, use: 'signing' as const },
          { cert: certs[(i * 7 + 1) % distinct] as Minted, use: 'encryption' as const },
        ],
      },
    ],
  })),
  { aggregate: true },
);
const root = await createRootCa();
const leaf = await issueCertificate(root, { sans: ['127.0.0.1'] });
const ca = join(dir, 'ca.pem');
writeFileSync(ca, root.certPem);
const server = https.createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(xml);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/federation.xml`;

const child = join(dir, 'read.ts');
writeFileSync(
  child,
  `import { defaultTrustStore } from '${new URL('../lib/certificate/trust-store.ts', import.meta.url).pathname}';
import { checkSource } from '${new URL('../lib/sources/check-source.ts', import.meta.url).pathname}';
import { DOCUMENT_READERS } from '${new URL('../lib/sources/documents/readers.ts', import.meta.url).pathname}';
import { normalizeTarget } from '${new URL('../lib/targets/target-schema.ts', import.meta.url).pathname}';
const started = performance.now();
const result = await checkSource(normalizeTarget({ host: 'saml:${url}' }), {
  trust: defaultTrustStore(), timeouts: { dnsMs: 5000, connectMs: 5000, starttlsMs: 5000, handshakeMs: 5000, endpointMs: 120000 },
  thresholds: {}, allowFiles: false, now: () => new Date(),
}, DOCUMENT_READERS);
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, status: result.status, error: result.error, count: result.certificateCount, kept: result.certificates.length, maxRssKiB: process.resourceUsage().maxRSS }));
`,
);
const rounds: {
  ms: number;
  maxRssKiB: number;
  count: number;
  kept: number;
  status: string;
  error?: { message: string } | null;
}[] = [];
for (let r = 0; r < 3; r++) {
  // Run the reader in a child process (the server stays here) so its peak RSS is its own.
  const { stdout: out } = await promisify(execFile)(process.execPath, [child], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (out) rounds.push(JSON.parse(out.trim().split('\n').pop() as string));
}
server.close();
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(
  `aggregate: ${entities} entities, ${entities * 2} KeyDescriptors, ${(Buffer.byteLength(xml) / 1024 / 1024).toFixed(1)} MiB`,
);
for (const r of rounds)
  console.log(
    `  read in ${r.ms.toFixed(0)} ms, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB, ${r.count} certificates judged, ${r.kept} kept, status ${r.status}${(r as { error?: { message: string } }).error ? ` (${(r as { error: { message: string } }).error.message})` : ''}`,
  );
console.log(
  `median: ${median(rounds.map((r) => r.ms)).toFixed(0)} ms, peak RSS ${(median(rounds.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MiB`,
);
