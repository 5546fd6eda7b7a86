// Cert Spotter's CT search API (SSLMate, v1): `GET /v1/issuances?domain=D&include_subdomains=true
// &match_wildcards=true&expand=dns_names&expand=issuer[&after=ID]`, each issuance once (SSLMate
// coalesces a certificate and its precertificate), pages until one comes back empty. An API token
// (optional: without one the free allowance applies) is sent as a bearer token and never shown.
import * as z from 'zod/mini';
import { colonHex } from '../../certificate/fingerprint.ts';
import { fetchDocument, type ReachOptions } from '../../net/fetch-document.ts';
import { ProbeError } from '../../net/probe-error.ts';
import { boundText } from '../../text-bounds.ts';
import { type CtIssuance, type CtProvider, cleanNames, organizationOf } from './ct-provider.ts';
import { forEachJsonElement, parsedOrUndefined } from './json-elements.ts';

export const CERTSPOTTER_URL = 'https://api.certspotter.com';
const MAX_PAGE_BYTES = 10 * 1024 * 1024;

const Issuance = z.object({
  id: z.string().check(z.maxLength(64)),
  tbs_sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/i)),
  cert_sha256: z.nullish(z.string().check(z.regex(/^[0-9a-f]{64}$/i))),
  dns_names: z._default(z.array(z.unknown()).check(z.maxLength(10_000)), []),
  issuer: z.nullish(
    z.looseObject({
      name: z.nullish(z.string().check(z.maxLength(65_536))),
      friendly_name: z.nullish(z.string().check(z.maxLength(65_536))),
    }),
  ),
  not_before: z.string().check(z.maxLength(64)),
  not_after: z.string().check(z.maxLength(64)),
});
/** Most issuances read of one page (SSLMate's pages hold about a hundred); the rest is the next page. */
const MAX_PAGE_ISSUANCES = 10_000;
/** An issuance nests its issuer's CAA domains (level 4); it names at most 10,000 names. */
const LIMITS = { maxDepth: 6, maxElementBytes: 3 * 1024 * 1024, maxElements: MAX_PAGE_ISSUANCES };

export function certSpotterProvider(options: { reach: ReachOptions; baseUrl?: string; token?: string }): CtProvider {
  const base = (options.baseUrl ?? CERTSPOTTER_URL).replace(/\/$/, '');
  return {
    name: 'Cert Spotter',
    async page(domain, position, signal) {
      const query = new URLSearchParams({ domain, include_subdomains: 'true', match_wildcards: 'true' });
      query.append('expand', 'dns_names');
      query.append('expand', 'issuer');
      if (position) query.set('after', position);
      const { body } = await fetchDocument(`${base}/v1/issuances?${query}`, {
        ...options.reach,
        maxBytes: MAX_PAGE_BYTES,
        accept: 'application/json',
        headers: options.token ? { authorization: `Bearer ${options.token}` } : undefined,
        // Issuances count only from the API itself: a redirect elsewhere is refused, token or not.
        sameOriginOnly: true,
        signal,
      });
      const issuances: CtIssuance[] = [];
      let last: string | null = null;
      let items = 0;
      let cut = false;
      try {
        ({ count: items, cut } = await forEachJsonElement(body, LIMITS, signal, (item) => {
          // The position moves past a malformed issuance too, or it would be read again on every run.
          const id = (item as { id?: unknown } | null)?.id;
          if (typeof id === 'string' && id.length <= 64) last = id;
          const i = parsedOrUndefined(Issuance, item);
          if (!i) return; // one malformed issuance does not hide the others
          const issuer = boundText(i.issuer?.name ?? i.issuer?.friendly_name ?? 'unknown issuer', 512);
          issuances.push({
            key: `tbs:${i.tbs_sha256.toLowerCase()}`,
            dnsNames: cleanNames(i.dns_names),
            issuer,
            issuerOrganization:
              organizationOf(issuer) ?? (i.issuer?.friendly_name ? boundText(i.issuer.friendly_name, 128) : null),
            notBefore: isoOrRaw(i.not_before),
            notAfter: isoOrRaw(i.not_after),
            fingerprint256: i.cert_sha256 ? colonHex(i.cert_sha256) : null,
          });
        }));
      } catch (error) {
        if (error instanceof ProbeError && error.kind === 'parse') {
          throw new ProbeError('parse', `Cert Spotter did not answer a list of issuances: ${error.message}`);
        }
        throw error;
      }
      if (items && !last) throw new ProbeError('parse', 'Cert Spotter answered issuances without ids');
      // A page cut at MAX_PAGE_ISSUANCES goes on from its last issuance, like the next page.
      return { issuances, position: last ?? position, more: items > 0 || cut };
    },
  };
}

function isoOrRaw(value: string): string {
  const at = Date.parse(value);
  return Number.isNaN(at) ? boundText(value, 64) : new Date(at).toISOString();
}
