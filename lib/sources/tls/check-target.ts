import type { X509Certificate } from 'node:crypto';
import type { ChainEntry } from '../../certificate/cert-facts.ts';
import {
  type CertificateFacts,
  certificateFacts,
  chainEntry,
  DAY_MS,
  judgedCertificate,
} from '../../certificate/cert-facts.ts';
import { BoundedMap } from '../../certificate/certificate-cache.ts';
import { defaultTrustStore, type TrustStore } from '../../certificate/trust-store.ts';
import { ipFamily } from '../../ip-family.ts';
import { ProbeError } from '../../net/probe-error.ts';
import { DEFAULT_MAX_ADDRESSES, type Resolver, resolveAddresses, systemResolver } from '../../net/resolve-addresses.ts';
import { DEFAULT_TIMEOUTS, type ProbeTimeouts } from '../../net/timeouts.ts';
import {
  type CertificateEntry,
  type CheckError,
  type CheckResult,
  type EndpointResult,
  NO_CERTIFICATE,
} from '../../policy/check-result.ts';
import { findingsOf } from '../../policy/findings.ts';
import { certificateEntry, worstFirst } from '../../policy/judge-certificates.ts';
import { daysUntil, evaluateCertificate, renewalWindows, type Thresholds } from '../../policy/renewal-policy.ts';
import { type Status, severity, worstStatus } from '../../policy/status.ts';
import type { Protocol } from '../../targets/protocols.ts';
import { boundNullable, boundText, LIMITS } from '../../text-bounds.ts';
import { buildChain } from './chain.ts';
import { handshake } from './endpoint-handshake.ts';
import { type AriOptions, renewalInfo } from './renewal-info/ari.ts';
import { DEFAULT_ARI_DIRECTORIES } from './renewal-info/directories.ts';
import { getJson } from './renewal-info/get-json.ts';
import { checkRevocation, type RevocationOptions } from './revocation/check-revocation.ts';
import { fetchCrl } from './revocation/fetch-crl.ts';

/** What a check needs to know about a target. */
export interface CheckRequest {
  id: string;
  host: string;
  port: number;
  protocol: Protocol;
  servername?: string | undefined;
  /** Pinned addresses: probe these instead of resolving the host. */
  addresses?: string[] | undefined;
  warnDays?: number | undefined;
  critDays?: number | undefined;
  /** A finding (a weak key or signature, an over-long lifetime) makes the target `invalid`. */
  findingsInvalid?: boolean | undefined;
}

export interface CheckOptions {
  trust?: TrustStore;
  timeouts?: ProbeTimeouts;
  /**
   * The check's deadline (net/timeouts.ts checkDeadline): resolution, every address's connect,
   * STARTTLS and handshake, and the CRL and renewal-information fetches end by it.
   */
  within?: AbortSignal | undefined;
  resolver?: Resolver;
  maxAddresses?: number;
  /** Windows for targets that set none of their own. */
  thresholds?: Thresholds;
  now?: () => Date;
  /**
   * Says why an address must not be probed (see address-guard.ts), checked on every address
   * at check time since DNS answers change. Refused addresses end in error kind `refused`.
   */
  guard?: (address: string) => string | undefined;
  /** Looks served certificates up in their CRLs (default: on, fetched through the guard). */
  revocation?: false | Partial<RevocationOptions>;
  /**
   * Asks the issuing CA's ACME Renewal Information (default: on, for the CAs in
   * DEFAULT_ARI_DIRECTORIES; `directories` replaces that map).
   */
  renewalInfo?: false | Partial<AriOptions>;
}

interface AddressOutcome {
  result: EndpointResult;
  /** The leaf this address served, as an entry of `certificates[]`. */
  entry?: CertificateEntry;
  detail?: Omit<
    CheckResult,
    | 'target'
    | 'host'
    | 'port'
    | 'protocol'
    | 'servername'
    | 'checkedAt'
    | 'status'
    | 'consistent'
    | 'endpoints'
    | 'error'
    | 'kind'
    | 'certificates'
    | 'certificateCount'
  >;
}

/**
 * Checks one target: resolves its addresses (or takes the pinned ones), reads the certificate
 * each serves, and judges it against the renewal policy. Never throws for network trouble:
 * that is reported in the result with status `error`.
 */
