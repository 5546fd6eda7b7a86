import dns from 'node:dns';
import { ipFamily } from '../ip-family.ts';
import { ProbeError } from './probe-error.ts';

/** Default cap on the addresses probed per target. */
export const DEFAULT_MAX_ADDRESSES = 8;

/** Looks up every address (A and AAAA) of a host name. */
export type Resolver = (host: string) => Promise<string[]>;

/** The system resolver (getaddrinfo: honours /etc/hosts), every family, in the resolver's order. */
export const systemResolver: Resolver = async (host) => {
  const found = await dns.promises.lookup(host, { all: true, order: 'verbatim' });
  return found.map((entry) => entry.address);
};

const DNS_MESSAGES: Record<string, string> = {
  ENOTFOUND: 'the name does not exist in DNS',
  EAI_NONAME: 'the name does not exist in DNS',
  ENODATA: 'the name has no A or AAAA record',
  EAI_NODATA: 'the name has no A or AAAA record',
  EAI_AGAIN: 'DNS lookup failed temporarily (no answer from the resolver)',
  ESERVFAIL: 'the DNS server failed to answer',
  EREFUSED: 'the DNS server refused the query',
};

/**
 * The addresses to probe: the host itself when it is an IP address, otherwise what the resolver
 * returns, de-duplicated and capped. DNS failures and timeouts are ProbeErrors of kind `dns`.
 */
export async function resolveAddresses(
  host: string,
  options: { resolver: Resolver; timeoutMs: number; maxAddresses: number; within?: AbortSignal | undefined },
): Promise<string[]> {
  if (ipFamily(host) !== 0) return [host];
  let timer: NodeJS.Timeout | undefined;
  let stop: (() => void) | undefined;
  const lookup = options.resolver(host);
  lookup.catch(() => undefined); // it may reject after the timeout; that result is not wanted
  try {
    const addresses = await Promise.race([
      lookup,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ProbeError('dns', `DNS lookup timed out after ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
        const within = options.within;
        if (!within) return;
        stop = () => reject(new ProbeError('dns', "DNS lookup stopped at the check's deadline"));
        if (within.aborted) stop();
        else within.addEventListener('abort', stop, { once: true });
      }),
    ]);
    const unique = [...new Set(addresses)];
    if (unique.length === 0) throw new ProbeError('dns', 'the name has no A or AAAA record');
    return unique.slice(0, options.maxAddresses);
  } catch (error) {
    if (error instanceof ProbeError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new ProbeError('dns', DNS_MESSAGES[code] ?? `DNS lookup failed (${code || (error as Error).message})`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    if (stop) options.within?.removeEventListener('abort', stop);
  }
}
