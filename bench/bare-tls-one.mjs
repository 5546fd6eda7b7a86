// Baseline for `check` of one endpoint (bench:peers): the least a verified check can do in Node.
// One TLS handshake verified against the same trust as certvigil's (Node's default CA list, which
// includes NODE_EXTRA_CA_CERTS, plus the CA file given), the name checked, the certificate's expiry
// printed as JSON. Plain JavaScript, like the CLI's bundle.
// Usage: node bench/bare-tls-one.mjs HOST:PORT CA_FILE
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [target = '', caFile = ''] = process.argv.slice(2);
const colon = target.lastIndexOf(':');
const host = target.slice(0, colon);
const ca = [...tls.getCACertificates('default'), readFileSync(caFile, 'utf8')];
const socket = tls.connect({ host, port: Number(target.slice(colon + 1)), ca, servername: undefined }, () => {
  const cert = socket.getPeerX509Certificate();
  process.stdout.write(
    `${JSON.stringify({ target, authorized: socket.authorized, notAfter: cert?.validToDate.toISOString() })}\n`,
  );
  socket.destroy();
});
socket.on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
