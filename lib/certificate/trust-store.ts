import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { fileProblem } from '../file-problem.ts';
import { fs } from '../node-builtins.ts';
import { issued } from './certificate-cache.ts';
import { certificateNames } from './der.ts';

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
  private readonly extraCaPems: readonly string[];
  private index: AnchorIndex | undefined;
  private textIndex: Map<string, X509Certificate[]> | undefined;
  private publicCertificates: Set<string> | undefined;
  private readonly publicPems: readonly string[] | undefined;

  /**
   * `publicCaPems`: the roots counted as publicly trusted (default: the Mozilla roots bundled
   * with Node; tests name their own CA).
   */
  constructor(extraCaPems: readonly string[] = [], options: { publicCaPems?: readonly string[] } = {}) {
    this.extraCaPems = extraCaPems;
    this.publicPems = options.publicCaPems;
    this.secureContext = createLenientContext(extraCaPems);
  }

  /** A root of the public web PKI (the bundled Mozilla store), not an internal CA added to it. */
  isPublicAnchor(cert: X509Certificate): boolean {
    this.publicCertificates ??= this.publicPems
      ? new Set(this.publicPems.map((pem) => pemToDer(pem).toString('latin1')))
      : this.bundledAnchors();
    return this.publicCertificates.has(cert.raw.toString('latin1'));
  }

  /**
   * The bundled roots, as the anchor index decoded them: Node's default list holds the bundled
   * PEM texts themselves, so a second decoding of every root (~3 ms of a start) is not needed.
   * Should a Node give them otherwise, they are decoded here.
   */
  private bundledAnchors(): Set<string> {
    const bundled = tls.getCACertificates('bundled');
    const found = this.anchors().bundled;
    if (found.size === new Set(bundled).size) return found;
    return new Set(bundled.map((pem) => pemToDer(pem).toString('latin1')));
  }

  /** Reads extra CA files (PEM, one or more certificates each). Throws with the file name on bad input. */
  static withCaFiles(paths: readonly string[]): TrustStore {
    return new TrustStore(paths.flatMap((path) => readCaFile(path)));
  }

  /** A trust anchor whose subject is, byte for byte, `cert`'s issuer and that signed it. */
  issuerOf(cert: X509Certificate): X509Certificate | undefined {
    const names = certificateNames(cert.raw);
    const byName = names ? this.anchors().bySubject.get(names.issuer) : undefined;
    for (const anchor of byName ?? []) {
      anchor.cert ??= new X509Certificate(anchor.der);
      if (issued(anchor.cert, cert)) return anchor.cert;
    }
    return undefined;
  }

  /**
   * A trust anchor that signed `cert` and whose subject reads as `cert`'s issuer, its bytes
   * perhaps otherwise (a string type re-encoded). Parses every anchor, once per trust store: for
   * when a chain found no other way on.
   */
  issuerOfByText(cert: X509Certificate): X509Certificate | undefined {
    return this.anchorsByText()
      .get(cert.issuer)
      ?.find((anchor) => issued(anchor, cert));
  }

  isAnchor(cert: X509Certificate): boolean {
    return this.anchors().certificates.has(cert.raw.toString('latin1'));
  }

  /**
   * Indexes the anchors on first use by their DER and by the DER of their subject, without
   * parsing them (hundreds of certificates: about a millisecond, where parsing took 30-40 ms).
   */
  /**
   * Node's default CA list and the extra CAs, fetched when a chain first needs them (Node writes
   * its list out as PEM: ~7 ms with 150 NODE_EXTRA_CA_CERTS), not when the store is made.
   */
  private pems(): readonly string[] {
    return [...tls.getCACertificates('default'), ...this.extraCaPems];
  }

  private anchors(): AnchorIndex {
    if (this.index) return this.index;
    const index: AnchorIndex = { bySubject: new Map(), certificates: new Set(), bundled: new Set() };
    const bundled = new Set(tls.getCACertificates('bundled'));
    for (const pem of this.pems()) {
      const der = pemToDer(pem);
      const binary = der.toString('latin1');
      if (bundled.has(pem)) index.bundled.add(binary);
      if (index.certificates.has(binary)) continue;
      index.certificates.add(binary);
      const subject = certificateNames(der)?.subject;
      if (subject === undefined) continue; // not a certificate's shape: only the text index can find it
      const list = index.bySubject.get(subject) ?? [];
      list.push({ der });
      index.bySubject.set(subject, list);
    }
    this.index = index;
    return index;
  }

  private anchorsByText(): Map<string, X509Certificate[]> {
    if (this.textIndex) return this.textIndex;
    const bySubject = new Map<string, X509Certificate[]>();
    const seen = new Set<string>();
    for (const pem of this.pems()) {
      const cert = new X509Certificate(pem);
      if (seen.has(cert.fingerprint256)) continue;
      seen.add(cert.fingerprint256);
      bySubject.set(cert.subject, [...(bySubject.get(cert.subject) ?? []), cert]);
    }
    this.textIndex = bySubject;
    return bySubject;
  }
}

interface AnchorIndex {
  /** Keyed by the DER of the subject name. */
  bySubject: Map<string, { der: Buffer; cert?: X509Certificate }[]>;
  /** Every anchor's DER, as a binary string. */
  certificates: Set<string>;
  /** Those of them that are Node's bundled (Mozilla) roots. */
  bundled: Set<string>;
}

/** The DER inside one PEM certificate (the text between its BEGIN and END lines). */
function pemToDer(pem: string): Buffer {
  const begin = pem.indexOf('-----', pem.indexOf('-----BEGIN') + 10) + 5;
  const end = pem.indexOf('-----END', begin);
  return Buffer.from(pem.slice(begin, end === -1 ? undefined : end), 'base64');
}

export function readCaFile(path: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch (error) {
    throw new Error(`cannot read CA file ${path}: ${fileProblem(error)}`);
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
