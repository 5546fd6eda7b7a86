// ELB trust stores: the CA bundles Application Load Balancers verify client certificates against
// (mutual TLS). Tags are read only for trust stores not yet watched.
import { DescribeTrustStoresCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { elbTags } from './elbv2.ts';
import { eachPage } from './pages.ts';

export const elbTrustStoreFinder: Finder = {
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
