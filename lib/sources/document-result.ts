// The check result of a document or file source, built from its judged certificates: the same
// top-level fields as a TLS result (those of the governing certificate), plus certificates[].

import type { X509Certificate } from 'node:crypto';
import { createPacer } from '../concurrency.ts';
import { fetchDeadline } from '../net/fetch-document.ts';
import { ProbeError } from '../net/probe-error.ts';
import { type CheckError, type CheckResult, NO_CERTIFICATE } from '../policy/check-result.ts';
import { type CertificateJudge, certificateJudge, type SourceCertificate } from '../policy/judge-certificates.ts';
import { boundText, LIMITS } from '../text-bounds.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

type Identity = Pick<SourceRequest, 'id' | 'kind' | 'host' | 'port' | 'protocol'>;

function base(request: Identity, at: Date) {
  return {
    target: request.id,
    kind: request.kind,
    host: request.host,
    port: request.port,
    protocol: request.protocol,
    servername: null,
    checkedAt: at.toISOString(),
    sans: [],
    tlsVersion: null,
    trusted: null,
    hostnameMatch: null,
    consistent: true,
    endpoints: [],
    chain: [],
    findings: [],
    revocation: null,
    renewalInfo: null,
  };
}

/** A judge for a source's certificates with the target's windows (or the fleet's). */
export function judgeFor(
  request: SourceRequest,
  context: SourceContext,
  purposeOf: (item: SourceCertificate) => string,
): CertificateJudge {
  return certificateJudge(
    context.now(),
    {
      warnDays: request.warnDays ?? context.thresholds.warnDays,
      critDays: request.critDays ?? context.thresholds.critDays,
    },
    purposeOf,
    { findingsInvalid: request.findingsInvalid },
  );
}

/** A result from the certificates a document published (all given at once), judged in slices of the event loop. */
export async function documentResult(
  request: SourceRequest,
  context: SourceContext,
  items: readonly SourceCertificate[],
  purposeOf: (item: SourceCertificate) => string,
  describe: string,
): Promise<CheckResult> {
  const judge = judgeFor(request, context, purposeOf);
  const pace = createPacer();
  for (const item of items) {
    judge.add(item);
    if (pace.due()) await pace.yield();
  }
  return judgedResult(request, context, judge, describe);
}

/** A bundle of certificates (PEM, DER, PKCS#7): each stands for itself, with no rollover between them. */
export function bundleResult(
  request: SourceRequest,
  context: SourceContext,
  certificates: readonly X509Certificate[],
  describe: string,
): Promise<CheckResult> {
  return documentResult(
    request,
    context,
    certificates.map((cert) => ({ cert })),
    (item) => item.cert?.fingerprint256 ?? '',
    describe,
  );
}

/** A result from a judge the source fed as it read; `error: empty` when it found no certificate. */
export function judgedResult(
  request: SourceRequest,
  context: SourceContext,
  judge: CertificateJudge,
  describe: string,
): CheckResult {
  const now = context.now();
  const items = { length: judge.count };
  const { entries, total, findings } = judge.finish();
  const governing = entries.find((e) => e.fingerprint256 !== null);
  if (!governing) {
    return {
      ...failedDocumentResult(request, context, {
        kind: 'empty',
        message: items.length
          ? `${describe} publishes ${items.length} key(s), none with a certificate`
          : `${describe} publishes no certificate`,
      }),
      certificates: entries,
      certificateCount: total,
    };
  }
  return {
    ...base(request, now),
    status: governing.status,
    daysLeft: governing.daysLeft,
    notBefore: governing.notBefore,
    notAfter: governing.notAfter,
    chainNotAfter: governing.notAfter,
    lifetimeDays: governing.lifetimeDays,
    subject: governing.subject,
    issuer: governing.issuer,
    serialNumber: governing.serialNumber,
    fingerprint256: governing.fingerprint256,
    keyType: governing.keyType,
    keyBits: governing.keyBits,
    signatureAlgorithm: governing.signatureAlgorithm,
    trustError: governing.problem,
    certificates: entries,
    certificateCount: total,
    findings,
    error: null,
  };
}

/** A result for a source that could not be read at all. */
export function failedDocumentResult(request: SourceRequest, context: SourceContext, error: CheckError): CheckResult {
  return resultWithoutCertificate(request, context.now(), error);
}

/** A result that read no certificate: an error, or (error null) a target never checked. */
export function resultWithoutCertificate(request: Identity, at: Date, error: CheckError | null): CheckResult {
  return {
    ...base(request, at),
    status: 'error',
    ...NO_CERTIFICATE,
    certificates: [],
    certificateCount: 0,
    error: error && { kind: error.kind, message: boundText(error.message, LIMITS.message) },
  };
}

/**
 * Runs a reader, turning its ProbeErrors into a failed result; anything else is a bug and throws.
 * The check's deadline (context.within) ends the read whatever it waits on (an AWS API, a file):
 * the result is then a timeout, and nothing the reader finds later is used.
 */
export async function readOrFail(
  request: SourceRequest,
  context: SourceContext,
  read: () => Promise<CheckResult>,
): Promise<CheckResult> {
  const within = context.within;
  let stop: (() => void) | undefined;
  try {
    if (!within) return await read();
    const reading = read();
    reading.catch(() => undefined); // a read that fails after the deadline is not wanted
    return await Promise.race([
      reading,
      new Promise<never>((_, reject) => {
        stop = () => reject(new ProbeError('timeout', "no answer by the check's deadline"));
        if (within.aborted) stop();
        else within.addEventListener('abort', stop, { once: true });
      }),
    ]);
  } catch (error) {
    if (error instanceof ProbeError) return failedDocumentResult(request, context, error);
    throw error;
  } finally {
    if (stop) within?.removeEventListener('abort', stop);
  }
}

/** The deadline of one document fetch: DNS plus the per-address total. */
export function documentDeadline(context: SourceContext): AbortSignal {
  return fetchDeadline(context.timeouts, context.within);
}
