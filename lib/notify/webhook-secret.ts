import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Where the Slack webhook URL lives; undefined until a secret is read. */
const cache = new Map<string, Promise<string | undefined>>();

/**
 * The Slack webhook URL from Secrets Manager, read once per container. The secret holds the URL
 * itself, or JSON with a `webhookUrl` field. An empty secret (the stack creates one until you set
 * it) yields undefined. A failed read is not cached.
 */
export function webhookUrlFromSecret(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  let pending = cache.get(secretId);
  if (!pending) {
    pending = read(client, secretId);
    cache.set(secretId, pending);
    pending.catch(() => cache.delete(secretId));
  }
  return pending;
}

async function read(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return webhookUrlFromSecretValue(result.SecretString, secretId);
}

/**
 * The webhook URL a secret's value holds: the URL itself, or JSON with a `webhookUrl` field;
 * undefined when empty. Throws (without the value) when it is JSON that cannot be read.
 */
export function webhookUrlFromSecretValue(value: string | undefined, secretId: string): string | undefined {
  const text = value?.trim() ?? '';
  if (text === '' || text === '{}') return undefined;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { webhookUrl?: unknown };
      return typeof parsed.webhookUrl === 'string' && parsed.webhookUrl.trim() !== ''
        ? parsed.webhookUrl.trim()
        : undefined;
    } catch {
      throw new Error(
        `secret ${secretId} looks like JSON but cannot be parsed; store the webhook URL or {"webhookUrl": "..."}`,
      );
    }
  }
  return text;
}

/** Forgets cached secrets (tests). */
export function clearWebhookCache(): void {
  cache.clear();
}
