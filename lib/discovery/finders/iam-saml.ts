// IAM SAML identity providers (global): each becomes `iam-saml:ARN`, read with GetSAMLProvider.
import { IAMClient, ListSAMLProvidersCommand, ListSAMLProviderTagsCommand } from '@aws-sdk/client-iam';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { tagRecord, withTags } from './tags.ts';

export const iamSamlFinder: Finder = {
  service: 'iam-saml',
  global: true,
  async find(context) {
    const iam = context.client(IAMClient);
    // ListSAMLProviders answers every provider at once (IAM allows at most 100 per account).
    const listed = await context.call('IAM ListSAMLProviders', () => iam.send(new ListSAMLProvidersCommand({})));
    const arns = (listed.SAMLProviderList ?? []).map((p) => p.Arn).filter((a): a is string => typeof a === 'string');
    const tagged = await withTags(arns, async (arn) =>
      !context.isNew(`iam-saml:${arn}`)
        ? {}
        : tagRecord(
            (
              await context.call('IAM ListSAMLProviderTags', () =>
                iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arn })),
              )
            ).Tags,
          ),
    );
    return tagged.map(
      ({ item, tags }): DiscoveredResource => ({
        target: `iam-saml:${item}`,
        service: 'iam-saml',
        resource: item,
        tags,
      }),
    );
  },
};
