// crt.sh's JSON search (`/?q=DOMAIN&output=json&exclude=expired`, then `%.DOMAIN` for the
// subdomains). crt.sh lists a precertificate and its certificate as two entries with the same
// issuer and serial (one issuance here), and has no paging: the position is the highest entry id
// seen, and entries at or below it are dropped.
import * as z from 'zod/mini';
import { ProbeError } from '../../probe/probe-error.ts';
import { fetchDocument, type ReachOptions } from '../../sources/fetch-document.ts';
import { boundText } from '../../text-bounds.ts';
import { type CtIssuance, type CtProvider, cleanNames, organizationOf } from './ct-provider.ts';

export const CRTSH_URL = 'https://crt.sh';
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

const Entry = z.object({
  id: z.number().check(z.int(), z.nonnegative()),
  issuer_ca_id: z.nullish(z.number().check(z.int())),
  issuer_name: z.nullish(z.string().check(z.maxLength(4096))),
  common_name: z.nullish(z.string().check(z.maxLength(1024))),
  name_value: z.nullish(z.string().check(z.maxLength(100_000))),
  serial_number: z.string().check(z.maxLength(128)),
  not_before: z.string().check(z.maxLength(64)),
  not_after: z.string().check(z.maxLength(64)),
});

export function crtShProvider(options: { reach: ReachOptions; baseUrl?: string }): CtProvider {
  const base = (options.baseUrl ?? CRTSH_URL).replace(/\/$/, '');
  const read = async (q: string, signal: AbortSignal): Promise<unknown[]> => {
    const query = new URLSearchParams({ q, output: 'json', exclude: 'expired' });
    const { body } = await fetchDocument(`${base}/?${query}`, {
      ...options.reach,
      maxBytes: MAX_ANSWER_BYTES,
      accept: 'application/json',
      // Entries count only from crt.sh itself: a redirect elsewhere is refused.
      sameOriginOnly: true,
      signal,
    });
    try {
      const value = JSON.parse(body.toString('utf8'));
      if (!Array.isArray(value)) throw new Error('not a list');
      return value;
    } catch {
      throw new ProbeError('parse', 'crt.sh did not answer a list of entries');
    }
  };
  return {
    name: 'crt.sh',
    async page(domain, position, signal) {
      const after = position ? Number(position) : -1;
      const entries = [...(await read(domain, signal)), ...(await read(`%.${domain}`, signal))];
      const byKey = new Map<string, CtIssuance>();
      let highest = after;
      for (const item of entries) {
        const parsed = Entry.safeParse(item);
        if (!parsed.success || parsed.data.id <= after) continue;
        const e = parsed.data;
        highest = Math.max(highest, e.id);
        const issuer = boundText(e.issuer_name ?? 'unknown issuer', 512);
        const key = `serial:${e.issuer_ca_id ?? issuer}:${e.serial_number.toLowerCase()}`;
        const names = cleanNames([e.common_name, ...(e.name_value ?? '').split('\n')]);
        const known = byKey.get(key);
        if (known) {
          known.dnsNames = cleanNames([...known.dnsNames, ...names]);
          continue;
        }
        byKey.set(key, {
          key,
          dnsNames: names,
          issuer,
          issuerOrganization: organizationOf(issuer),
          // crt.sh writes UTC times without a zone.
          notBefore: utc(e.not_before),
          notAfter: utc(e.not_after),
          fingerprint256: null,
        });
      }
      return { issuances: [...byKey.values()], position: highest >= 0 ? String(highest) : position, more: false };
    },
  };
}

function utc(value: string): string {
  const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(at) ? boundText(value, 64) : new Date(at).toISOString();
}
