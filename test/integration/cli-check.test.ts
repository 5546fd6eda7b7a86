import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../lib/policy/check-result.ts';
import { createChain, daysFromNow, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { BIN, type CliRun, runCli } from '../fixtures/run-cli.ts';
import { closedPort, type RunningServer, startTcpServer, testServers } from '../fixtures/servers.ts';

const servers = testServers();
let dir: string;
let caFile: string;
let ok: RunningServer;
let warning: RunningServer;
let expired: RunningServer;

/** Runs the real command; the test CA is not trusted unless a test says so. */
function certvigil(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliRun> {
  return runCli(args, {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...options.env },
    ...(options.stdin ? { stdin: options.stdin } : {}),
  });
}

const serve = (leaf: Minted) => servers.serve(leaf);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-cli-'));
  const { root, intermediate } = await createChain();
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, root.certPem);
  ok = await serve(await issueCertificate(intermediate, { notBefore: daysFromNow(-10), notAfter: daysFromNow(80) }));
  warning = await serve(
    await issueCertificate(intermediate, { notBefore: daysFromNow(-70), notAfter: daysFromNow(20.5) }),
  );
  expired = await serve(
    await issueCertificate(intermediate, { notBefore: daysFromNow(-95), notAfter: daysFromNow(-4.5) }),
  );
});

