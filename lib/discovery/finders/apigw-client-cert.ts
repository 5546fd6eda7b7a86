// API Gateway client certificates (REST APIs present them to their HTTP backends). The listing
// carries the tags, so a region costs one call per 500 certificates.
import { APIGatewayClient, GetClientCertificatesCommand } from '@aws-sdk/client-api-gateway';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { eachPage } from './pages.ts';
import { tagRecord } from './tags.ts';

export const apiGatewayClientCertFinder: Finder = {
  service: 'apigw-client-cert',
  async find(context) {
    const api = context.client(APIGatewayClient);
    const found: DiscoveredResource[] = [];
    // API Gateway's ARNs name no account: a member account's is written in, so the check reads it there.
    const account = context.home ? '' : context.account;
    await eachPage(
      (token) =>
        context.call('API Gateway GetClientCertificates', () =>
          api.send(new GetClientCertificatesCommand({ position: token, limit: 500 })),
        ),
      (page) => page.position,
      (page) => {
        for (const certificate of page.items ?? []) {
          if (!certificate.clientCertificateId) continue;
          const arn = `arn:${context.partition}:apigateway:${context.region}:${account}:/clientcertificates/${certificate.clientCertificateId}`;
          found.push({
            target: `apigw-client-cert:${arn}`,
            service: 'apigw-client-cert',
            resource: arn,
            tags: tagRecord(certificate.tags),
          });
        }
      },
    );
    return found;
  },
};
