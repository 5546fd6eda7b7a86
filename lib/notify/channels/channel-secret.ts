import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Channel, ChannelSettings } from './channel.ts';

/** A channel's settings per secret, read once per container (a failed read is not kept). */
const cache = new Map<string, Promise<ChannelSettings | undefined>>();

/**
 * A channel's settings from its secret in Secrets Manager: undefined while the secret is empty
 * (the stack creates it so), a ChannelConfigError (without the value) when it cannot be used.
 */
export function channelSettingsFromSecret(
  client: SecretsManagerClient,
  channel: Channel,
  secretId: string,
): Promise<ChannelSettings | undefined> {
  const key = `${channel.name}\n${secretId}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = client
      .send(new GetSecretValueCommand({ SecretId: secretId }))
      .then((result) => channel.fromSecret(result.SecretString));
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** Forgets cached secrets (tests). */
export function clearChannelSecrets(): void {
  cache.clear();
}
