// Baseline for check-throughput: connect, handshake and hang up on every target with plain
// tls.connect at a fixed concurrency, doing nothing else (no verification, no certificate reading).
// With a third argument `shared`, every connection uses one secure context (as certvigil does);
// without, tls.connect makes one per connection. Plain JavaScript, like the CLI's bundle, so
// neither side pays for TypeScript stripping.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [file = '', concurrencyText = '16', mode = ''] = process.argv.slice(2);
const targets = readFileSync(file, 'utf8').trim().split('\n');
const concurrency = Number(concurrencyText);
const shared = mode === 'shared' ? { secureContext: tls.createSecureContext({}) } : {};
let next = 0;

async function worker() {
  while (next < targets.length) {
    const [host = '', port = ''] = targets[next++].split(':');
    await new Promise((resolve, reject) => {
      const socket = tls.connect({ host, port: Number(port), rejectUnauthorized: false, ...shared }, () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
