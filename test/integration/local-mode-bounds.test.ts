// Local mode keeps its probes bounded and stops promptly; its token scheme is case-insensitive.
import type net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { STOP_GRACE_MS, startLocalMode } from '../../lib/local/local-mode.ts';
import { type RunningServer, startTcpServer } from '../fixtures/servers.ts';

const started: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

describe('local mode under load', () => {
  it('runs at most probeConcurrency probes at once, and stops within seconds while probes hang', async () => {
    // A server that accepts and never answers: every probe waits for its handshake timeout.
    let open = 0;
    let most = 0;
    const silent = await startTcpServer((socket: net.Socket) => {
      open++;
      most = Math.max(most, open);
      socket.on('close', () => open--);
    });
    started.push(silent);
    const local = await startLocalMode({
      port: 0,
      intervalSeconds: 3600,
      token: 'tok',
      probeConcurrency: 4,
      print: () => undefined,
    });
    let stopped = false;
    try {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        const response = await fetch(`${local.url}/targets`, {
          method: 'POST',
          headers: { authorization: `${scheme} tok`, 'content-type': 'application/json' },
          body: JSON.stringify({ host: `${scheme.toLowerCase()}-check.test:${silent.port}`, addresses: ['127.0.0.1'] }),
        });
        expect(response.status).toBeLessThan(300);
      }
      const imported = await fetch(`${local.url}/import`, {
        method: 'POST',
        headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
        body: JSON.stringify(
          Array.from({ length: 40 }, (_, i) => ({ host: `t${i}.load.test:${silent.port}`, addresses: ['127.0.0.1'] })),
        ),
      });
      expect(((await imported.json()) as { created: number }).created).toBe(40);

      const round = local.dispatchNow(true);
      round.catch(() => undefined); // its probes still running are cut off when the server closes
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(4);

      const before = performance.now();
      await local.stop();
      stopped = true;
      expect(performance.now() - before).toBeLessThan(STOP_GRACE_MS + 3000);
    } finally {
      if (!stopped) await local.stop();
    }
  }, 60_000);
});
