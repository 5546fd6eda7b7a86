import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { issued } from './certificate-cache.ts';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * TLS settings that let us read a certificate from any server, however old: legacy protocol
 * versions and weak keys are allowed, since refusing them would hide the certificate we came for.
 * What the server negotiated is reported (`tlsVersion`), not judged.
 */
const LENIENT_TLS = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;

/**
 * The certificates a check trusts: Node's default CA list (Mozilla's roots plus
 * NODE_EXTRA_CA_CERTS) and any extra CAs. The same list verifies the handshake and anchors the
 * chain we build, and one TLS context serves every connection.
 */
export class TrustStore {
  readonly secureContext: tls.SecureContext;
  private readonly pems: readonly string[];
  private index: { bySubject: Map<string, X509Certificate[]>; fingerprints: Set<string> } | undefined;
  private publicFingerprints: Set<string> | undefined;
  private readonly publicPems: readonly string[] | undefined;

  /**
   * `publicCaPems`: the roots counted as publicly trusted (default: the Mozilla roots bundled
   * with Node; tests name their own CA).
   */
  constructor(extraCaPems: readonly string[] = [], options: { publicCaPems?: readonly string[] } = {}) {
    this.pems = [...tls.getCACertificates('default'), ...extraCaPems];
    this.publicPems = options.publicCaPems;
    this.secureContext = createLenientContext(extraCaPems);
  }

  /** A root of the public web PKI (the bundled Mozilla store), not an internal CA added to it. */
  isPublicAnchor(cert: X509Certificate): boolean {
    this.publicFingerprints ??= new Set(
      (this.publicPems ?? tls.getCACertificates('bundled')).map((pem) => new X509Certificate(pem).fingerprint256),
    );
    return this.publicFingerprints.has(cert.fingerprint256);
  }

  /** Reads extra CA files (PEM, one or more certificates each). Throws with the file name on bad input. */
  static withCaFiles(paths: readonly string[]): TrustStore {
    return new TrustStore(paths.flatMap((path) => readCaFile(path)));
  }

  /** A trust anchor that issued and signed `cert`, if there is one. */
  issuerOf(cert: X509Certificate): X509Certificate | undefined {
    return this.anchors()
      .bySubject.get(cert.issuer)
      ?.find((anchor) => issued(anchor, cert));
  }

  isAnchor(cert: X509Certificate): boolean {
    return this.anchors().fingerprints.has(cert.fingerprint256);
  }

  /** Parses the anchors on first use (a few hundred certificates: milliseconds, once). */
  private anchors(): { bySubject: Map<string, X509Certificate[]>; fingerprints: Set<string> } {
    if (this.index) return this.index;
    const index = { bySubject: new Map<string, X509Certificate[]>(), fingerprints: new Set<string>() };
    for (const pem of this.pems) {
      const cert = new X509Certificate(pem);
      if (index.fingerprints.has(cert.fingerprint256)) continue;
      index.fingerprints.add(cert.fingerprint256);
      const list = index.bySubject.get(cert.subject) ?? [];
      list.push(cert);
      index.bySubject.set(cert.subject, list);
    }
    this.index = index;
    return index;
  }
}

export function readCaFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (error) {
    throw new Error(
      `cannot read CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const pems = text.match(PEM_CERTIFICATE) ?? [];
  if (pems.length === 0) throw new Error(`CA file ${path} holds no PEM certificate`);
  for (const pem of pems) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new Error(`CA file ${path} holds a certificate that cannot be parsed`);
    }
  }
  return pems;
}

/**
 * A TLS context that verifies against Node's default store plus `extraCaPems`. Adding the extras
 * to a context that starts from the default store copies Node's already-parsed roots (well under
 * a millisecond) instead of parsing every root again from PEM, which `ca: [...]` would do.
 */
function createLenientContext(extraCaPems: readonly string[]): tls.SecureContext {
  if (extraCaPems.length === 0) return tls.createSecureContext({ ...LENIENT_TLS });
  const context = tls.createSecureContext({ ...LENIENT_TLS });
  const native = (context as { context?: { addCACert?: (pem: string) => void } }).context;
  if (typeof native?.addCACert !== 'function') {
    return tls.createSecureContext({ ...LENIENT_TLS, ca: [...tls.getCACertificates('default'), ...extraCaPems] });
  }
  for (const pem of extraCaPems) native.addCACert(pem);
  return context;
}

let defaultStore: TrustStore | undefined;

/** The process-wide default trust store, built on first use. */
export function defaultTrustStore(): TrustStore {
  defaultStore ??= new TrustStore();
  return defaultStore;
}
