import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTarget } from '../../lib/probe/check-target.ts';
import type { ProbeTimeouts } from '../../lib/probe/timeouts.ts';
import { TrustStore } from '../../lib/probe/trust-store.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import type { StartTlsProtocol } from '../../lib/targets/protocols.ts';
import { createChain, type Minted } from '../fixtures/cert-factory.ts';
import { credentials, type RunningServer, type StartTlsBehaviour, startStartTlsServer } from '../fixtures/servers.ts';

const servers: RunningServer[] = [];
let leaf: Minted;
let trust: TrustStore;
const fast: ProbeTimeouts = { dnsMs: 300, connectMs: 300, starttlsMs: 400, handshakeMs: 400, endpointMs: 1000 };
const PROTOCOLS: StartTlsProtocol[] = ['smtp', 'imap', 'pop3', 'ftp', 'ldap', 'postgres'];

beforeAll(async () => {
  const chain = await createChain({ sans: ['mail.test', '127.0.0.1'] });
  leaf = chain.leaf;
  trust = new TrustStore([chain.root.certPem]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function checkDialect(protocol: StartTlsProtocol, behaviour: StartTlsBehaviour) {
  const server = await startStartTlsServer(protocol, credentials(leaf), behaviour);
  servers.push(server);
  return checkTarget(parseTarget(`127.0.0.1:${server.port}/${protocol}`), { trust, timeouts: fast });
}

describe.each(PROTOCOLS)('STARTTLS over %s', (protocol) => {
  it('negotiates the upgrade and reads the certificate', async () => {
    const result = await checkDialect(protocol, 'upgrade');
    expect(result).toMatchObject({
      protocol,
      status: 'ok',
      trusted: true,
      sans: ['mail.test', '127.0.0.1'],
      error: null,
    });
    expect(result.target).toMatch(new RegExp(`/${protocol}$`));
  });

  it('reports a server that declines the upgrade as starttls', async () => {
    const result = await checkDialect(protocol, 'decline');
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('starttls');
  });

  it('times out on a server that never speaks', async () => {
    const result = await checkDialect(protocol, 'silent');
    expect(result.error).toEqual({ kind: 'timeout', message: 'starttls timed out after 400 ms' });
  });

  it('reports a server that answers with another protocol as protocol', async () => {
    const result = await checkDialect(protocol, 'garbage');
    expect(result.error?.kind).toBe('protocol');
  });
});

describe('STARTTLS hardening', () => {
  it.each(['smtp', 'imap', 'pop3', 'ftp'] as const)(
    'refuses a %s server that sends extra bytes after agreeing to STARTTLS',
    async (protocol) => {
      const result = await checkDialect(protocol, 'inject');
      expect(result.error).toEqual({
        kind: 'protocol',
        message: 'the server sent unexpected data after agreeing to STARTTLS',
      });
    },
  );
});
