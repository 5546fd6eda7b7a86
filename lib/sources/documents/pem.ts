// `pem:URL`: every certificate of a PEM or DER document served over HTTPS (CA bundles, mTLS trust
// stores that clients download).

import { certificatesIn } from '../../certificate/pem-blocks.ts';
import { fetchDocument } from '../../net/fetch-document.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { bundleResult, documentDeadline, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';

export const MAX_PEM_BYTES = 5 * 1024 * 1024;

export function readPem(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const { body } = await fetchDocument(request.source as string, {
      trust: context.trust,
      timeouts: context.timeouts,
      maxBytes: MAX_PEM_BYTES,
      accept: 'application/x-pem-file, application/pkix-cert, application/x-x509-ca-cert, */*',
      guard: context.guard,
      resolver: context.resolver,
      pinned: request.addresses?.length ? { host: request.host, addresses: request.addresses } : undefined,
      signal: documentDeadline(context),
    });
    const certificates = await certificatesIn(body);
    return bundleResult(request, context, certificates, 'the document');
  });
}
