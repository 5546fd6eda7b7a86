// Fetches a CRL as the probe reaches documents: the address guard on every hop, the probe's
// timeouts, a size cap (a larger CRL makes the revocation status unknown, not a red target).
import { fetchDeadline, fetchDocument, type ReachOptions } from '../../../net/fetch-document.ts';
import { MAX_CRL_BYTES } from './check-revocation.ts';

export async function fetchCrl(url: string, options: ReachOptions & { maxBytes?: number }): Promise<Buffer> {
  const { body } = await fetchDocument(url, {
    trust: options.trust,
    timeouts: options.timeouts,
    maxBytes: options.maxBytes ?? MAX_CRL_BYTES,
    accept: 'application/pkix-crl, application/x-pkcs7-crl;q=0.5, */*;q=0.1',
    guard: options.guard,
    resolver: options.resolver,
    signal: fetchDeadline(options.timeouts, options.within),
    allowHttp: true,
  });
  return body;
}
