// `acm:ARN`: an ACM certificate and its chain, with what only ACM knows: its type (imported ones
// are never renewed by ACM), its managed renewal's status and reason, and what uses it.
//
// Discovery: ACM: every certificate of every key type (ListCertificates returns RSA 2048 ones only unless
// asked) that has been issued, whether in use or not.
import {
  ACMClient,
  type ACMClient as AcmClientType,
  CertificateStatus,
  DescribeCertificateCommand,
  GetCertificateCommand,
  KeyAlgorithm,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
} from '@aws-sdk/client-acm';
import { certificatesIn } from '../../certificate/pem-blocks.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { boundText, LIMITS } from '../../text-bounds.ts';
import { bundleResult, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError, regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { tagRecord, withTags } from './tags.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const acm = accountClient(ACMClient, context.awsRoles, accountOf(arn), regionOf(arn));
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

export const finder: Finder = {
  service: 'acm',
  async find(context) {
    const acm: AcmClientType = context.client(ACMClient);
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await context.call('ACM ListCertificates', () =>
        acm.send(
          new ListCertificatesCommand({
            Includes: { keyTypes: Object.values(KeyAlgorithm) },
            CertificateStatuses: [CertificateStatus.ISSUED, CertificateStatus.EXPIRED, CertificateStatus.INACTIVE],
            MaxItems: 1000,
            NextToken: token,
          }),
        ),
      );
      for (const summary of page.CertificateSummaryList ?? [])
        if (summary.CertificateArn) arns.push(summary.CertificateArn);
      token = page.NextToken;
    } while (token);
    const tagged = await withTags(arns, async (arn) =>
      !context.isNew(`acm:${arn}`)
        ? {}
        : tagRecord(
            (
              await context.call('ACM ListTagsForCertificate', () =>
                acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn })),
              )
            ).Tags,
          ),
    );
    return tagged.map(
      ({ item: arn, tags }): DiscoveredResource => ({ target: `acm:${arn}`, service: 'acm', resource: arn, tags }),
    );
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadAcmCertificates',
    actions: ['acm:DescribeCertificate', 'acm:GetCertificate'],
    resources: ['arn:{partition}:acm:*:{account}:certificate/*'],
    why: 'Any ACM certificate of this account, in any region (targets and discovery name them); read-only actions.',
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['acm:ListCertificates'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadInventoryTags',
    actions: ['acm:ListTagsForCertificate', 'acm:DescribeCertificate'],
    resources: ['arn:{partition}:acm:*:{account}:certificate/*'],
    why: 'Any ACM certificate of this account, in any region (targets and discovery name them); read-only actions.',
  },
];
