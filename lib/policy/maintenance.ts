// Maintenance windows (issue 31): while one covers a target (by its id, or by a tag it carries),
// the conditions planned work causes are held: a target that stops answering is not announced
// `unreachable`, and addresses serving different certificates are not announced `inconsistent`.
// Expiry, trust and revocation are never held: a certificate runs out whatever work is planned.
// A condition that still holds when the window ends is announced at the next check; one that ended
// inside the window is never news. Conditions announced before the window opened stay open.

/** A window as stored and shown. Exactly one of `target` and `tag` names what it covers. */
export interface MaintenanceWindow {
  id: string;
  target?: string | undefined;
  tag?: string | undefined;
  /** ISO instants: the window holds from `from` (inclusive) to `until` (exclusive). */
  from: string;
  until: string;
  note?: string | undefined;
  /** Who made it (the IAM caller, or local mode) and when. */
  by: string;
  at: string;
}

/** Longest window, and how far ahead one may start. */
export const MAINTENANCE_MAX_DAYS = 30;
export const MAINTENANCE_AHEAD_DAYS = 365;
/** Windows kept at once (ended ones are removed as they are listed). */
export const MAX_WINDOWS = 500;
export const MAINTENANCE_NOTE_MAX = 500;

/** The window covering `target` at `at`, if any (the one ending last). */
export function maintenanceOf(
  windows: readonly MaintenanceWindow[],
  target: { id: string; tags?: readonly string[] | undefined },
  at: Date,
): MaintenanceWindow | undefined {
  const time = at.getTime();
  let found: MaintenanceWindow | undefined;
  for (const w of windows) {
    if (Date.parse(w.from) > time || Date.parse(w.until) <= time) continue;
    const covers = w.target !== undefined ? w.target === target.id : target.tags?.includes(w.tag as string) === true;
    if (covers && (!found || w.until > found.until)) found = w;
  }
  return found;
}

/** A window has ended by `at` (it can be removed). */
export function windowEnded(window: MaintenanceWindow, at: Date): boolean {
  return Date.parse(window.until) <= at.getTime();
}
