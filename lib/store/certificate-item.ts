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
  /** Set once, by the probe that announces it (conditional): exactly one message each. */
  announcedComplete?: string | undefined;
  announcedStalled?: string | undefined;
}
