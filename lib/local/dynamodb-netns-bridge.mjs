// Runs inside a private network namespace (started by dynamodb-local.ts with `unshare -n`):
// brings up loopback, starts DynamoDB Local on it, and exposes it through a Unix socket, the
// only way in. Nothing in the namespace can reach or be reached from any network.
// Usage: node dynamodb-netns-bridge.mjs SOCKET_PATH JAR_DIR [DB_PATH]
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

const [socketPath, jarDir, dbPath] = process.argv.slice(2);
const PORT = 8000; // private to this namespace

spawnSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'ignore' });
const args = [
  '-Djava.library.path=./DynamoDBLocal_lib',
  '-jar',
  'DynamoDBLocal.jar',
  '-port',
  String(PORT),
  '-disableTelemetry',
];
args.push(...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']));
const java = spawn('java', args, { cwd: jarDir, stdio: ['ignore', 'ignore', 'inherit'] });
java.on('exit', (code) => {
  process.stderr.write(`DynamoDB Local exited (${code})\n`);
  process.exit(1);
});

const bridge = net.createServer((client) => {
  const upstream = net.connect(PORT, '127.0.0.1');
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
});
bridge.listen(socketPath);

// The parent holds our stdin open; when it goes away, so do we (and DynamoDB Local with us).
const shutdown = () => {
  java.removeAllListeners('exit');
  java.kill('SIGTERM');
  bridge.close();
  process.exit(0);
};
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
