// An owner's own channels (issue 31): a Slack or Teams webhook, a PagerDuty routing key or a webhook
// that receives that owner's notifications besides (or instead of) the deployment's. The value is a
// credential: deployed, each is a secret in Secrets Manager under a name made from the owner (so the
// channel's notifier finds it without reading the directory); the directory keeps only which
// channels an owner has. Values are never logged, stored in DynamoDB when deployed, or shown.
import { createHash } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ChannelName, ChannelSettings } from './channels/channel.ts';
import { CHANNELS } from './channels/index.ts';

/** Where an owner's channel values are kept, by owner and channel. */
export interface OwnerChannelValues {
  put(owner: string, channel: ChannelName, value: string): Promise<void>;
  remove(owner: string, channel: ChannelName): Promise<void>;
  get(owner: string, channel: ChannelName): Promise<string | undefined>;
}

/** The secret's name of an owner's channel: the prefix (per stack), a digest of the owner, the channel. */
export function ownerChannelSecretName(prefix: string, owner: string, channel: ChannelName): string {
  return `${prefix}${createHash('sha256').update(owner).digest('base64url').slice(0, 32)}/${channel}`;
}

function notFound(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ResourceNotFoundException';
}

/** Deployed: one secret per owner and channel, under the stack's prefix (OWNER_CHANNEL_PREFIX). */
export class SecretsManagerOwnerChannels implements OwnerChannelValues {
  private readonly client: SecretsManagerClient;
  private readonly prefix: string;

  constructor(client: SecretsManagerClient, prefix: string) {
    this.client = client;
    this.prefix = prefix;
  }

  async put(owner: string, channel: ChannelName, value: string): Promise<void> {
    const name = ownerChannelSecretName(this.prefix, owner, channel);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    } catch (error) {
      if (!notFound(error)) throw error;
      await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: `certvigil: the ${CHANNELS[channel].title} route of one owner (certvigil owners)`,
        }),
      );
    }
  }

  async remove(owner: string, channel: ChannelName): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({
          SecretId: ownerChannelSecretName(this.prefix, owner, channel),
          // Gone at once, so that the same route can be added again straight away.
          ForceDeleteWithoutRecovery: true,
        }),
      );
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  }

  async get(owner: string, channel: ChannelName): Promise<string | undefined> {
    try {
      const answer = await this.client.send(
        new GetSecretValueCommand({ SecretId: ownerChannelSecretName(this.prefix, owner, channel) }),
      );
      return answer.SecretString;
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }
}

/** How long a notifier trusts what it read of an owner's route (a change takes effect within this). */
export const OWNER_ROUTE_CACHE_MS = 5 * 60_000;

/**
 * An owner's settings for one channel, as a notifier delivers to them: read at most once per
 * OWNER_ROUTE_CACHE_MS per owner (an owner without a route included); a failed read is not kept.
 */
export function ownerRouteSettings(
  values: Pick<OwnerChannelValues, 'get'>,
  channel: ChannelName,
  cacheMs = OWNER_ROUTE_CACHE_MS,
): (owner: string) => Promise<ChannelSettings | undefined> {
  const cache = new Map<string, { at: number; settings: Promise<ChannelSettings | undefined> }>();
  return (owner) => {
    const now = Date.now();
    const held = cache.get(owner);
    if (held && now - held.at < cacheMs) return held.settings;
    if (cache.size >= 1_000) cache.clear();
    const settings = values.get(owner, channel).then((value) => CHANNELS[channel].fromSecret(value));
    const entry = { at: now, settings };
    cache.set(owner, entry);
    settings.catch(() => {
      if (cache.get(owner) === entry) cache.delete(owner);
    });
    return settings;
  };
}
