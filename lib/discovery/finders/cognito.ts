// Cognito user pools that federate with SAML: the pool's own signing certificate
// (`cognito:POOL_ARN`), and each SAML identity provider's metadata: kept in Cognito as a file
// (`cognito:POOL_ARN#PROVIDER`) or fetched by Cognito from a URL, which certvigil then reads
// itself (`saml:URL`, by the documents function).
import {
  CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
  ListIdentityProvidersCommand,
  ListTagsForResourceCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mapWithConcurrency } from '../../concurrency.ts';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { tagRecord } from './tags.ts';

/** Pools and providers read at once (Cognito's list and describe quotas are a few per second). */
const CONCURRENCY = 4;

export const cognitoFinder: Finder = {
  service: 'cognito',
  async find(context) {
    const cognito = context.client(CognitoIdentityProviderClient);
    const pools: string[] = [];
    let token: string | undefined;
    do {
      const page = await context.call('Cognito ListUserPools', () =>
        cognito.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token })),
      );
      for (const p of page.UserPools ?? []) if (p.Id) pools.push(p.Id);
      token = page.NextToken;
    } while (token);
    const perPool = await mapWithConcurrency(pools, CONCURRENCY, async (poolId) => {
      const arn = `arn:${context.partition}:cognito-idp:${context.region}:${context.account}:userpool/${poolId}`;
      const saml: string[] = [];
      let next: string | undefined;
      do {
        const page = await context.call('Cognito ListIdentityProviders', () =>
          cognito.send(new ListIdentityProvidersCommand({ UserPoolId: poolId, MaxResults: 60, NextToken: next })),
        );
        for (const p of page.Providers ?? [])
          if (p.ProviderType === 'SAML' && p.ProviderName) saml.push(p.ProviderName);
        next = page.NextToken;
      } while (next);
      // A pool without SAML federation uses no signing certificate anyone holds: nothing to watch.
      if (saml.length === 0) return [];
      const found: Omit<DiscoveredResource, 'tags'>[] = [
        { target: `cognito:${arn}`, service: 'cognito', resource: arn },
      ];
      for (const provider of saml) {
        const described = await context.call('Cognito DescribeIdentityProvider', () =>
          cognito.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: provider })),
        );
        const url = described.IdentityProvider?.ProviderDetails?.MetadataURL;
        const resource = `${arn}#${provider}`;
        found.push({ target: url ? `saml:${url}` : `cognito:${resource}`, service: 'cognito', resource });
      }
      const tags = found.some((f) => context.isNew(f.target))
        ? tagRecord(
            (
              await context.call('Cognito ListTagsForResource', () =>
                cognito.send(new ListTagsForResourceCommand({ ResourceArn: arn })),
              )
            ).Tags,
          )
        : {};
      return found.map((f) => ({ ...f, tags }));
    });
    return perPool.flat();
  },
};
