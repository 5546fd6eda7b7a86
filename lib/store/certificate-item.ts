// One certificate of the inventory as stored (certificate-store.ts writes it, certificate-lists.ts
// lists it), and the other keys its table holds.

/** Keys of CT discovery's items in this table (never a fingerprint: those are hex). */
export const CT_KEY_PREFIX = 'ct:';

export interface CertificateItem {
  fingerprint256: string;
  subject: string | null;
  issuer: string | null;
  notBefore: string | null;
  notAfter: string | null;
  lifetimeDays: number | null;
  namesKey: string | null;
  firstSeen: string;
  lastSeen: string;
  /** `target<TAB>where` of every location serving it now. */
  locs?: Set<string> | undefined;
  /** Locations that moved from it to its replacement. */
  movedLocs?: Set<string> | undefined;
  replacedBy?: string | undefined;
  replaces?: Set<string> | undefined;
  /** When its replacement first appeared at one of its locations. */
  rolloutSince?: string | undefined;
  /** Locations (of `locs`) that refuse it: untrusted there, the wrong name, not yet valid, revoked. */
  refusedLocs?: Set<string> | undefined;
  /** Why, in words, as the latest location to refuse it said (bounded), when, and which location. */
  refusal?: { status: 'invalid' | 'revoked'; problem: string; at: string; location?: string } | undefined;
  /** Set once, by the probe that announces it (conditional): exactly one message each. */
  announcedComplete?: string | undefined;
  announcedStalled?: string | undefined;
}
