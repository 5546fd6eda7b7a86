// The program local mode and the tests run inside a private network namespace. It is passed to
// `node -e` as text, so it works the same from the sources and from the bundle.
export const BRIDGE_SOURCE = `// Runs inside a private network namespace (started by dynamodb-local.ts with \`unshare -n\`):
// brings up loopback, starts DynamoDB Local on it, and exposes it through a Unix socket, the
// only way in. Nothing in the namespace can reach or be reached from any network.
// Run as: node --input-type=module -e BRIDGE_SOURCE SOCKET_PATH PORT JAR_DIR JAVA_ARGS...
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

const [socketPath, portText, jarDir, ...javaArgs] = process.argv.slice(1);
const PORT = Number(portText); // private to this namespace

spawnSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'ignore' });
const java = spawn('java', javaArgs, { cwd: jarDir, stdio: ['ignore', 'ignore', 'inherit'] });
java.on('exit', (code) => {
  process.stderr.write(\`DynamoDB Local exited (\${code})\\n\`);
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

// The parent holds our stdin open; when it goes away, so do we, and DynamoDB Local with us. On
// Ctrl-C the whole process group gets SIGINT: stop DynamoDB Local and wait for it, never leave it.
let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  bridge.close();
  java.removeAllListeners('exit');
  if (java.exitCode !== null || java.signalCode !== null) process.exit(0);
  java.once('exit', () => process.exit(0));
  java.kill('SIGTERM');
  setTimeout(() => java.kill('SIGKILL'), 5000).unref();
};
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('SIGHUP', shutdown);
`;
