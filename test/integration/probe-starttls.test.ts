import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustStore } from '../../lib/certificate/trust-store.ts';
import type { ProbeTimeouts } from '../../lib/net/timeouts.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { MAX_PLAINTEXT_BYTES, SocketReader } from '../../lib/sources/tls/socket-reader.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { PROTOCOLS, type StartTlsProtocol } from '../../lib/targets/protocols.ts';
import { createChain, type Minted } from '../fixtures/cert-factory.ts';
import {
  credentials,
  type RunningServer,
  type StartTlsBehaviour,
  startStartTlsServer,
  startTcpServer,
} from '../fixtures/servers.ts';

const servers: RunningServer[] = [];
let leaf: Minted;
let trust: TrustStore;
const fast: ProbeTimeouts = { dnsMs: 300, connectMs: 300, starttlsMs: 400, handshakeMs: 400, endpointMs: 1000 };
/** Every STARTTLS dialect certvigil speaks: a new one without a stand-in fails here. */
const DIALECTS = PROTOCOLS.filter((p): p is StartTlsProtocol => p !== 'tls');

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

describe.each(DIALECTS)('STARTTLS over %s', (protocol) => {
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
  it.each(['smtp', 'imap', 'pop3', 'ftp', 'xmpp', 'lmtp', 'nntp', 'sieve'] as const)(
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

describe('the plaintext cap', () => {
  it('hands no byte past the cap to the dialogue, however the server writes it', async () => {
    const server = await startTcpServer((socket) => {
      socket.write(Buffer.alloc(MAX_PLAINTEXT_BYTES, 0x20));
      socket.write(Buffer.alloc(MAX_PLAINTEXT_BYTES, 0x20));
    });
    servers.push(server);
    const socket = net.connect(server.port, '127.0.0.1');
    try {
      const reader = new SocketReader(socket);
      let read = 0;
      const failure = await (async () => {
        for (;;) read += (await reader.readSome()).length;
      })().catch((error: Error) => error);
      expect(failure.message).toBe(`the server sent more than ${MAX_PLAINTEXT_BYTES} bytes before TLS`);
      expect(read).toBeLessThanOrEqual(MAX_PLAINTEXT_BYTES);
    } finally {
      socket.destroy();
    }
  });

  it('reports an XMPP server that nests elements past the cap as protocol, at once', async () => {
    const server = await startTcpServer((socket) => {
      socket.once('data', () => {
        socket.write(
          "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
        );
        socket.write('<a>'.repeat(21_845));
        socket.write('<a>'.repeat(21_845));
      });
    });
    servers.push(server);
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}/xmpp`), { trust, timeouts: fast });
    expect(result.error).toEqual({
      kind: 'protocol',
      message: 'the server does not speak XMPP: XML nested deeper than 16 elements',
    });
  });
});

describe('MySQL refusals', () => {
  it('reports an ERR packet in place of the greeting with its message', async () => {
    const message = "Host '127.0.0.1' is not allowed to connect to this MySQL server";
    const payload = Buffer.concat([Buffer.from([0xff, 0x6a, 0x04]), Buffer.from(message, 'latin1')]);
    const server = await startTcpServer((socket) => {
      socket.end(Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]));
    });
    servers.push(server);
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}/mysql`), { trust, timeouts: fast });
    expect(result.error).toEqual({
      kind: 'starttls',
      message: `the MySQL server refused the connection: "${message}"`,
    });
  });
});

describe('STARTTLS dialects by port and scheme', () => {
  it.each([
    ['db.example.com:3306', 'db.example.com:3306/mysql', 'mysql'],
    ['mysql://db.example.com', 'db.example.com:3306/mysql', 'mysql'],
    ['chat.example.com:5222', 'chat.example.com:5222/xmpp', 'xmpp'],
    ['xmpp://chat.example.com', 'chat.example.com:5222/xmpp', 'xmpp'],
    ['chat.example.com:5269', 'chat.example.com:5269/xmpp-server', 'xmpp-server'],
    ['chat.example.com:5280/xmpp', 'chat.example.com:5280/xmpp', 'xmpp'],
  ])('reads %s as %s', (input, id, protocol) => {
    expect(parseTarget(input)).toMatchObject({ id, protocol });
  });
});
