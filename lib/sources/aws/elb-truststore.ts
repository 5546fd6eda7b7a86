// `elb-truststore:arn:aws:elasticloadbalancing:REGION:ACCOUNT:truststore/NAME/ID`: the CA bundle an
// Application Load Balancer verifies client certificates against (mutual TLS). When a CA in it
// ends, the load balancer refuses every client whose certificate chains to it. ELB hands the
// bundle out as a short-lived S3 link, fetched like a `pem:` document (guard, trust, time limits);
// the link carries a signature, so no message names more than its host and path.
//
// Discovery: ELB trust stores: the CA bundles Application Load Balancers verify client certificates against
// (mutual TLS). Tags are read only for trust stores not yet watched.
import {
  DescribeTrustStoresCommand,
  ElasticLoadBalancingV2Client,
  GetTrustStoreCaCertificatesBundleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { certificatesIn } from '../../certificate/pem-blocks.ts';
import { fetchDocument } from '../../net/fetch-document.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { bundleResult, documentDeadline, readOrFail } from '../document-result.ts';
import { MAX_PEM_BYTES } from '../documents/pem.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError, regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { eachPage } from './pages.ts';
import { elbTags } from './tags.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const answer = await accountClient(ElasticLoadBalancingV2Client, context.awsRoles, accountOf(arn), regionOf(arn))
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

export const finder: Finder = {
  service: 'elb-truststore',
  async find(context) {
    const elb = context.client(ElasticLoadBalancingV2Client);
    const arns: string[] = [];
    await eachPage(
      (token) =>
        context.call('ELB DescribeTrustStores', () =>
          elb.send(new DescribeTrustStoresCommand({ Marker: token, PageSize: 400 })),
        ),
      (page) => page.NextMarker,
      (page) => {
        for (const store of page.TrustStores ?? []) {
          if (!store.TrustStoreArn) continue;
          if (store.Status !== 'ACTIVE') context.skip('ELB trust store being created');
          else arns.push(store.TrustStoreArn);
        }
      },
    );
    const tags = await elbTags(
      context,
      elb,
      arns.filter((arn) => context.isNew(`elb-truststore:${arn}`)),
    );
    return arns.map(
      (arn): DiscoveredResource => ({
        target: `elb-truststore:${arn}`,
        service: 'elb-truststore',
        resource: arn,
        tags: tags.get(arn) ?? {},
      }),
    );
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadElbTrustStores',
    actions: ['elasticloadbalancing:GetTrustStoreCaCertificatesBundle'],
    resources: ['arn:{partition}:elasticloadbalancing:*:{account}:truststore/*'],
    why: 'Any ELB trust store of this account, any region: a link to its CA bundle (public certificates); read-only.',
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['elasticloadbalancing:DescribeTrustStores', 'elasticloadbalancing:DescribeTags'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
];
