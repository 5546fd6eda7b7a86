// `iam:NAME`: an IAM server certificate (still used by some load balancers and CloudFront), which
// has no expiry alerting of its own.
//
// Discovery: IAM server certificates (global): `iam:NAME` in this account, the ARN in another.
import {
  GetServerCertificateCommand,
  IAMClient,
  ListServerCertificatesCommand,
  ListServerCertificateTagsCommand,
} from '@aws-sdk/client-iam';
import { certificatesIn } from '../../certificate/pem-blocks.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { bundleResult, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { tagRecord, withTags } from './tags.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    // `iam:NAME` in this account, or `iam:arn:aws:iam::ACCOUNT:server-certificate/path/NAME` in another.
    const source = request.source as string;
    const name = source.startsWith('arn:') ? (source.split('/').pop() ?? '') : source;
    const answer = await accountClient(IAMClient, context.awsRoles, accountOf(source), undefined)
      .send(new GetServerCertificateCommand({ ServerCertificateName: name }))
      .catch((error: unknown) => {
        throw awsError(error, 'IAM GetServerCertificate');
      });
    const body = answer.ServerCertificate?.CertificateBody ?? '';
    const [leaf] = await certificatesIn(Buffer.from(body));
    return bundleResult(request, context, leaf ? [leaf] : [], 'the IAM server certificate');
  });
}

export const finder: Finder = {
  service: 'iam',
  global: true,
  async find(context) {
    const iam = context.client(IAMClient);
    const found: { name: string; arn: string }[] = [];
    let marker: string | undefined;
    do {
      const page = await context.call('IAM ListServerCertificates', () =>
        iam.send(new ListServerCertificatesCommand({ Marker: marker, MaxItems: 1000 })),
      );
      for (const m of page.ServerCertificateMetadataList ?? []) {
        if (m.ServerCertificateName && m.Arn) found.push({ name: m.ServerCertificateName, arn: m.Arn });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const targetOf = (item: { name: string; arn: string }) => `iam:${context.home ? item.name : item.arn}`;
    const tagged = await withTags(found, async (item) =>
      !context.isNew(targetOf(item))
        ? {}
        : tagRecord(
            (
              await context.call('IAM ListServerCertificateTags', () =>
                iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: item.name })),
              )
            ).Tags,
          ),
    );
    return tagged.map(
      ({ item, tags }): DiscoveredResource => ({
        target: targetOf(item),
        service: 'iam',
        resource: item.arn,
        tags,
      }),
    );
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadIamServerCertificates',
    actions: ['iam:GetServerCertificate'],
    resources: ['arn:{partition}:iam::{account}:server-certificate/*'],
    why: 'Any IAM server certificate of this account; read-only.',
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['iam:ListServerCertificates'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadServerCertificateTags',
    actions: ['iam:ListServerCertificateTags'],
    resources: ['arn:{partition}:iam::{account}:server-certificate/*'],
    why: 'Tags of any IAM server certificate of this account (owner); read-only.',
  },
];
