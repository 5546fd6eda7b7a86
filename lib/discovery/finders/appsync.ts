// AppSync custom domain names, on 443.
import { AppSyncClient, ListDomainNamesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-appsync';
import type { DiscoveredResource, Finder, Grant } from '../../sources/aws/kind-module.ts';
import { tagRecord, withTags } from '../../sources/aws/tags.ts';
import { httpsTarget } from './endpoint-name.ts';

export const finder: Finder = {
  service: 'appsync',
  async find(context) {
    const appsync = context.client(AppSyncClient);
    const domains: { name: string; arn: string | undefined }[] = [];
    let token: string | undefined;
    do {
      const page = await context.call('AppSync ListDomainNames', () =>
        appsync.send(new ListDomainNamesCommand({ nextToken: token, maxResults: 25 })),
      );
      for (const d of page.domainNameConfigs ?? [])
        if (d.domainName) domains.push({ name: d.domainName, arn: d.domainNameArn });
      token = page.nextToken;
    } while (token);
    const tagged = await withTags(domains, async ({ name, arn }) =>
      arn && context.isNew(httpsTarget(name) ?? name)
        ? tagRecord(
            (
              await context.call('AppSync ListTagsForResource', () =>
                appsync.send(new ListTagsForResourceCommand({ resourceArn: arn })),
              )
            ).tags,
          )
        : {},
    );
    const found: DiscoveredResource[] = [];
    for (const { item, tags } of tagged) {
      const target = httpsTarget(item.name);
      if (!target) {
        context.skip('wildcard or invalid custom domain name');
        continue;
      }
      const resource =
        item.arn ?? `arn:${context.partition}:appsync:${context.region}:${context.account}:domainnames/${item.name}`;
      found.push({ target, service: 'appsync', resource, tags });
    }
    return found;
  },
};

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['appsync:ListDomainNames'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadAppSyncDomainTags',
    actions: ['appsync:ListTagsForResource'],
    resources: ['arn:{partition}:appsync:*:{account}:domainnames/*'],
    why: 'Tags of any AppSync custom domain of this account; read-only.',
  },
];
