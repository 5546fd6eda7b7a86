import type { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { classifyError, type Phase, ProbeError } from '../../net/probe-error.ts';
import type { ProbeTimeouts } from '../../net/timeouts.ts';
import type { Protocol } from '../../targets/protocols.ts';
import { MAX_CHAIN_LENGTH } from './chain.ts';
import { negotiateStartTls } from './starttls.ts';

export interface HandshakeRequest {
  address: string;
  port: number;
  protocol: Protocol;
  /** SNI and the name the certificate is checked against; undefined for bare IP targets. */
  servername: string | undefined;
  secureContext: tls.SecureContext;
  timeouts: ProbeTimeouts;
  /** The deadline of the check (net/timeouts.ts checkDeadline): every phase ends by it. */
  within?: AbortSignal | undefined;
}

export interface HandshakeResult {
  /** The leaf first, then the certificates the server presented, in issuance order. */
  certificates: X509Certificate[];
  /** OpenSSL's verdict against the trust store. */
  authorized: boolean;
  authorizationError: string | null;
  tlsVersion: string | null;
}

/** Node folds the name check into `authorized`; we report trust and name separately. */
const noIdentityCheck = () => undefined;

/**
 * Connects to one address, negotiates STARTTLS when the protocol needs it, completes a TLS
 * handshake without rejecting any certificate, and returns what the server presented. Every
 * phase is bounded by its own timeout and by the per-address total; the sockets are destroyed
 * whatever happens. Failures are ProbeErrors.
 */
export async function handshake(request: HandshakeRequest): Promise<HandshakeResult> {
  const attempt = new Attempt(request.timeouts.endpointMs, request.within);
  try {
    const options = {
      secureContext: request.secureContext,
      rejectUnauthorized: false,
      checkServerIdentity: noIdentityCheck,
      ...(request.servername ? { servername: request.servername } : {}),
    };
    let secure: tls.TLSSocket;
    if (request.protocol === 'tls') {
      // One socket: TLS starts as soon as TCP connects (what a plain tls.connect does).
      secure = attempt.track(tls.connect({ ...options, host: request.address, port: request.port }));
      secure.setNoDelay(true);
      await attempt.step('connect', request.timeouts.connectMs, (done) => {
        secure.once('connect', done);
      });
    } else {
      const socket = attempt.track(new net.Socket());
      await attempt.step('connect', request.timeouts.connectMs, (done) => {
        socket.once('connect', done);
        socket.connect({ host: request.address, port: request.port });
      });
      socket.setNoDelay(true);
      const protocol = request.protocol;
      await attempt.step('starttls', request.timeouts.starttlsMs, (done, fail) => {
        negotiateStartTls(protocol, socket, request.servername ?? request.address).then(done, fail);
      });
      secure = attempt.track(tls.connect({ ...options, socket }));
    }
    // Node builds the legacy certificate object (three fingerprints per certificate, trust-store
    // lookups) only to pass it to checkServerIdentity, which we replace; we read the chain
    // through getPeerX509Certificate instead, so that work is skipped on this socket.
    secure.getPeerCertificate = () => ({}) as tls.DetailedPeerCertificate;
    await attempt.step('handshake', request.timeouts.handshakeMs, (done) => {
      secure.once('secureConnect', done);
    });
    return {
      certificates: presentedCertificates(secure),
      authorized: secure.authorized,
      authorizationError: secure.authorized ? null : errorCode(secure.authorizationError),
      tlsVersion: secure.getProtocol() ?? null,
    };
  } finally {
    attempt.dispose();
  }
}

/**
 * The leaf and the certificates the server sent after it, in issuance order. Node links each
 * certificate to its issuer among the ones the server sent (no trust-store lookups), which is
 * both what we want to report and cheaper than getPeerCertificate(true).
 */
function presentedCertificates(socket: tls.TLSSocket): X509Certificate[] {
  const certificates: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: X509Certificate | undefined = socket.getPeerX509Certificate();
  while (cert && !seen.has(cert.fingerprint256) && certificates.length < MAX_CHAIN_LENGTH) {
    seen.add(cert.fingerprint256);
    certificates.push(cert);
    cert = cert.issuerCertificate;
  }
  if (certificates.length === 0)
    throw new ProbeError('handshake', 'the server completed the handshake without a certificate');
  return certificates;
}

function errorCode(error: Error | string | null | undefined): string | null {
  if (!error) return null;
  if (typeof error === 'string') return error;
  return (error as NodeJS.ErrnoException).code ?? error.message;
}

/**
 * One connection attempt: tracks its sockets (so an error event is never unhandled), runs each
 * phase against its own limit and the attempt's overall deadline, and destroys everything at the end.
 */
class Attempt {
  private readonly deadline: number;
  private readonly sockets: net.Socket[] = [];
  private failure: unknown;
  private onFailure: ((error: unknown) => void) | undefined;

  private readonly totalMs: number;
  private readonly within: AbortSignal | undefined;

  constructor(totalMs: number, within?: AbortSignal) {
    this.totalMs = totalMs;
    this.deadline = Date.now() + totalMs;
    this.within = within;
  }

  track<S extends net.Socket>(socket: S): S {
    this.sockets.push(socket);
    socket.on('error', (error) => this.fail(error));
    return socket;
  }

  step(
    phase: Phase,
    limitMs: number,
    start: (done: () => void, fail: (error: unknown) => void) => void,
  ): Promise<void> {
    const remaining = this.deadline - Date.now();
    const overall = remaining < limitMs;
    const ms = Math.max(0, Math.min(limitMs, remaining));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const atDeadline = () =>
        finish(new ProbeError('timeout', `no certificate by the check's deadline (stopped during ${phase})`));
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.within?.removeEventListener('abort', atDeadline);
        this.onFailure = undefined;
        if (error === undefined) resolve();
        else reject(classifyError(error, phase));
      };
      const timer = setTimeout(() => {
        const message = overall
          ? `no certificate within the ${this.totalMs} ms limit for one address (stopped during ${phase})`
          : `${phase} timed out after ${ms} ms`;
        finish(new ProbeError('timeout', message));
      }, ms);
      if (this.failure !== undefined) return finish(this.failure);
      if (this.within?.aborted) return atDeadline();
      this.within?.addEventListener('abort', atDeadline, { once: true });
      this.onFailure = finish;
      try {
        start(() => finish(), finish);
      } catch (error) {
        finish(error);
      }
    });
  }

  dispose(): void {
    this.onFailure = undefined;
    // Outermost first: destroying a plain socket before the TLS socket wrapping it crashes
    // Node 24 (segmentation fault), so the TLS layer goes before the socket under it.
    for (const socket of [...this.sockets].reverse()) socket.destroy();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.onFailure?.(error);
  }
}
