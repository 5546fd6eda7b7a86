// `apigw-client-cert:arn:aws:apigateway:REGION:[ACCOUNT]:/clientcertificates/ID`: the client
// certificate API Gateway presents to an HTTP backend. API Gateway issues it for 365 days and never
// renews it; when it ends, backends that verify it refuse every request the API forwards.
//
// Discovery: API Gateway client certificates (REST APIs present them to their HTTP backends). The listing
// carries the tags, so a region costs one call per 500 certificates.
import {
  APIGatewayClient,
  GetClientCertificateCommand,
  GetClientCertificatesCommand,
} from '@aws-sdk/client-api-gateway';
import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { eachPage } from './pages.ts';
import { readAwsPem } from './pem-source.ts';
import { tagRecord } from './tags.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  // API Gateway's own ARNs name no account; discovery writes it in for a member account's.
  return readAwsPem(
    request,
    context,
    'API Gateway GetClientCertificate',
    'the API Gateway client certificate',
    async (arn, client) => {
      const answer = await client(APIGatewayClient, regionOf(arn)).send(
        new GetClientCertificateCommand({ clientCertificateId: arn.split('/').pop() ?? '' }),
      );
      return answer.pemEncodedCertificate;
    },
  );
}

export const finder: Finder = {
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

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadApiGatewayClientCertificatesAndTrustStores',
    actions: ['apigateway:GET'],
    resources: ['arn:{partition}:apigateway:*::/clientcertificates/*'],
    why: "Any API Gateway client certificate, any region (API Gateway's ARNs name no account; the public certificate only); GET only.",
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListApiGatewayClientCertificates',
    actions: ['apigateway:GET'],
    resources: ['arn:{partition}:apigateway:*::/clientcertificates'],
    why: 'The list of API Gateway client certificates (with their tags), in any region; GET only.',
  },
];
