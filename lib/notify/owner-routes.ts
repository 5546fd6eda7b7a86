// Owner routes as SNS filter policies (issue 31). The publisher sets the `owner` attribute from the
// target (absent when it has none) and `event` on every certvigil message; SNS keeps one
// subscription per address and topic, so an address on several routes gets one policy naming them
// all: the stack's settings (infra/constructs/alerts.ts) and the owner directory share this.

/** Where one address is routed: an owner's messages (null: the targets without one), all or only escalations. */
export interface AddressRoute {
  owner: string | null;
  only: 'all' | 'escalation';
}

/**
 * SNS allows at most 150 combinations of values in one policy: an address may be on this many
 * owners' routes (each owner is one combination; the escalation-only branch adds its own).
 */
export const MAX_ROUTES_PER_ADDRESS = 100;

/** A key of the policy: named owners, and `exists: false` for the targets without one. */
function ownerValues(owners: readonly (string | null)[]): unknown[] {
  const named = [...new Set(owners.filter((o): o is string => o !== null))].sort();
  return [...named, ...(owners.includes(null) ? [{ exists: false }] : [])];
}

/**
 * The filter policy of an address with these routes: every message of the owners it receives in
 * full (`event` exists on every certvigil message, so CloudWatch's alarms stay out), and only the
 * escalations of the owners it is the escalation route of. Undefined: no route (unsubscribe).
 */
export function routeFilterPolicy(routes: readonly AddressRoute[]): Record<string, unknown> | undefined {
  const all = routes.filter((r) => r.only === 'all').map((r) => r.owner);
  const escalation = routes.filter((r) => r.only === 'escalation' && !all.includes(r.owner)).map((r) => r.owner);
  const allPolicy = { owner: ownerValues(all), event: [{ exists: true }] };
  const escalationPolicy = { owner: ownerValues(escalation), event: ['escalation'] };
  if (all.length && escalation.length) return { $or: [allPolicy, escalationPolicy] };
  if (all.length) return allPolicy;
  if (escalation.length) return escalationPolicy;
  return undefined;
}
