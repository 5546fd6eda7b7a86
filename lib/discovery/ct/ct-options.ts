// The forms of the CT settings, defined once for the stack (infra/config.ts), the functions'
// configuration (lib/config.ts) and local mode's options. No I/O here: infra imports it.

/** The CT search APIs certvigil reads (one file each in this folder, a line each in providers.ts). */
export const CT_PROVIDER_NAMES = ['certspotter', 'crtsh'] as const;
export type CtProviderName = (typeof CT_PROVIDER_NAMES)[number];

/** `auto`: names nobody watches become checked targets; `report`: disabled ones. */
export const CT_ENROL_MODES = ['auto', 'report'] as const;
export type CtEnrolMode = (typeof CT_ENROL_MODES)[number];

/**
 * Targets enrolled and announcements made per watched domain and discovery run: a flood of
 * issuances is taken over several runs, not as thousands of targets and messages at once.
 */
export const CT_MAX_PER_RUN = { default: 100, min: 1, max: 10_000 } as const;

/** A watched domain: lower-case labels, at least two (`example.com`, `eu.example.com`). */
export const CT_DOMAIN = /^([a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}$/;

export function isCtProviderName(value: string): value is CtProviderName {
  return (CT_PROVIDER_NAMES as readonly string[]).includes(value);
}

export function isCtEnrolMode(value: string): value is CtEnrolMode {
  return (CT_ENROL_MODES as readonly string[]).includes(value);
}
