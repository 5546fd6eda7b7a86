// What one hostile or very large CT provider answer costs the discovery function (512 MB): each
// case is served by an HTTPS stand-in on loopback and read in a fresh process
// (bench/ct-page-worker.ts), which prints its peak memory above its own baseline, CPU and wall
// time. The cases are the red team's (issue 28): Cert Spotter 10 MiB of nested lists, crt.sh two
// 32 MiB answers of empty objects, and real-looking answers filling each cap.
//
//   npm run bench:ct-pages
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRootCa, issueCertificate } from '../test/fixtures/cert-factory.ts';

const MiB = 1024 * 1024;
/**
 * V8's old space as Node sizes it for the discovery function's 512 MB (a quarter of the memory it
 * is given): without it, on a machine of 24 GiB V8 lets garbage grow the heap far past what it
 * needs, and the peak says more about this machine than about the function.
 */
const OLD_SPACE_MIB = 128;
const hex = (n: number, width = 64) => n.toString(16).padStart(width, '0');

function crtShEntries(limit: number, offset: number): Buffer {
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; ; i++) {
    const id = offset + i;
    const entry = JSON.stringify({
      issuer_ca_id: 295810 + (i % 7),
      issuer_name: `C=US, O=Let's Encrypt, CN=R1${i % 7}`,
      common_name: `host-${id}.example.com`,
      name_value: `host-${id}.example.com\nwww.host-${id}.example.com`,
      id: 9_000_000_000 + id,
      entry_timestamp: '2026-11-20T10:05:00.123',
      not_before: '2026-11-20T09:00:00',
      not_after: '2027-02-18T08:59:59',
      serial_number: hex(id, 36),
      result_count: 2,
    });
    if (size + entry.length + 1 > limit) break;
    parts.push(entry);
    size += entry.length + 1;
  }
  return Buffer.from(`[${parts.join(',')}]`);
}

function certSpotterIssuances(limit: number): Buffer {
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; ; i++) {
    const entry = JSON.stringify({
      id: String(1_000_000 + i),
      tbs_sha256: hex(i),
      cert_sha256: hex(i + 10_000_000),
      pubkey_sha256: hex(i + 20_000_000),
      dns_names: [`host-${i}.example.com`, `www.host-${i}.example.com`],
      issuer: { name: "C=US, O=Let's Encrypt, CN=R11", friendly_name: "Let's Encrypt", pubkey_sha256: hex(9) },
      not_before: '2026-11-20T10:00:00Z',
      not_after: '2027-02-18T10:00:00Z',
      revoked: false,
    });
    if (size + entry.length + 1 > limit) break;
    parts.push(entry);
    size += entry.length + 1;
  }
  return Buffer.from(`[${parts.join(',')}]`);
}

function emptyObjects(limit: number): Buffer {
  const count = Math.floor((limit - 2) / 3);
  return Buffer.from(`[${Array.from({ length: count }, () => '{}').join(',')}]`);
}

const CASES: { name: string; provider: 'certspotter' | 'crtsh'; body: () => Buffer; second?: () => Buffer }[] = [
  {
    name: 'Cert Spotter, 10 MiB of [[[…]]]',
    provider: 'certspotter',
    body: () => Buffer.from(`${'['.repeat(5 * MiB)}${']'.repeat(5 * MiB)}`),
  },
  { name: 'Cert Spotter, 10 MiB of {} (3.5 M)', provider: 'certspotter', body: () => emptyObjects(10 * MiB - 16) },
  {
    name: 'Cert Spotter, 10 MiB of issuances',
    provider: 'certspotter',
    body: () => certSpotterIssuances(10 * MiB - 16),
  },
  {
    name: 'crt.sh, 2 × 32 MiB of {} (11 M each)',
    provider: 'crtsh',
    body: () => emptyObjects(32 * MiB - 16),
    second: () => emptyObjects(32 * MiB - 16),
  },
  {
    name: 'crt.sh, 2 × 32 MiB of entries',
    provider: 'crtsh',
    body: () => crtShEntries(32 * MiB - 16, 0),
    second: () => crtShEntries(32 * MiB - 16, 1_000_000),
  },
];

const dir = mkdtempSync(join(tmpdir(), 'certvigil-ct-pages-'));
const root = await createRootCa();
const leaf = await issueCertificate(root, { sans: ['127.0.0.1'] });
const rootFile = join(dir, 'root.pem');
writeFileSync(rootFile, root.certPem);
let current: { first: Buffer; second: Buffer } = { first: Buffer.from('[]'), second: Buffer.from('[]') };
const server = https.createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (req, res) => {
  const url = new URL(req.url ?? '/', 'https://x');
  const warm = (url.searchParams.get('domain') ?? url.searchParams.get('q') ?? '').includes('warm.example');
  const second = (url.searchParams.get('q') ?? '').startsWith('%.');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(warm ? '[]' : second ? current.second : current.first);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

console.log(
  `node ${process.version}; each case in a fresh process with --max-old-space-size=${OLD_SPACE_MIB} (512 MB function); peak = max RSS above the RSS after warm-up`,
);
console.log('case                                     peak MiB   CPU ms   wall ms  outcome');
try {
  for (const c of CASES) {
    current = { first: c.body(), second: c.second ? c.second() : Buffer.from('[]') };
    // The stand-in answers from this process, so the worker runs beside it, not blocking it.
    const out = await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        `--max-old-space-size=${OLD_SPACE_MIB}`,
        join(import.meta.dirname, 'ct-page-worker.ts'),
        c.provider,
        baseUrl,
        rootFile,
      ],
      { encoding: 'utf8', maxBuffer: 1024 * 1024 },
    ).then(
      (r) => r.stdout,
      (error: Error) => JSON.stringify({ outcome: `worker failed: ${error.message.slice(0, 80)}` }),
    );
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    console.log(
      `${c.name.padEnd(40)} ${String(r.peakAboveBaselineMiB?.toFixed(0) ?? '-').padStart(8)} ${String(r.cpuMs?.toFixed(0) ?? '-').padStart(8)} ${String(r.wallMs?.toFixed(0) ?? '-').padStart(9)}  ${r.outcome}`,
    );
  }
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
