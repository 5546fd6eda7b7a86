// What a hostile peer costs a check (issue 28): an XMPP server answering the stream header with
// two 64 KiB writes of `<a>` (the real `certvigil check` process, CPU and wall from its own
// resource usage), and SAML metadata with 256 KiB of nested elements read by the SAML reader in
// this process, with a 10 ms timer beside it to show whether other work could run meanwhile.
//
//   npm run bench:hostile
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { parseSamlMetadata } from '../lib/sources/documents/saml.ts';

const dir = mkdtempSync(join(tmpdir(), 'certvigil-hostile-'));
const preload = new URL('./rusage-preload.mjs', import.meta.url).href;
const nesting = '<a>'.repeat(Math.floor(65_536 / 3));
const xmpp = net.createServer((socket) => {
  socket.on('error', () => undefined);
  socket.once('data', () => {
    socket.write(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
    );
    socket.write(nesting);
    socket.write(nesting);
  });
});
await new Promise<void>((resolve) => xmpp.listen(0, '127.0.0.1', resolve));
const port = (xmpp.address() as net.AddressInfo).port;

try {
  console.log(`node ${process.version}`);
  const file = join(dir, 'rusage.json');
  const started = performance.now();
  const run = await promisify(execFile)(
    process.execPath,
    ['--import', preload, 'bin/certvigil.js', 'check', `127.0.0.1:${port}/xmpp`, '--timeout', '3000'],
    { env: { ...process.env, CV_RUSAGE: file }, encoding: 'utf8' },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const usage = JSON.parse(readFileSync(file, 'utf8')) as { cpuMs: number };
  const note = run.stdout.trim().split('\n').at(-1)?.replace(/\s+/g, ' ').slice(0, 110);
  console.log(
    `XMPP, 128 KiB of nesting: certvigil check ${(performance.now() - started).toFixed(0)} ms wall, ${usage.cpuMs.toFixed(0)} ms CPU (whole process): ${note}`,
  );

  const metadata = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">${'<a>'.repeat(87_000)}`;
  const chunks: Buffer[] = [];
  for (let i = 0; i < metadata.length; i += 65_536) chunks.push(Buffer.from(metadata.slice(i, i + 65_536)));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const cpu = process.cpuUsage();
  const samlStarted = performance.now();
  const outcome = await parseSamlMetadata(Readable.from(chunks), () => undefined).then(
    (n) => `${n} certificates`,
    (error: Error) => error.message,
  );
  const used = process.cpuUsage(cpu);
  clearInterval(timer);
  console.log(
    `SAML, ${Math.round(metadata.length / 1024)} KiB of nesting: ${(performance.now() - samlStarted).toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU, 10 ms timer fired ${ticks} times: ${outcome}`,
  );
} finally {
  xmpp.close();
  rmSync(dir, { recursive: true, force: true });
}
