// Secrets Manager: only secrets carrying the certvigil tag. Its value names the JSON field that
// holds the PEM (`certvigil=certificate` -> `secret:ARN#certificate`); empty or `true`: the whole
// string. Secret values are never read here.
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { tagRecord } from './tags.ts';

/** Tag values that mean "the whole secret is the PEM". */
const WHOLE = new Set(['', 'true', 'yes', '1']);

export const secretsFinder: Finder = {
  service: 'secretsmanager',
  async find(context) {
    const secrets = context.client(SecretsManagerClient);
    const found: DiscoveredResource[] = [];
    let token: string | undefined;
    do {
      const page = await context.call('Secrets Manager ListSecrets', () =>
        secrets.send(
          new ListSecretsCommand({
            Filters: [{ Key: 'tag-key', Values: [context.sourceTag] }],
            MaxResults: 100,
            NextToken: token,
          }),
        ),
      );
      for (const secret of page.SecretList ?? []) {
        if (!secret.ARN) continue;
        const tags = tagRecord(secret.Tags);
        // The filter matches keys by prefix; only the exact key opts a secret in.
        if (!(context.sourceTag in tags)) continue;
        const field = (tags[context.sourceTag] ?? '').trim();
        if (!WHOLE.has(field.toLowerCase()) && !/^[^#]{1,256}$/.test(field)) {
          context.skip('secret tag value is not a JSON field name');
          continue;
        }
        const target = WHOLE.has(field.toLowerCase()) ? `secret:${secret.ARN}` : `secret:${secret.ARN}#${field}`;
        found.push({ target, service: 'secretsmanager', resource: secret.ARN, tags });
      }
      token = page.NextToken;
    } while (token);
    return found;
  },
};
