// Rollout tracking: when a certificate's replacement has reached every location that served it.

/** Minutes a replacement may take to reach every location before `rollout-stalled` (default 2 h). */
export const DEFAULT_ROLLOUT_STALL_MINUTES = 120;

/** How far a rollout has got: locations now serving the replacement, of all that served the old one. */
export interface RolloutProgress {
  done: number;
  total: number;
  /** When the replacement first appeared at one of the old certificate's locations. */
  since: string;
}
