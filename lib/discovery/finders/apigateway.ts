// API Gateway custom domain names: REST (v1) and HTTP/WebSocket (v2) APIs share the same custom
// domains, so both lists usually name the same domain (the target is enrolled once). Private
// REST domain names are not reachable from the probe and are passed over.
import { APIGatewayClient, GetDomainNamesCommand as GetRestDomainNamesCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetDomainNamesCommand } from '@aws-sdk/client-apigatewayv2';
import type { DiscoveredResource, Finder, FinderContext, Grant } from '../../sources/aws/kind-module.ts';
import { tagRecord } from '../../sources/aws/tags.ts';
import { httpsTarget } from './endpoint-name.ts';

export const finder: Finder = {
  service: 'apigateway',
  async find(context) {
    const api = context.client(APIGatewayClient);
    const found: DiscoveredResource[] = [];
    let position: string | undefined;
    do {
      const page = await context.call('API Gateway GetDomainNames', () =>
        api.send(new GetRestDomainNamesCommand({ position, limit: 500 })),
      );
      for (const domain of page.items ?? []) {
        const trustStore = trustStoreTarget(context, domain.domainName, domain.mutualTlsAuthentication?.truststoreUri);
        if (trustStore) found.push({ ...trustStore, tags: tagRecord(domain.tags) });
        if (domain.endpointConfiguration?.types?.includes('PRIVATE')) {
          context.skip('private API Gateway domain name');
          continue;
        }
        const target = httpsTarget(domain.domainName);
        if (!target) {
          context.skip('wildcard or invalid custom domain name');
          continue;
        }
        const resource =
          domain.domainNameArn ??
          `arn:${context.partition}:apigateway:${context.region}::/domainnames/${domain.domainName}`;
        found.push({ target, service: 'apigateway', resource, tags: tagRecord(domain.tags) });
      }
      position = page.position;
    } while (position);
    return found;
  },
};

export const v2Finder: Finder = {
  service: 'apigatewayv2',
  async find(context) {
    const api = context.client(ApiGatewayV2Client);
    const found: DiscoveredResource[] = [];
    let token: string | undefined;
    do {
      const page = await context.call('API Gateway v2 GetDomainNames', () =>
        api.send(new GetDomainNamesCommand({ NextToken: token, MaxResults: '500' })),
      );
      for (const domain of page.Items ?? []) {
        const target = httpsTarget(domain.DomainName);
        if (!target) {
          context.skip('wildcard or invalid custom domain name');
          continue;
        }
        const resource =
          domain.DomainNameArn ??
          `arn:${context.partition}:apigateway:${context.region}::/domainnames/${domain.DomainName}`;
        found.push({ target, service: 'apigatewayv2', resource, tags: tagRecord(domain.Tags) });
      }
      token = page.NextToken;
    } while (token);
    return found;
  },
};

/**
 * A custom domain's mutual TLS trust store (`apigw-truststore:`), when it has one in S3. API Gateway's
 * ARNs name no account: a member account's is written in, so the check reads it there.
 */
function trustStoreTarget(
  context: FinderContext,
  domainName: string | undefined,
  truststoreUri: string | undefined,
): Omit<DiscoveredResource, 'tags'> | undefined {
  if (!domainName || !truststoreUri?.startsWith('s3://')) return undefined;
  const arn = `arn:${context.partition}:apigateway:${context.region}:${context.home ? '' : context.account}:/domainnames/${domainName}`;
  return { target: `apigw-truststore:${arn}`, service: 'apigateway', resource: arn };
}

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListApiGatewayDomainNames',
    actions: ['apigateway:GET'],
    resources: ['arn:{partition}:apigateway:*::/domainnames', 'arn:{partition}:apigateway:*::/domainnames/*'],
    why: 'The custom domain names and each one, in any region; GET only.',
  },
];
