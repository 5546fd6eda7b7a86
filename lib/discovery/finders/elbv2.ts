// Elastic Load Balancing v2: every HTTPS (ALB) and TLS (NLB) listener of every internet-facing
// load balancer, probed at the load balancer's DNS name with the listener's default certificate's
// name sent in SNI (so the name check means something). Internal load balancers are not
// reachable from the probe and are passed over.
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DiscoveredResource, Finder, FinderContext, Grant } from '../../sources/aws/kind-module.ts';
import { elbTags } from '../../sources/aws/tags.ts';
import { canonicalHost } from '../../targets/target-id.ts';

export const finder: Finder = {
  service: 'elbv2',
  async find(context) {
    const elb = context.client(ElasticLoadBalancingV2Client);
    const balancers: { arn: string; dns: string }[] = [];
    let marker: string | undefined;
    do {
      const page = await context.call('ELB DescribeLoadBalancers', () =>
        elb.send(new DescribeLoadBalancersCommand({ Marker: marker, PageSize: 400 })),
      );
      for (const lb of page.LoadBalancers ?? []) {
        if (!lb.LoadBalancerArn || !lb.DNSName) continue;
        if (lb.Scheme === 'internal') {
          context.skip('internal load balancer');
          continue;
        }
        balancers.push({ arn: lb.LoadBalancerArn, dns: lb.DNSName });
      }
      marker = page.NextMarker;
    } while (marker);
    const tags = await elbTags(
      context,
      elb,
      balancers.map((b) => b.arn),
    );
    const found: DiscoveredResource[] = [];
    const names = new Map<string, Promise<string | undefined>>();
    for (const lb of balancers) {
      let listenerMarker: string | undefined;
      do {
        const page = await context.call('ELB DescribeListeners', () =>
          elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.arn, Marker: listenerMarker })),
        );
        for (const listener of page.Listeners ?? []) {
          if (listener.Protocol !== 'HTTPS' && listener.Protocol !== 'TLS') continue;
          if (!listener.Port || !listener.ListenerArn) continue;
          const certificate = listener.Certificates?.find((c) => c.IsDefault !== false)?.CertificateArn;
          let servername: string | undefined;
          if (certificate) {
            if (!names.has(certificate)) names.set(certificate, certificateName(context, certificate));
            servername = await names.get(certificate);
          }
          found.push({
            target: `${canonicalHost(lb.dns)}:${listener.Port}/tls`,
            servername,
            service: 'elbv2',
            resource: listener.ListenerArn,
            tags: tags.get(lb.arn) ?? {},
          });
        }
        listenerMarker = page.NextMarker;
      } while (listenerMarker);
    }
    return found;
  },
};

/**
 * A name the certificate covers, to send in SNI: its first non-wildcard name, or for a wildcard
 * one a name it matches (`*.example.com` -> `certvigil.example.com`). IAM certificates and
 * failures leave SNI to the target's host.
 */
async function certificateName(context: FinderContext, arn: string): Promise<string | undefined> {
  if (!arn.includes(':acm:')) return undefined;
  try {
    const region = arn.split(':')[3] ?? context.region;
    const acm = region === context.region ? context.client(ACMClient) : undefined;
    if (!acm) return undefined;
    const answer = await context.call('ACM DescribeCertificate', () =>
      acm.send(new DescribeCertificateCommand({ CertificateArn: arn })),
    );
    const detail = answer.Certificate;
    const names = [detail?.DomainName, ...(detail?.SubjectAlternativeNames ?? [])].filter(
      (n): n is string => typeof n === 'string' && n.length > 0,
    );
    const plain = names.find((n) => !n.includes('*'));
    const chosen = plain ?? names.find((n) => n.startsWith('*.'))?.replace(/^\*\./, 'certvigil.');
    return chosen ? canonicalHost(chosen) : undefined;
  } catch {
    return undefined;
  }
}

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: [
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeTags',
    ],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
];
