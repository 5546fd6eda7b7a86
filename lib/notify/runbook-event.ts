// What certvigil puts on EventBridge for runbooks (issue 31): one entry per event, reminder and
// escalation (source `certvigil`, detail-type the event's type) and per acknowledgement or snooze
// (detail-type `acknowledged` or `snoozed`). The detail names the target, its kind and owner, the
// certificate, every location that serves it now (at most MAX_LOCATIONS) and its replacement when
// one is known. docs/runbooks.md holds the schema; the version field changes when it does.
import type { Acknowledgement } from '../policy/acknowledgements.ts';
import type { MonitorEvent } from '../policy/events.ts';

export const RUNBOOK_SOURCE = 'certvigil';
/** Locations listed in one detail (each a target id and where on it, both bounded). */
export const MAX_LOCATIONS = 50;

/** What the inventory knows of a certificate (the certificates table's item has these fields). */
export interface InventoryFacts {
  subject: string | null;
  issuer: string | null;
  notAfter: string | null;
  /** `target<TAB>where` of every location serving it now. */
  locs?: ReadonlySet<string> | undefined;
  replacedBy?: string | undefined;
}

/** Reads a certificate's inventory facts by fingerprint (the certificate store). */
export interface Inventory {
  get(fingerprint: string): Promise<InventoryFacts | undefined>;
}

export interface RunbookCertificate {
  fingerprint256: string;
  subject: string | null;
  issuer: string | null;
  serialNumber: string | null;
  notAfter: string | null;
  daysLeft: number | null;
}

export interface RunbookDetail {
  version: 1;
  /** The event's id (dedupe on it: a publish that failed half way is put again). */
  id: string;
  event: string;
  severity: string;
  target: string;
  kind: string;
  owner: string | null;
  tags: string[];
  occurredAt: string;
  certificate: RunbookCertificate | null;
  /** Where the certificate is served now: `target` and `where` (an address, a SAML role, a key id). */
  locations: { target: string; where: string }[];
  /** How many locations there are (more than `locations` lists when past MAX_LOCATIONS). */
  locationCount: number;
  /** The certificate that replaces it, when one has been seen. */
  replacement: { fingerprint256: string } | null;
  /** Ids of the earlier events this one ends. */
  resolves: string[];
  /** A reminder or an escalation: the open event it repeats, which one it is, since when unacknowledged. */
  reminder?: { eventId: string; of: string; n: number; since: string } | undefined;
  /** An acknowledgement or a snooze: who, when, the note, until when. */
  acknowledgement?: Acknowledgement | undefined;
}

/** The certificate an event is about: the source's own one, or the check's governing certificate. */
export function eventFingerprint(event: MonitorEvent): string | null {
  return event.certificate?.fingerprint256 ?? event.ct?.fingerprint256 ?? event.result.fingerprint256 ?? null;
}

/** The detail of an event's entry; `item` is its certificate in the inventory, when kept. */
export function runbookDetail(event: MonitorEvent, item: InventoryFacts | undefined): RunbookDetail {
  const r = event.result;
  const fingerprint = eventFingerprint(event);
  const locations = [...(item?.locs ?? [])].sort().map((loc) => {
    const tab = loc.indexOf('\t');
    return tab < 0 ? { target: loc, where: '' } : { target: loc.slice(0, tab), where: loc.slice(tab + 1) };
  });
  return {
    version: 1,
    id: event.id,
    event: event.event,
    severity: event.severity,
    target: event.target,
    kind: r.kind,
    owner: event.owner ?? null,
    tags: event.tags ?? [],
    occurredAt: event.occurredAt,
    certificate: fingerprint
      ? {
          fingerprint256: fingerprint,
          subject: item?.subject ?? (fingerprint === r.fingerprint256 ? r.subject : null),
          issuer: item?.issuer ?? (fingerprint === r.fingerprint256 ? r.issuer : null),
          serialNumber: fingerprint === r.fingerprint256 ? r.serialNumber : null,
          notAfter: item?.notAfter ?? event.certificate?.notAfter ?? r.notAfter,
          daysLeft: event.certificate?.daysLeft ?? (fingerprint === r.fingerprint256 ? r.daysLeft : null),
        }
      : null,
    locations: locations.slice(0, MAX_LOCATIONS),
    locationCount: locations.length,
    replacement: item?.replacedBy ? { fingerprint256: item.replacedBy } : null,
    resolves: event.resolves ?? [],
    ...(event.reminder ? { reminder: { ...event.reminder } } : {}),
  };
}
