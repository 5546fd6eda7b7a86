// AppSync custom domain names, on 443.
import { AppSyncClient, ListDomainNamesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-appsync';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { httpsTarget } from './endpoint-name.ts';
import { tagRecord, withTags } from './tags.ts';

export const appsyncFinder: Finder = {
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
