// The action links' signing key, kept in Secrets Manager (the stack generates it; putting a new
// value rotates it and voids every link made before). Read at most once per KEY_CACHE_MS per
// process; a failed read is not kept. The value is never logged.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ActionKeyError, MIN_KEY_BYTES } from './action-token.ts';

/** How long a process trusts the key it read (a rotation takes effect within this). */
export const KEY_CACHE_MS = 5 * 60_000;

/** A key source over one secret: its SecretString's bytes, at least MIN_KEY_BYTES of them. */
export function secretKey(client: SecretsManagerClient, secretId: string): () => Promise<Uint8Array> {
  let cached: { at: number; key: Promise<Uint8Array> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at >= KEY_CACHE_MS) {
      const key = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((answer) => {
        const bytes = Buffer.from(answer.SecretString ?? '', 'utf8');
        if (bytes.byteLength < MIN_KEY_BYTES) {
          throw new ActionKeyError(
            `the action-link key in ${secretId.slice(0, 200)} is shorter than ${MIN_KEY_BYTES} bytes; put a longer random value`,
          );
        }
        return new Uint8Array(bytes);
      });
      const entry = { at: now, key };
      cached = entry;
      key.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.key;
  };
}
