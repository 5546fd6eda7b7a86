// The configuration of issue 31's parts (signed action links, owners' own channels): read by
// lib/config.ts for the functions that take them. No environment is read here but what it is given.
import type { Env, Reader } from './config-reader.ts';
import * as NAMES from './env-names.ts';
import { ACTION_LINK_DAYS } from './notify/action-token.ts';
import { CHANNEL_NAMES, type ChannelName } from './notify/channels/channel.ts';

export interface ActionLinksConfig {
  /** The action function's URL. */
  url: string;
  /** The Secrets Manager secret holding the signing key. */
  keySecret: string;
  /** How long a link works. */
  days: number;
}

/** The links' settings: the URL and the key's secret, both or neither. */
export function actionLinksConfig(r: Reader): ActionLinksConfig | undefined {
  const url = r.optionalText(NAMES.ACTION_LINKS_URL);
  const keySecret = r.optionalText(NAMES.ACTION_KEY_SECRET);
  const days = r.number(NAMES.ACTION_LINK_DAYS, ACTION_LINK_DAYS.default, {
    min: 1,
    max: ACTION_LINK_DAYS.max,
    integer: true,
  });
  if (!url && !keySecret) return undefined;
  if (!url) r.text(NAMES.ACTION_LINKS_URL); // reported as missing
  if (!keySecret) r.text(NAMES.ACTION_KEY_SECRET);
  return url && keySecret ? { url, keySecret, days } : undefined;
}

export interface ActionsConfig {
  targetsTable: string;
  historyTable: string;
  historyTtlDays: number;
  /** The ledger (used tokens, the rate limit). */
  directoryTable: string;
  /** The signing key's secret. */
  keySecret: string;
  /** Runbooks: acknowledgements also go to this bus; absent: none. */
  eventBus: string | undefined;
}

export function ownerChannelsConfig(env: Env): { prefix: string; enabled: ChannelName[] } | undefined {
  const prefix = env[NAMES.OWNER_CHANNEL_PREFIX]?.trim();
  if (!prefix) return undefined;
  const enabled = (env[NAMES.OWNER_CHANNELS] ?? '').split(',').map((c) => c.trim());
  return { prefix, enabled: CHANNEL_NAMES.filter((c) => enabled.includes(c)) };
}
