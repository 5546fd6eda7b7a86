// crt.sh's JSON search (`/?q=DOMAIN&output=json&exclude=expired`, then `%.DOMAIN` for the
// subdomains). crt.sh lists a precertificate and its certificate as two entries with the same
// issuer and serial (one issuance here), and has no paging: the position is the highest entry id
// seen, and entries at or below it are dropped.
import * as z from 'zod/mini';
import { fetchDocument, type ReachOptions } from '../../net/fetch-document.ts';
import { ProbeError } from '../../net/probe-error.ts';
import { boundText } from '../../text-bounds.ts';
import { type CtIssuance, type CtProvider, cleanNames, MAX_ISSUANCES_PER_RUN, organizationOf } from './ct-provider.ts';
import { forEachJsonElement } from './json-elements.ts';

export const CRTSH_URL = 'https://crt.sh';
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/**
 * Most entries looked at in one answer: a valid entry is at least about 150 bytes, so a 32 MiB
 * answer of real entries holds fewer; entries under 50 bytes cannot be entries and are skipped unread.
 */
export const MAX_ENTRIES = 250_000;
/** An entry is an object of strings and numbers; its names are at most 100,000 characters. */
const LIMITS = { maxDepth: 3, maxElementBytes: 256 * 1024, maxElements: MAX_ENTRIES, minElementBytes: 50 };

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
  /** Reads one answer, entry by entry; returns whether it held more entries than are read. */
  const read = async (q: string, signal: AbortSignal, onEntry: (item: unknown) => void): Promise<boolean> => {
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
      return (await forEachJsonElement(body, LIMITS, signal, onEntry)).cut;
    } catch (error) {
      if (error instanceof ProbeError && error.kind === 'parse') {
        throw new ProbeError('parse', `crt.sh did not answer a list of entries: ${error.message}`);
      }
      throw error;
    }
  };
  return {
    name: 'crt.sh',
    async page(domain, position, signal) {
      const after = position ? Number(position) : -1;
      // The new entries with the lowest ids, at most MAX_ISSUANCES_PER_RUN: crt.sh does not page,
      // so a larger backlog is read over several runs, the position moving up to the last one kept.
      let kept: { id: number; issuance: CtIssuance }[] = [];
      let dropped = false;
      const trim = () => {
        kept.sort((a, b) => a.id - b.id);
        // An entry with names of both queries is in both answers: once.
        kept = kept.filter((k, i) => i === 0 || kept[i - 1]?.id !== k.id);
        if (kept.length > MAX_ISSUANCES_PER_RUN) dropped = true;
        kept = kept.slice(0, MAX_ISSUANCES_PER_RUN);
      };
      const onEntry = (item: unknown) => {
        // No transforms in Entry: a value that validates is its own output (no copy, no ZodError).
        if (!z.validate(Entry, item) || item.id <= after) return;
        kept.push({ id: item.id, issuance: issuanceOf(item) });
        if (kept.length >= MAX_ISSUANCES_PER_RUN + MAX_ISSUANCES_PER_RUN / 4) trim();
      };
      const cut = [await read(domain, signal, onEntry), await read(`%.${domain}`, signal, onEntry)].some(Boolean);
      trim();
      // A precertificate and its certificate are two entries of one issuance.
      const byKey = new Map<string, CtIssuance>();
      for (const { issuance } of kept) {
        const known = byKey.get(issuance.key);
        if (known) known.dnsNames = cleanNames([...known.dnsNames, ...issuance.dnsNames]);
        else byKey.set(issuance.key, issuance);
      }
      const highest = kept.at(-1)?.id ?? after;
      if (cut) {
        // Entries past the cap were not looked at, and crt.sh lists them in no set order: the
        // position stays, so that none is skipped; the summary says why.
        return {
          issuances: [...byKey.values()],
          position,
          more: false,
          cut: `crt.sh answered more than ${MAX_ENTRIES.toLocaleString('en-US')} entries for one query, which certvigil does not read whole; the position stays (watch subdomains separately, or use Cert Spotter, which pages)`,
        };
      }
      return {
        issuances: [...byKey.values()],
        position: highest >= 0 ? String(highest) : position,
        more: false,
        ...(dropped
          ? {
              cut: `more than ${MAX_ISSUANCES_PER_RUN.toLocaleString('en-US')} new entries: the ones with the lowest ids are read now, the rest in the next runs`,
            }
          : {}),
      };
    },
  };
}

function issuanceOf(e: z.output<typeof Entry>): CtIssuance {
  const issuer = boundText(e.issuer_name ?? 'unknown issuer', 512);
  return {
    key: `serial:${e.issuer_ca_id ?? issuer}:${e.serial_number.toLowerCase()}`,
    dnsNames: cleanNames([e.common_name, ...(e.name_value ?? '').split('\n')]),
    issuer,
    issuerOrganization: organizationOf(issuer),
    // crt.sh writes UTC times without a zone.
    notBefore: utc(e.not_before),
    notAfter: utc(e.not_after),
    fingerprint256: null,
  };
}

function utc(value: string): string {
  const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(at) ? boundText(value, 64) : new Date(at).toISOString();
}
