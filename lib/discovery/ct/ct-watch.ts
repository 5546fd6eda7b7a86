// Certificate Transparency discovery: for each watched domain, the issuances logged since the last
// position, each judged once. Names no target watches are enrolled create-only as `tls` targets
// tagged `ct`; a certificate with such names is `unlisted-certificate` (warning), one from a CA
// outside `issuers` is `unexpected-issuer` (critical; it names the unwatched names too: one
// announcement per certificate). Each event is recorded on a target (the
// enrolled one, or the watched one the certificate names) before the issuance is marked handled,
// and published through the targets' outbox: once, whatever runs overlap or stop half-way. A run
// enrols and announces at most `maxPerRun` per domain and stops when its signal aborts; what is left
// waits for the next run (the position stays where it was).
import { mapWithConcurrency } from '../../concurrency.ts';
import { type CtEventFacts, eventId, type MonitorEvent } from '../../policy/events.ts';
import { resultWithoutCertificate } from '../../sources/document-result.ts';
import type { CertificateStore } from '../../store/certificate-store.ts';
import type { CtStateStore } from '../../store/ct-state-store.ts';
import { publishPending } from '../../store/outbox.ts';
import type { StoredTarget } from '../../store/stored-target.ts';
import { normalizeTarget, type Target, TargetValidationError } from '../../targets/target-schema.ts';
import type { DiscoveryDependencies } from '../discovery-types.ts';
import { CT_MAX_PER_RUN, type CtEnrolMode } from './ct-options.ts';
import { type CtIssuance, type CtProvider, CtProviderError, readNewIssuances } from './ct-provider.ts';

/** The tag of targets enrolled from Certificate Transparency. */
export const CT_TAG = 'ct';
/** Most names of one certificate enrolled (a certificate may name hundreds). */
const MAX_ENROLLED_PER_CERTIFICATE = 20;
/** Domains read at once. */
const DOMAIN_CONCURRENCY = 4;
/** Most names an event lists. */
const MAX_EVENT_NAMES = 20;

export interface CtSettings {
  /** Registered domains (or subdomains) watched, their subdomains included. */
  domains: readonly string[];
  /** Allowed issuer organisations (like CAA); unset: any CA. Compared case-insensitively. */
  issuers?: readonly string[] | undefined;
  /**
   * `auto` (default): unwatched names become targets that are checked. `report`: they are recorded
   * as disabled targets (nothing is probed; the event has a home, and enabling one is one edit).
   */
  enrol?: CtEnrolMode | undefined;
  /**
   * Most targets enrolled, and most announcements made, for one domain in one run
   * (default CT_MAX_PER_RUN.default): a flood of issuances (a wildcard-less fleet, a mis-issuing CA) is
   * taken over several runs rather than as thousands of targets and messages at once.
   */
  maxPerRun?: number | undefined;
}

export interface CtDomainSummary {
  domain: string;
  provider: string;
  /** New issuances read (a precertificate and its certificate once). */
  read: number;
  expired: number;
  /** Issuances whose names were all watched already, and by an allowed CA. */
  matched: number;
  enrolled: string[];
  unlisted: number;
  unexpectedIssuer: number;
  position: string | null;
  stoppedEarly: string | null;
  /** The provider could not be read: nothing was inferred, the position was kept. */
  problem: string | null;
}

export type CtWatchDependencies = DiscoveryDependencies & {
  ctState: CtStateStore;
  /** The certificate inventory: a logged certificate already seen served somewhere is watched. */
  certificates?: Pick<CertificateStore, 'get'> | undefined;
};