afterAll(async () => {
  await servers.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('certvigil check', () => {
  it('prints only a JSON array of check results with --json and exits 0 when all are ok', async () => {
    const run = await certvigil(['check', `127.0.0.1:${ok.port}`, '--ca', caFile, '--json']);
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as CheckResult[];
    expect(results).toHaveLength(1);
    expect(Object.keys(results[0] ?? {}).sort()).toEqual(
      [
        'target',
        'kind',
        'host',
        'port',
        'protocol',
        'servername',
        'checkedAt',
        'status',
        'daysLeft',
        'notBefore',
        'notAfter',
        'chainNotAfter',
        'lifetimeDays',
        'subject',
        'issuer',
        'sans',
        'serialNumber',
        'fingerprint256',
        'keyType',
        'keyBits',
        'signatureAlgorithm',
        'tlsVersion',
        'trusted',
        'trustError',
        'hostnameMatch',
        'consistent',
        'endpoints',
        'chain',
        'certificates',
        'certificateCount',
        'findings',
        'revocation',
        'renewalInfo',
        'error',
      ].sort(),
    );
    expect(results[0]).toMatchObject({ kind: 'tls', status: 'ok', daysLeft: 79, trusted: true, certificateCount: 1 });
    expect(results[0]?.certificates[0]).toMatchObject({
      fingerprint256: results[0]?.fingerprint256,
      status: 'ok',
      daysLeft: 79,
      entityId: null,
    });
    expect(run.stderr).toBe('');
  });

  it('exits 1 on a warning and 2 when anything is expired, whatever else is ok', async () => {
    const warn = await certvigil(['check', `127.0.0.1:${ok.port}`, `127.0.0.1:${warning.port}`, '--ca', caFile]);
    expect(warn.code).toBe(1);
    const bad = await certvigil([
      'check',
      `127.0.0.1:${ok.port}`,
      `127.0.0.1:${warning.port}`,
      `127.0.0.1:${expired.port}`,
      '--ca',
      caFile,
    ]);
    expect(bad.code).toBe(2);
  });

  it('shows progress and a closing totals line on a terminal, also with --json, and keeps stdout clean', async () => {
    // A real terminal for stderr (util-linux's script), stdout to a file.
    const out = join(dir, 'results.json');
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const command = [process.execPath, BIN, 'check', `127.0.0.1:${ok.port}`, `127.0.0.1:${warning.port}`]
      .concat([`127.0.0.1:${expired.port}`, '--ca', caFile, '--json'])
      .map(quote)
      .join(' ');
    // Asynchronously: the TLS servers live in this process and must go on answering.
    const { spawn } = await import('node:child_process');
    const run = await new Promise<{ stdout: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', `${command} > ${quote(out)}`, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '', TERM: 'dumb' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.on('error', reject);
      child.on('exit', () => resolve({ stdout }));
    });
    expect(run.stdout).toMatch(/\rchecked [123]\/3/);
    expect(run.stdout).toMatch(/checked 3 targets in \d+\.\d s: 1 ok, 1 warning, 1 expired\r?\n/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as CheckResult[];
    expect(results.map((r) => r.status)).toEqual(['ok', 'warning', 'expired']);
  });

  it('exits 3 when a target cannot be read and nothing is worse', async () => {
    const port = await closedPort();
    const run = await certvigil(['check', `127.0.0.1:${port}`, `127.0.0.1:${ok.port}`, '--ca', caFile]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/refused: connection refused/);
  });

  it('prints a table sorted by days left, worst first', async () => {
    const run = await certvigil([
      'check',
      `127.0.0.1:${ok.port}`,
      `127.0.0.1:${expired.port}`,
      `127.0.0.1:${warning.port}`,
      '--ca',
      caFile,
    ]);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+DAYS\s+EXPIRES\s+TARGET\s+ISSUER\s+NOTE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['expired', '-5'],
      ['warning', '20'],
      ['ok', '79'],
    ]);
    expect(lines[1]).toContain(`127.0.0.1:${expired.port}`);
    expect(run.stdout).not.toMatch(/\x1b\[/); // no colour when stdout is not a terminal
  });

  it('treats the certificate as untrusted without the CA, and honours NODE_EXTRA_CA_CERTS', async () => {
    const without = await certvigil(['check', `127.0.0.1:${ok.port}`, '--json']);
    expect(without.code).toBe(2);
    expect(JSON.parse(without.stdout)[0]).toMatchObject({ status: 'invalid', trusted: false });
    const withEnv = await certvigil(['check', `127.0.0.1:${ok.port}`, '--json'], {
      env: { NODE_EXTRA_CA_CERTS: caFile },
    });
    expect(JSON.parse(withEnv.stdout)[0]).toMatchObject({ status: 'ok', trusted: true });
  });

  it('trusts NODE_EXTRA_CA_CERTS and --ca together', async () => {
    const other = await createChain();
    const otherCa = join(dir, 'other-ca.pem');
    writeFileSync(otherCa, other.root.certPem);
    const otherServer = await serve(other.leaf);
    const run = await certvigil(
      ['check', `127.0.0.1:${ok.port}`, `127.0.0.1:${otherServer.port}`, '--ca', otherCa, '--json'],
      {
        env: { NODE_EXTRA_CA_CERTS: caFile },
      },
    );
    expect((JSON.parse(run.stdout) as CheckResult[]).map((r) => [r.status, r.trusted])).toEqual([
      ['ok', true],
      ['ok', true],
    ]);
  });

  it('reads targets from a spreadsheet CSV with --file, and from stdin with --file -', async () => {
    const csv = join(dir, 'inventory.csv');
    writeFileSync(csv, `Hostname,Port,Owner\n127.0.0.1,${ok.port},web\n127.0.0.1,${warning.port},api\n`);
    const run = await certvigil(['check', '--file', csv, '--ca', caFile, '--json']);
    expect((JSON.parse(run.stdout) as CheckResult[]).map((r) => r.status)).toEqual(['ok', 'warning']);
    const stdin = await certvigil(['check', '--file', '-', '--ca', caFile, '--json'], {
      stdin: `127.0.0.1:${ok.port}\n`,
    });
    expect((JSON.parse(stdin.stdout) as CheckResult[]).map((r) => r.target)).toEqual([`127.0.0.1:${ok.port}`]);
  });

  it('probes the addresses given with --resolve instead of resolving the name', async () => {
    const run = await certvigil([
      'check',
      `https://web.test:${ok.port}`,
      '--resolve',
      `web.test:${ok.port}:127.0.0.1`,
      '--servername',
      'localhost',
      '--ca',
      caFile,
      '--json',
    ]);
    const [result] = JSON.parse(run.stdout) as CheckResult[];
    expect(result).toMatchObject({
      target: `web.test:${ok.port}`,
      servername: 'localhost',
      status: 'ok',
      hostnameMatch: true,
    });
    expect(result?.endpoints.map((e) => e.address)).toEqual(['127.0.0.1']);
  });

  it('applies --warn-days and --crit-days', async () => {
    const run = await certvigil([
      'check',
      `127.0.0.1:${ok.port}`,
      '--ca',
      caFile,
      '--warn-days',
      '100',
      '--crit-days',
      '85',
      '--json',
    ]);
    expect(JSON.parse(run.stdout)[0].status).toBe('critical');
    expect(run.code).toBe(2);
  });

  it('exits by itself within the timeout when a server never answers', async () => {
    const silent = await startTcpServer(() => undefined);
    servers.track(silent);
    const run = await certvigil(['check', `127.0.0.1:${silent.port}`, '--timeout', '500', '--json']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)[0].error.kind).toBe('timeout');
    expect(run.ms).toBeLessThan(5000);
  });

  it.each([
    [[], /no targets/],
    [['example.com:0'], /target "example.com:0": port 0 is outside 1 to 65535/],
    [['example.com', '--timeout', 'soon'], /--timeout must be a whole number of at least 1 \(got "soon"\)/],
    [['example.com', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 1000 \(got "0"\)/],
    [['example.com', '--warn-days', '5', '--crit-days', '9'], /--crit-days 9 must not be more than --warn-days 5/],
    [['example.com', '--bogus'], /unknown option --bogus\n$/],
    [['example.com', '--jsn'], /unknown option --jsn \(did you mean --json\?\)/],
    [
      ['example.com', '--timeout', '-5'],
      /--timeout takes a value; one that starts with a dash goes as --timeout=VALUE/,
    ],
    [['example.com', '--timeout=-5'], /--timeout must be a whole number of at least 1 \(got "-5"\)/],
    [['example.com', '--timeout'], /--timeout needs a value/],
    [['example.com', '--resolve', 'example.com:443'], /--resolve "example.com:443" is not host:port:address/],
    [['example.com', '--resolve', 'other.com:443:127.0.0.1'], /--resolve other.com:443:… matches no target/],
    [['example.com', '--resolve', 'example.com:443:not-ip'], /"not-ip" is not an IP address/],
    [['example.com', '--ca', '/nonexistent/ca.pem'], /cannot read CA file \/nonexistent\/ca.pem: no such file/],
    [['example.com', '--file', '/nonexistent/list'], /cannot read --file \/nonexistent\/list: no such file/],
    [['example.com', '--servername', '10.0.0.1'], /--servername must be a host name/],
  ])('rejects bad arguments %j with one line and exit 3', async (args, message) => {
    const run = await certvigil(['check', ...args]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^certvigil: /);
    expect(run.stderr).toMatch(message);
  });

  it('names the bad line of a target file', async () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, 'example.com\nexample.com:99999\n');
    const run = await certvigil(['check', '--file', file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`certvigil: ${file}:2: port: port 99999 is outside 1 to 65535\n`);
  });

  it('says what is wrong with an IPv6 zone id, without a stack trace', async () => {
    const run = await certvigil(['check', 'fe80::1%eth0']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/IPv6 zone id/);
    expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('exits quietly when the reader of its output goes away (| head -c 300)', async () => {
    const port = await closedPort();
    const file = join(dir, 'many.txt');
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => `h${i}.test:${port}`).join('\n'));
    const hosts = Array.from({ length: 300 }, (_, i) => `h${i}.test:${port}:127.0.0.1`).join(' --resolve ');
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${BIN}" check --json --file "${file}" --resolve ${hosts} | head -c 300 > /dev/null; echo "status=\${PIPESTATUS[0]}"`,
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, timeout: 20_000 },
    );
    expect(run.stdout).toMatch(/status=[0-3]\n/);
    expect(run.stderr).not.toMatch(/EPIPE|Error|at /);
  });

  it('rejects an unknown command', async () => {
    const run = await certvigil(['chekc']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('certvigil: unknown command "chekc" (try certvigil --help)\n');
  });
});
