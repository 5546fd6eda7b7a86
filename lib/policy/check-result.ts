import type { ChainEntry } from '../certificate/cert-facts.ts';
import type { ErrorKind } from '../net/probe-error.ts';
import type { SourceKind } from '../targets/kinds.ts';
import type { Protocol } from '../targets/protocols.ts';
import type { Finding } from './findings.ts';
import type { Status } from './status.ts';

export interface CheckError {
  /** The TLS kinds, plus `http` (a non-2xx answer), `parse` (not the expected document) and `empty`. */
  kind: ErrorKind;
  message: string;
}

/** One address of a target, as one check saw it. */
export interface EndpointResult {
  address: string;
  status: Status;
  fingerprint256: string | null;
  notAfter: string | null;
  error: CheckError | null;
}

/**
 * The outcome of one check of one target. The same field names serve the CLI's --json output,
 * the admin API and the stored state (see DESIGN.md). Certificate fields describe the worst
 * address that served a certificate, and are null when none did.
 */
/** One certificate of a result (documents and AWS sources): the contract's `certificates[]`. */
export interface CertificateEntry {
  fingerprint256: string | null;
  subject: string | null;
  issuer: string | null;
  serialNumber: string | null;
  notBefore: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  lifetimeDays: number | null;
  status: Exclude<Status, 'error'>;
  keyType: string | null;
  keyBits: number | null;
  signatureAlgorithm: string | null;
  /** SAML: the entity and role descriptor (`idp`, `sp`, `aa`…) the certificate belongs to. */
  entityId: string | null;
  role: string | null;
  /** `signing`, `encryption`, or null when the document does not say. */
  use: string | null;
  /** JWKS: the key id and algorithm. */
  kid: string | null;
  alg: string | null;
  /** Fingerprint of a later-expiring certificate published for the same purpose: a rollover. */
  successor: string | null;
  /** Why the certificate is `invalid` (x5t#S256 mismatch, not yet valid…), when it is. */
  problem: string | null;
  /**
   * What the certificate stands for, to tell a replacement from another certificate: the names it
   * covers (TLS, PEM, files), or where a document publishes it (SAML entity/role/use, JWKS kid/use).
   */
  namesKey: string | null;
}

export interface CheckResult {
  target: string;
  /** Where the certificates were read from: `tls` (an endpoint), or a document or file kind. */
  kind: SourceKind;
  /** For documents: the URL's host, port and `tls`; for a file: '' and 0. */
  host: string;
  port: number;
  protocol: Protocol;
  servername: string | null;
  checkedAt: string;
  status: Status;
  daysLeft: number | null;
  notBefore: string | null;
  notAfter: string | null;
  chainNotAfter: string | null;
  lifetimeDays: number | null;
  subject: string | null;
  issuer: string | null;
  sans: string[];
  serialNumber: string | null;
  fingerprint256: string | null;
  keyType: string | null;
  keyBits: number | null;
  signatureAlgorithm: string | null;
  tlsVersion: string | null;
  trusted: boolean | null;
  trustError: string | null;
  hostnameMatch: boolean | null;
  consistent: boolean;
  endpoints: EndpointResult[];
  chain: ChainEntry[];
  /** Every certificate the source holds, worst first (a TLS result: its leaf), at most 50. */
  certificates: CertificateEntry[];
  /** How many distinct certificates the source held (more than `certificates` when cut). */
  certificateCount: number;
  /**
   * Weak certificates: short RSA keys, SHA-1 or MD5 signatures, a lifetime longer than public CAs
   * may issue (policy/findings.ts), at most 10.
   */
  findings: Finding[];
  /**
   * Whether the CA revoked a served certificate, by its CRL (revocation/check-revocation.ts);
   * null when no certificate names a CRL, or the source has no chain to look up.
   */
  revocation: Revocation | null;
  /**
   * ACME Renewal Information (RFC 9773) from the issuing CA: its suggested renewal window and
   * whether it asks for renewal early; null when the CA publishes none for this certificate.
   */
  renewalInfo: RenewalInfo | null;
  /** ACM targets: what ACM says about the certificate (absent for other kinds). */
  acm?: AcmFacts | undefined;
  /** IAM SAML providers: the provider's own expiry, after which IAM refuses its sign-ins (absent for other kinds). */
  samlProvider?: { validUntil: string | null } | undefined;
  error: CheckError | null;
}

/** What ACM knows about a certificate that the certificate itself does not say. */
export interface AcmFacts {
  /** `IMPORTED` (ACM never renews it), `AMAZON_ISSUED` or `PRIVATE`. */
  type: string | null;
  renewalEligibility: string | null;
  /** Managed renewal: `PENDING_AUTO_RENEWAL`, `PENDING_VALIDATION`, `SUCCESS` or `FAILED`. */
  renewalStatus: string | null;
  renewalReason: string | null;
  /** What uses it (load balancers, CloudFront distributions…), at most 20. */
  inUseBy: string[];
  inUseCount: number;
}

/** The certificate fields of a result that read no certificate. */
export const NO_CERTIFICATE = {
  daysLeft: null,
  notBefore: null,
  notAfter: null,
  chainNotAfter: null,
  lifetimeDays: null,
  subject: null,
  issuer: null,
  serialNumber: null,
  fingerprint256: null,
  keyType: null,
  keyBits: null,
  signatureAlgorithm: null,
  trustError: null,
} as const;

/** What a CA's renewal information says, as a result keeps it. */
export interface RenewalInfo {
  /** The suggested renewal window. */
  suggestedStart: string;
  suggestedEnd: string;
  /** The CA's page explaining why (https, bounded), when it gave one. */
  explanationURL: string | null;
  /** When to ask again (the CA's Retry-After, between 1 hour and 1 day). */
  nextFetchAt: string;
  /**
   * The CA asks for renewal before certvigil's own warning window would open: `warning`, or
   * `critical` when the window has started or starts within a day; null when it does not.
   */
  early: 'warning' | 'critical' | null;
}

/** What a check reports about revocation (null on the result when no certificate names a CRL). */
export interface Revocation {
  /** `good`: every CRL read says not revoked; `revoked`; `unknown`: some CRL could not be had. */
  status: 'good' | 'revoked' | 'unknown';
  /** The certificate the verdict is about (the revoked one, or the one whose CRL failed). */
  subject: string | null;
  fingerprint256: string | null;
  /** Revoked: when, and the CRL's reason (`keyCompromise`, `superseded`…; null when not given). */
  revokedAt: string | null;
  reason: string | null;
  /** Unknown: why, in words (bounded). */
  detail: string | null;
}