export async function watchCertificateTransparency(
  deps: CtWatchDependencies,
  provider: CtProvider,
  settings: CtSettings,
  options: { now?: () => Date; signal: AbortSignal; sleep?: (ms: number) => Promise<void> },
): Promise<CtDomainSummary[]> {
  const now = options.now ?? (() => new Date());
  const watched = new Watched(await deps.targets.scans.all(['id', 'host', 'kind']));
  const allowed = settings.issuers?.length ? new Set(settings.issuers.map((i) => i.trim().toLowerCase())) : null;
  const maxPerRun = settings.maxPerRun ?? CT_MAX_PER_RUN.default;
  // A few domains at once: each is mostly waiting on the provider (rate limits are per provider).
  return mapWithConcurrency(settings.domains, DOMAIN_CONCURRENCY, async (domain) => {
    const summary: CtDomainSummary = {
      domain,
      provider: provider.name,
      read: 0,
      expired: 0,
      matched: 0,
      enrolled: [],
      unlisted: 0,
      unexpectedIssuer: 0,
      position: null,
      stoppedEarly: null,
      problem: null,
    };
    const position = await deps.ctState.position(provider.name, domain);
    summary.position = position;
    let read: Awaited<ReturnType<typeof readNewIssuances>>;
    try {
      read = await readNewIssuances(provider, domain, position, options);
    } catch (error) {
      if (!(error instanceof CtProviderError)) throw error;
      summary.problem = error.message;
      return summary;
    }
    summary.read = read.issuances.length;
    summary.stoppedEarly = read.stoppedEarly;
    const anchors = new Set<string>();
    // Why this run left issuances for the next one (then the position stays where it was).
    let leftover: string | null = null;
    let announced = 0;
    for (const issuance of read.issuances) {
      if (options.signal.aborted) {
        leftover = 'the run ran out of time; the rest in the next run';
        break;
      }
      if (Date.parse(issuance.notAfter) <= now().getTime()) {
        summary.expired++;
        continue;
      }
      if (await deps.ctState.seen(issuance.key)) continue;
      const names = issuance.dnsNames.filter((n) => inDomain(n, domain));
      // Served somewhere certvigil checks (the certificate inventory): its names are watched there.
      const served = issuance.fingerprint256 && (await deps.certificates?.get(issuance.fingerprint256)) !== undefined;
      const unwatched = served ? [] : names.filter((n) => !watched.covers(n));
      const unexpected = allowed !== null && !allowed.has((issuance.issuerOrganization ?? '').toLowerCase());
      if (unwatched.length === 0 && !unexpected) {
        summary.matched++;
      } else {
        const enrolling = unwatched.filter((n) => !n.startsWith('*.')).slice(0, MAX_ENROLLED_PER_CERTIFICATE);
        // The first certificate of a run always goes through, so that a run makes progress whatever the cap.
        const full = summary.enrolled.length > 0 && summary.enrolled.length + enrolling.length > maxPerRun;
        if (announced >= maxPerRun || full) {
          leftover = `the cap of ${maxPerRun} enrolments and announcements per domain and run was reached; the rest in the next run`;
          break;
        }
        // Enrol what can be probed (a wildcard cannot); then carry the events on a target.
        for (const name of enrolling) {
          const target = ctTarget(name, issuance, provider.name, settings.enrol === 'report');
          if (!target) continue;
          if (await deps.targets.createDiscovered(target, mark(issuance, now()), now()))
            summary.enrolled.push(target.id);
          watched.add(target);
        }
        // The event goes to a target of a name nobody watched (it is that news), else one the certificate names.
        let anchor = [...unwatched, ...names].map((n) => watched.targetFor(n)).find((id) => id !== undefined);
        if (!anchor) {
          // Only names no target can stand for (a lone wildcard): the domain's own target carries the
          // news, recorded disabled when it is not a target yet (nothing is probed for it).
          const home = ctTarget(domain, issuance, provider.name, true);
          if (home) {
            if (await deps.targets.createDiscovered(home, mark(issuance, now()), now())) summary.enrolled.push(home.id);
            watched.add(home);
            anchor = home.id;
          }
        }
        // One announcement per certificate: from an unexpected CA is the graver news, and its
        // message names the unwatched names too.
        const facts = eventFacts(issuance, provider.name, names, unwatched);
        const event =
          anchor &&
          (await ctEvent(deps, anchor, unexpected ? 'unexpected-issuer' : 'unlisted-certificate', facts, now()));
        if (event) {
          await deps.targets.outbox.add(event.target, event);
          announced++;
        }
        if (anchor) anchors.add(anchor);
        if (unwatched.length) summary.unlisted++;
        if (unexpected) summary.unexpectedIssuer++;
      }
      // Only now is it handled: a run that stopped before this line is repeated by the next one.
      await deps.ctState.markSeen(
        issuance.key,
        { names: names.slice(0, MAX_EVENT_NAMES), issuer: issuance.issuer, notAfter: issuance.notAfter },
        now(),
      );
    }
    for (const id of anchors) await publishPending(deps, id, now);
    if (leftover) {
      // Handled issuances are marked: the next run reads from the same position and skips them.
      summary.stoppedEarly = summary.stoppedEarly ? `${leftover}; ${summary.stoppedEarly}` : leftover;
      return summary;
    }
    if (read.position && read.position !== position)
      await deps.ctState.setPosition(provider.name, domain, read.position, now());
    summary.position = read.position;
    return summary;
  });
}

