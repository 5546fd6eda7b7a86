// `acm:ARN`: an ACM certificate and its chain, with what only ACM knows: its type (imported ones
// are never renewed by ACM), its managed renewal's status and reason, and what uses it.
import { DescribeCertificateCommand, GetCertificateCommand } from '@aws-sdk/client-acm';
import { certificatesIn } from '../certificate/pem-blocks.ts';
import { ProbeError } from '../net/probe-error.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { boundText, LIMITS } from '../text-bounds.ts';
import { accountOf, awsClientsFor, awsError, regionOf } from './aws-clients.ts';
import { bundleResult, readOrFail } from './document-result.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readAcm(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const acm = awsClientsFor(context.awsRoles, accountOf(arn)).acm(regionOf(arn));
    const described = await acm
      .send(new DescribeCertificateCommand({ CertificateArn: arn }))
      .catch((error: unknown) => {
        throw awsError(error, 'ACM DescribeCertificate');
      });
    const detail = described.Certificate;
    if (!detail) throw new ProbeError('aws', 'ACM described no certificate');
    // The API's answers are enums today; bounded anyway, since they are stored and sent.
    const token = (value: string | undefined) => (value === undefined ? null : boundText(value, LIMITS.token));
    const acmFacts = {
      type: token(detail.Type),
      renewalEligibility: token(detail.RenewalEligibility),
      renewalStatus: token(detail.RenewalSummary?.RenewalStatus),
      renewalReason: token(detail.RenewalSummary?.RenewalStatusReason),
      inUseBy: (detail.InUseBy ?? []).slice(0, 20).map((r) => boundText(r, 256)),
      inUseCount: detail.InUseBy?.length ?? 0,
    };
    // A certificate still waiting for its first validation has nothing to read yet.
    if (detail.Status && detail.Status !== 'ISSUED' && detail.Status !== 'EXPIRED' && detail.Status !== 'INACTIVE') {
      throw new ProbeError('empty', `ACM certificate is ${boundText(detail.Status, LIMITS.token)}, not issued`);
    }
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: arn })).catch((error: unknown) => {
      throw awsError(error, 'ACM GetCertificate');
    });
    const [leaf] = await certificatesIn(Buffer.from(got.Certificate ?? ''));
    if (!leaf) throw new ProbeError('empty', 'ACM returned no certificate');
    const chain = got.CertificateChain ? await certificatesIn(Buffer.from(got.CertificateChain)).catch(() => []) : [];
    const result = await bundleResult(request, context, [leaf], 'ACM');
    // Expiry is judged on the earlier of the leaf and the intermediates ACM serves with it.
    const chainNotAfter = [leaf, ...chain]
      .filter((c) => c.subject !== c.issuer)
      .map((c) => c.validToDate.toISOString())
      .sort()[0];
    return { ...result, chainNotAfter: chainNotAfter ?? result.chainNotAfter, acm: acmFacts };
  });
}
