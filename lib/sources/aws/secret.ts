// `secret:ARN[#jsonKey]`: certificates kept as PEM in Secrets Manager (read in stored-pem.ts, beside
// `ssm`, which shares the decoding).
//
// Discovery: Secrets Manager: only secrets carrying the certvigil tag. Its value names the JSON field that
// holds the PEM (`certvigil=certificate` -> `secret:ARN#certificate`); empty or `true`: the whole
// string. Secret values are never read here.
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { DECRYPT_THROUGH_STORES } from './stored-pem.ts';
import { tagRecord } from './tags.ts';

/** Tag values that mean "the whole secret is the PEM". */
const WHOLE = new Set(['', 'true', 'yes', '1']);

export { readSecret as read } from './stored-pem.ts';

export const finder: Finder = {
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

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadTaggedSecrets',
    actions: ['secretsmanager:GetSecretValue'],
    resources: ['arn:{partition}:secretsmanager:*:{account}:secret:*'],
    conditions: { Null: { 'aws:ResourceTag/{sourceTag}': 'false' } },
    why: 'Only secrets carrying the certvigil tag (condition); read-only.',
  },
  DECRYPT_THROUGH_STORES,
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['secretsmanager:ListSecrets'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
];