/** Whether `name` (or the name a wildcard stands for) is `domain` or under it. */
function inDomain(name: string, domain: string): boolean {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  return bare === domain || bare.endsWith(`.${domain}`);
}

/** The hosts of `tls` targets; a wildcard name is watched when a target's host is one it covers. */
class Watched {
  private readonly byHost = new Map<string, string>();
  private readonly byParent = new Map<string, string>();
  constructor(targets: readonly Pick<StoredTarget, 'id' | 'host' | 'kind'>[]) {
    for (const t of targets) this.add(t);
  }
  add(target: Pick<Target, 'id' | 'host' | 'kind'>): void {
    if ((target.kind ?? 'tls') !== 'tls' || !target.host) return;
    const host = target.host.toLowerCase();
    if (!this.byHost.has(host)) this.byHost.set(host, target.id);
    const parent = host.slice(host.indexOf('.') + 1);
    if (host.includes('.') && !this.byParent.has(parent)) this.byParent.set(parent, target.id);
  }
  covers(name: string): boolean {
    return this.targetFor(name) !== undefined;
  }
  /** The target that watches `name`: its host, or for `*.x` a target whose host is directly under x. */
  targetFor(name: string): string | undefined {
    return name.startsWith('*.') ? this.byParent.get(name.slice(2)) : this.byHost.get(name);
  }
}

function ctTarget(name: string, issuance: CtIssuance, provider: string, reportOnly: boolean): Target | undefined {
  try {
    return normalizeTarget({
      host: name,
      ...(reportOnly ? { enabled: false } : {}),
      tags: ['discovered', CT_TAG],
      notes: `Found in Certificate Transparency (${provider}): a certificate issued by ${issuance.issuer.slice(0, 200)}, valid until ${issuance.notAfter.slice(0, 10)}.`,
    });
  } catch (error) {
    if (error instanceof TargetValidationError) return undefined;
    throw error;
  }
}

function mark(issuance: CtIssuance, at: Date) {
  return { service: 'ct', resource: issuance.key, account: '', region: 'global', firstSeenAt: at.toISOString() };
}

function eventFacts(issuance: CtIssuance, provider: string, names: string[], unwatched: string[]): CtEventFacts {
  return {
    provider,
    key: issuance.key,
    names: names.slice(0, MAX_EVENT_NAMES),
    unwatched: unwatched.slice(0, MAX_EVENT_NAMES),
    issuer: issuance.issuer,
    issuerOrganization: issuance.issuerOrganization,
    notBefore: issuance.notBefore,
    notAfter: issuance.notAfter,
    fingerprint256: issuance.fingerprint256,
  };
}

async function ctEvent(
  deps: DiscoveryDependencies,
  targetId: string,
  event: 'unlisted-certificate' | 'unexpected-issuer',
  ct: CtEventFacts,
  at: Date,
): Promise<MonitorEvent | undefined> {
  const key = `${event === 'unlisted-certificate' ? 'ct-unlisted' : 'ct-issuer'}:${ct.key}`;
  const stored = await deps.targets.getTarget(targetId);
  if (!stored) return undefined; // deleted meanwhile: nothing to carry the event
  const last = stored.state?.result;
  return {
    id: eventId(targetId, key),
    key,
    event,
    severity: event === 'unexpected-issuer' ? 'critical' : 'warning',
    target: targetId,
    occurredAt: at.toISOString(),
    result: last ? { ...last, sans: [], chain: [], certificates: [] } : resultWithoutCertificate(stored, at, null),
    ct,
  };
}