export async function checkTarget(request: CheckRequest, options: CheckOptions = {}): Promise<CheckResult> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const now = options.now ?? (() => new Date());
  const servername = request.servername ?? (ipFamily(request.host) === 0 ? request.host : undefined);
  const base = {
    target: request.id,
    host: request.host,
    port: request.port,
    protocol: request.protocol,
    servername: servername ?? null,
  };

  let addresses: string[];
  try {
    addresses = request.addresses?.length
      ? request.addresses.slice(0, options.maxAddresses ?? DEFAULT_MAX_ADDRESSES)
      : await resolveAddresses(request.host, {
          resolver: options.resolver ?? systemResolver,
          timeoutMs: timeouts.dnsMs,
          maxAddresses: options.maxAddresses ?? DEFAULT_MAX_ADDRESSES,
          within: options.within,
        });
  } catch (error) {
    return failedCheck(base, now(), toCheckError(error));
  }

  const blocked = options.guard
    ? addresses.map((a) => [a, options.guard?.(a)] as const).find(([, reason]) => reason)
    : undefined;
  if (blocked) {
    const [address, reason] = blocked;
    const message = `not probed: ${address} is ${reason}; private targets are not allowed in this deployment`;
    return failedCheck(base, now(), { kind: 'refused', message });
  }

  const trust = options.trust ?? defaultTrustStore();
  const thresholds: Thresholds = {
    warnDays: request.warnDays ?? options.thresholds?.warnDays,
    critDays: request.critDays ?? options.thresholds?.critDays,
  };
  const revocation =
    options.revocation === false
      ? undefined
      : {
          now,
          fetch: (url: string) =>
            fetchCrl(url, {
              trust,
              timeouts,
              guard: options.guard,
              resolver: options.resolver,
              within: options.within,
            }),
          ...options.revocation,
        };
  const ari: AriOptions | undefined =
    options.renewalInfo === false
      ? undefined
      : {
          directories: DEFAULT_ARI_DIRECTORIES,
          now,
          getJson: (url: string) =>
            getJson(url, { trust, timeouts, guard: options.guard, resolver: options.resolver, within: options.within }),
          ...options.renewalInfo,
        };
  const outcomes = await Promise.all(
    addresses.map((address) =>
      checkAddress(
        address,
        { ...request, servername },
        { trust, timeouts, thresholds, now, revocation, ari, within: options.within },
      ),
    ),
  );

  const results = outcomes.map((o) => o.result);
  const status = worstStatus(results.map((r) => r.status));
  const readable = outcomes.filter((o) => o.detail !== undefined);
  const worstReadable = readable.reduce<AddressOutcome | undefined>(
    (worst, o) => (worst === undefined || severity(o.result.status) > severity(worst.result.status) ? o : worst),
    undefined,
  );
  const fingerprints = new Set(readable.map((o) => o.result.fingerprint256));
  const firstFailure = results.find((r) => r.error !== null);
  // Every distinct leaf the addresses served (one, unless a rollout is half done), worst first.
  const leaves = new Map<string, CertificateEntry>();
  for (const o of readable)
    if (o.entry?.fingerprint256 && !leaves.has(o.entry.fingerprint256)) leaves.set(o.entry.fingerprint256, o.entry);
  const leaf = [...leaves.values()].sort(worstFirst);
  return {
    ...base,
    kind: 'tls',
    ...(worstReadable?.detail ?? emptyDetail()),
    certificates: leaf,
    certificateCount: leaf.length,
    checkedAt: now().toISOString(),
    status,
    consistent: fingerprints.size <= 1,
    endpoints: results,
    error:
      status === 'error' && firstFailure?.error
        ? {
            kind: firstFailure.error.kind,
            message: boundText(
              results.length > 1
                ? `${firstFailure.address}: ${firstFailure.error.message}`
                : firstFailure.error.message,
              LIMITS.message,
            ),
          }
        : null,
  };
}

/** Whether `cert` names `name` (an IP address or a host name), memoised: many endpoints serve one certificate. */
function namesHost(cert: X509Certificate, name: string): boolean {
  const key = `${cert.fingerprint256}\n${name}`;
  const known = nameMatches.get(key);
  if (known !== undefined) return known;
  return nameMatches.set(
    key,
    ipFamily(name) !== 0
      ? cert.checkIP(name) !== undefined
      : cert.checkHost(name, { subject: 'never', wildcards: true, partialWildcards: false }) !== undefined,
  );
}
const nameMatches = new BoundedMap<string, boolean>(10_000);

