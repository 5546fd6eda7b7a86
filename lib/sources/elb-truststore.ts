// `elb-truststore:arn:aws:elasticloadbalancing:REGION:ACCOUNT:truststore/NAME/ID`: the CA bundle an
// Application Load Balancer verifies client certificates against (mutual TLS). When a CA in it
// ends, the load balancer refuses every client whose certificate chains to it. ELB hands the
// bundle out as a short-lived S3 link, fetched like a `pem:` document (guard, trust, time limits);
// the link carries a signature, so no message names more than its host and path.
import { GetTrustStoreCaCertificatesBundleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { certificatesIn } from '../certificate/pem-blocks.ts';
import { fetchDocument } from '../net/fetch-document.ts';
import { ProbeError } from '../net/probe-error.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { accountOf, awsClientsFor, awsError, regionOf } from './aws-clients.ts';
import { bundleResult, documentDeadline, readOrFail } from './document-result.ts';
import { MAX_PEM_BYTES } from './pem.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readElbTrustStore(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const answer = await awsClientsFor(context.awsRoles, accountOf(arn))
      .elbv2(regionOf(arn))
      .send(new GetTrustStoreCaCertificatesBundleCommand({ TrustStoreArn: arn }))
      .catch((error: unknown) => {
        throw awsError(error, 'ELB GetTrustStoreCaCertificatesBundle');
      });
    if (!answer.Location) throw new ProbeError('empty', 'ELB gave no location for the trust store’s CA bundle');
    const { body } = await fetchDocument(answer.Location, {
      trust: context.trust,
      timeouts: context.timeouts,
      maxBytes: MAX_PEM_BYTES,
      accept: 'application/x-pem-file, */*',
      guard: context.guard,
      resolver: context.resolver,
      signal: documentDeadline(context),
    });
    return bundleResult(request, context, await certificatesIn(body), 'the trust store’s CA bundle');
  });
}
