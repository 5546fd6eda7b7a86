// What the dashboard page and the servers that serve it agree on.

/** Sent by the page with every API call: a page of another origin cannot send it without a preflight, which nothing here answers. */
export const DASHBOARD_HEADER = 'x-certvigil-dashboard';
