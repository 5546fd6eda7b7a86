// A hostile peer cannot starve the others: in local mode (one process), XMPP and SAML peers that
// answer with deeply nested XML are reported as errors, while ten healthy targets checked in the
// same round are all `ok` and the admin API keeps answering promptly.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalMode } from '../../lib/local/local-mode.ts';
import { daysFromNow, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { credentials, type RunningServer, startTcpServer } from '../fixtures/servers.ts';

const servers: RunningServer[] = [];
let docs: DocumentServer;
let xmpp: RunningServer;

/** What the red team sent: the stream header, then two 64 KiB writes of `<a>`. */
const XMPP_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
const NESTING = '<a>'.repeat(Math.floor(65_536 / 3));

beforeAll(async () => {
  const { certPem, keyPem } = inject('testCa');
  const ca = await importCa(certPem, keyPem);
  for (let i = 0; i < 10; i++) {
    const leaf = await issueCertificate(ca, {
      sans: ['127.0.0.1'],
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(80),
    });
    // Healthy, but not instant (as across a network): the handshake starts 300 ms after the connect.
    const server = tls.createServer(credentials(leaf), (socket) => socket.end());
    server.on('tlsClientError', () => undefined);
    servers.push(await startTcpServer((socket) => setTimeout(() => server.emit('connection', socket), 300)));
  }
  xmpp = await startTcpServer((socket) => {
    socket.once('data', () => {
      socket.write(XMPP_HEADER);
      socket.write(NESTING);
      socket.write(NESTING);
    });
  });
  docs = await startDocumentServer();
  docs.serve(
    '/metadata',
    `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">${'<a>'.repeat(87_000)}`,
    'application/samlmetadata+xml',
  );
});

afterAll(async () => {
  await Promise.all([...servers, xmpp].map((s) => s?.close()));
  await docs?.close();
});

describe('local mode with hostile peers', () => {
  it('checks every healthy target ok and answers the admin API within a second while hostile XML is read', async () => {
    const local = await startLocalMode({ port: 0, intervalSeconds: 3600, token: 't', print: () => undefined });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${local.url}${path}`, {
        method,
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    try {
      const targets = [
        ...servers.map((s) => ({ host: `127.0.0.1:${s.port}` })),
        { host: `127.0.0.1:${xmpp.port}/xmpp` },
        { host: `saml:${docs.origin}/metadata` },
      ];
      const imported = await api('POST', '/import', targets);
      expect(((await imported.json()) as { created: number }).created).toBe(12);

      // The admin API is asked every 100 ms while the round runs. A request is late from the moment
      // it was due (a blocked event loop delays the timer that sends it, too); the latest is kept.
      let slowest = 0;
      let asked = 0;
      let polling = true;
      const poller = (async () => {
        let due = performance.now();
        while (polling) {
          const response = await api('GET', '/targets?limit=1');
          await response.arrayBuffer();
          slowest = Math.max(slowest, performance.now() - due);
          asked++;
          due = performance.now() + 100;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const round = await local.dispatchNow(true);
      polling = false;
      await poller;
      expect(round.checked).toBe(12);
      expect(asked).toBeGreaterThan(0);
      expect(slowest).toBeLessThan(1000);

      const rows = (await (await api('GET', '/report')).json()) as { target: string; status: string }[];
      const byTarget = new Map(rows.map((row) => [row.target, row]));
      for (const server of servers) expect(byTarget.get(`127.0.0.1:${server.port}`)?.status).toBe('ok');
      expect(byTarget.get(`127.0.0.1:${xmpp.port}/xmpp`)?.status).toBe('error');
      expect(byTarget.get(`saml:${docs.origin}/metadata`)?.status).toBe('error');
    } finally {
      await local.stop();
    }
  }, 120_000);
});