async function checkAddress(
  address: string,
  request: CheckRequest,
  context: {
    trust: TrustStore;
    timeouts: ProbeTimeouts;
    thresholds: Thresholds;
    now: () => Date;
    revocation: RevocationOptions | undefined;
    ari: AriOptions | undefined;
    within: AbortSignal | undefined;
  },
): Promise<AddressOutcome> {
  let handshakeResult: Awaited<ReturnType<typeof handshake>>;
  try {
    handshakeResult = await handshake({
      address,
      port: request.port,
      protocol: request.protocol,
      servername: request.servername,
      secureContext: context.trust.secureContext,
      timeouts: context.timeouts,
      within: context.within,
    });
  } catch (error) {
    return {
      result: { address, status: 'error', fingerprint256: null, notAfter: null, error: toCheckError(error) },
    };
  }
  const leaf = handshakeResult.certificates[0];
  if (!leaf) throw new Error('handshake returned no certificate');
  const facts = certificateFacts(leaf);
  const chain = buildChain(handshakeResult.certificates, context.trust);
  const name = request.servername ?? request.host;
  const hostnameMatch = namesHost(leaf, name);
  const now = context.now();
  const verdict = evaluateCertificate(
    {
      notBefore: leaf.validFromDate,
      notAfter: leaf.validToDate,
      chainNotAfter: chain.notAfter,
      chainNotBefore: chain.notBefore,
      trusted: handshakeResult.authorized,
      trustError: handshakeResult.authorizationError,
      hostnameMatch,
    },
    now,
    context.thresholds,
  );
  // The path is kept to LIMITS.chain certificates (leaf first); chainNotAfter still covers all.
  const chainEntries: ChainEntry[] = chain.links.slice(0, LIMITS.chain).map(({ cert }) => chainEntry(cert));
  const daysLeft = daysUntil(leaf.validToDate, now);
  const findings = findingsOf(
    chain.links.map((link, i) =>
      judgedCertificate(link.cert, { leaf: i === 0, root: chain.endsAtRoot && i === chain.links.length - 1 }),
    ),
    { publiclyTrusted: handshakeResult.authorized && chain.publicAnchor },
  );
  // Revocation matters while the certificate would otherwise be accepted; its CRL may drop it
  // once expired. Each certificate with an issuer in the path is looked up. The CA's renewal
  // information is asked at the same time (both are cached: usually neither costs a request).
  const warningStart = new Date(
    leaf.validToDate.getTime() - renewalWindows(facts.lifetimeDays, context.thresholds).warnDays * DAY_MS,
  );
  const usable = verdict.status === 'ok' || verdict.status === 'warning' || verdict.status === 'critical';
  const [revocation, renewal] = await Promise.all([
    context.revocation && verdict.status !== 'expired'
      ? checkRevocation(
          chain.links.map((link, i) => ({ cert: link.cert, issuer: chain.links[i + 1]?.cert })),
          context.revocation,
        )
      : null,
    context.ari && usable ? renewalInfo(leaf, warningStart, context.ari) : null,
  ]);
  // The target's choice: a weak certificate is as good as a broken one (expired stays expired).
  const status =
    revocation?.status === 'revoked'
      ? 'revoked'
      : request.findingsInvalid && findings.length && verdict.status !== 'expired'
        ? 'invalid'
        : verdict.status;
  return {
    entry: leafEntry(facts, daysLeft, status),
    result: {
      address,
      status,
      fingerprint256: facts.fingerprint256,
      notAfter: facts.notAfter,
      error: null,
    },
    detail: {
      daysLeft,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      chainNotAfter: chain.notAfter.toISOString(),
      lifetimeDays: facts.lifetimeDays,
      subject: facts.subject,
      issuer: facts.issuer,
      sans: facts.sans,
      serialNumber: facts.serialNumber,
      fingerprint256: facts.fingerprint256,
      keyType: facts.keyType,
      keyBits: facts.keyBits,
      signatureAlgorithm: facts.signatureAlgorithm,
      tlsVersion: boundNullable(handshakeResult.tlsVersion, LIMITS.token),
      trusted: handshakeResult.authorized,
      trustError: boundNullable(handshakeResult.authorizationError, LIMITS.token),
      hostnameMatch,
      chain: chainEntries,
      findings,
      revocation,
      renewalInfo: status === 'revoked' || status === 'invalid' ? null : renewal,
    },
  };
}

/** The result of a check that reached no address at all. */
function failedCheck(
  base: Pick<CheckResult, 'target' | 'host' | 'port' | 'protocol' | 'servername'>,
  at: Date,
  error: CheckError,
): CheckResult {
  return {
    ...base,
    kind: 'tls',
    ...emptyDetail(),
    certificates: [],
    certificateCount: 0,
    checkedAt: at.toISOString(),
    status: 'error',
    consistent: true,
    endpoints: [],
    error,
  };
}

function emptyDetail(): NonNullable<AddressOutcome['detail']> {
  return {
    ...NO_CERTIFICATE,
    sans: [],
    tlsVersion: null,
    trusted: null,
    hostnameMatch: null,
    chain: [],
    findings: [],
    revocation: null,
    renewalInfo: null,
  };
}

/** The leaf as an entry of `certificates[]`, judged as the address that served it was. */
function leafEntry(facts: CertificateFacts, daysLeft: number, status: Status): CertificateEntry {
  return certificateEntry(facts, {
    daysLeft,
    status: status === 'error' ? 'invalid' : status,
    problem: null,
    namesKey: facts.namesKey,
  });
}

function toCheckError(error: unknown): CheckError {
  if (error instanceof ProbeError)
    return { kind: error.kind, message: boundText(error.message.trim(), LIMITS.message) };
  throw error;
}
