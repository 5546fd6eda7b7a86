// ACM: every certificate of every key type (ListCertificates returns RSA 2048 ones only unless
// asked) that has been issued, whether in use or not.
import {
  ACMClient,
  type ACMClient as AcmClientType,
  CertificateStatus,
  KeyAlgorithm,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
} from '@aws-sdk/client-acm';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { tagRecord, withTags } from './tags.ts';

export const acmFinder: Finder = {
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
