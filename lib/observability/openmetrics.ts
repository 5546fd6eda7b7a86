// Certificate expiry as Prometheus reads it (issue 32): `certvigil check --format openmetrics` for
// node_exporter's textfile collector, and GET /metrics. Every family is a gauge, so the text is
// both OpenMetrics 1.0 (with `# UNIT` and the closing `# EOF`) and Prometheus's text format 0.0.4
// (which reads those two lines as comments). Label values come from targets and certificates:
// each is bounded and escaped, so no value can break a line or forge another sample.
import type { CheckResult } from '../policy/check-result.ts';
import { STATUSES } from '../policy/status.ts';
import { boundText } from '../text-bounds.ts';

/** One target as the metrics show it: its identity and latest check (null: never checked). */
export interface MetricsTarget {
  target: string;
  kind: string;
  owner: string | null;
  result: CheckResult | null;
}

/** Longest label value (characters, before escaping): a target id or an owner past this is cut visibly. */
export const MAX_LABEL_CHARS = 256;

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  name: string;
  help: string;
  unit?: string;
  samples: string[];
}

function family(name: string, help: string, unit?: string): Family {
  return { name, help, ...(unit ? { unit } : {}), samples: [] };
}

/** A label value as the exposition formats want it: bounded, `\`, `"` and line breaks escaped. */
export function labelValue(text: string): string {
  return boundText(text, MAX_LABEL_CHARS).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',')}}`;
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** What one certificate is for: a TLS endpoint's leaf, a document's signing or encryption key, an AWS kind's. */
function purposeOf(result: CheckResult, use: string | null, role: string | null): string {
  if (result.kind === 'tls') return 'server';
  return use ?? role ?? result.kind;
}

/**
 * The exposition of `targets`: per certificate its expiry (a timestamp, and the time left), per
 * target its status as a state set (one sample per status, 1 for the current), when it was last
 * checked, and whether that check read a certificate. `truncated`: more targets exist than shown.
 */
export function openMetrics(
  targets: Iterable<MetricsTarget>,
  options: { truncated?: boolean; now?: Date } = {},
): string {
  return openMetricsPage(targets, options).text;
}

/**
 * The same, stopping before the first target that would take the samples past `maxBytes`: the
 * text, and how many targets it holds (the caller pages on from there; truncated is then said).
 */
export function openMetricsPage(
  targets: Iterable<MetricsTarget>,
  options: { truncated?: boolean; now?: Date; maxBytes?: number } = {},
): { text: string; included: number } {
  const now = options.now ?? new Date();
  let bytes = 0;
  let included = 0;
  let cut = false;
  const notAfter = family(
    'certvigil_certificate_not_after_seconds',
    'When the certificate expires (Unix time); its targets, kind, owner, SHA-256 fingerprint and purpose as labels.',
    'seconds',
  );
  // Days left, in the base unit Prometheus names want: divide by 86400 for days.
  const expiresIn = family(
    'certvigil_certificate_expires_in_seconds',
    'Seconds until the certificate expires, at the time of this exposition (negative: expired; /86400 for days).',
    'seconds',
  );
  const status = family(
    'certvigil_target_status',
    `The target's status at its last check: 1 for the current one of ${STATUSES.join(', ')}; 0 for the others.`,
  );
  const lastCheck = family(
    'certvigil_target_last_check_seconds',
    'When the target was last checked (Unix time).',
    'seconds',
  );
  const success = family(
    'certvigil_target_check_success',
    'Whether the last check read a certificate (1) or failed to (0: the error is in certvigil).',
  );
  for (const t of targets) {
    const samples = targetSamples(t, now);
    const size = samples.reduce((n, [, line]) => n + line.length + 1, 0);
    if (options.maxBytes !== undefined && included > 0 && bytes + size > options.maxBytes) {
      cut = true;
      break;
    }
    bytes += size;
    included++;
    const families = { notAfter, expiresIn, status, lastCheck, success };
    for (const [which, line] of samples) families[which].samples.push(line);
  }
  const truncated = family(
    'certvigil_metrics_truncated',
    'Whether this exposition holds only part of the inventory (1: more targets than one scrape returns; see docs/metrics.md).',
  );
  truncated.samples.push(`${truncated.name} ${options.truncated || cut ? 1 : 0}`);
  const lines: string[] = [];
  for (const f of [notAfter, expiresIn, status, lastCheck, success, truncated]) {
    lines.push(
      `# TYPE ${f.name} gauge`,
      ...(f.unit ? [`# UNIT ${f.name} ${f.unit}`] : []),
      `# HELP ${f.name} ${f.help}`,
    );
    lines.push(...f.samples);
  }
  lines.push('# EOF');
  return { text: `${lines.join('\n')}\n`, included };
}

/** Most certificates of one target shown (worst first, as results keep them): a bound on a scrape. */
export const MAX_CERTIFICATES_PER_TARGET = 20;

type Which = 'notAfter' | 'expiresIn' | 'status' | 'lastCheck' | 'success';

/** One target's samples, each with the family it belongs to; none for a target never checked. */
function targetSamples(t: MetricsTarget, now: Date): [Which, string][] {
  const r = t.result;
  if (!r) return [];
  const who = { target: t.target, kind: t.kind, owner: t.owner ?? '' };
  const out: [Which, string][] = [];
  for (const s of STATUSES) {
    out.push(['status', `certvigil_target_status${labels({ ...who, status: s })} ${s === r.status ? 1 : 0}`]);
  }
  out.push(['lastCheck', `certvigil_target_last_check_seconds${labels(who)} ${seconds(r.checkedAt)}`]);
  out.push(['success', `certvigil_target_check_success${labels(who)} ${r.status === 'error' ? 0 : 1}`]);
  const certificates = r.certificates?.length
    ? r.certificates
    : r.notAfter
      ? [{ fingerprint256: r.fingerprint256, notAfter: r.notAfter, use: null, role: null }]
      : [];
  for (const c of certificates.slice(0, MAX_CERTIFICATES_PER_TARGET)) {
    if (!c.notAfter || !Number.isFinite(Date.parse(c.notAfter))) continue;
    const named = labels({ ...who, fingerprint: c.fingerprint256 ?? '', purpose: purposeOf(r, c.use, c.role) });
    out.push(['notAfter', `certvigil_certificate_not_after_seconds${named} ${seconds(c.notAfter)}`]);
    out.push([
      'expiresIn',
      `certvigil_certificate_expires_in_seconds${named} ${seconds(c.notAfter) - Math.floor(now.getTime() / 1000)}`,
    ]);
  }
  return out;
}

/** Which of the two formats a scraper asks for (OpenMetrics when its Accept names it). */
export function metricsContentType(accept: string | undefined): string {
  return /application\/openmetrics-text/i.test(accept ?? '') ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_TEXT_CONTENT_TYPE;
}
