// The channel registry: adding a channel is a file in this folder (its rendering, settings,
// environment variables and deployment), its name in CHANNEL_NAMES and a line here.
import { type Channel, ChannelConfigError, type ChannelName, type ChannelSettings } from './channel.ts';
import { pagerduty } from './pagerduty.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { webhook } from './webhook.ts';

export const CHANNELS = { slack, teams, pagerduty, webhook } satisfies Record<ChannelName, Channel>;

export interface ConfiguredChannel {
  channel: Channel;
  settings: ChannelSettings;
}

/** Every channel its environment variables configure (local mode); throws naming a bad variable. */
export function channelsFromEnv(env: Record<string, string | undefined>): ConfiguredChannel[] {
  const configured: ConfiguredChannel[] = [];
  for (const channel of Object.values(CHANNELS)) {
    try {
      const settings = channel.fromEnv(env);
      if (settings) configured.push({ channel, settings });
    } catch (error) {
      if (error instanceof ChannelConfigError) {
        throw new ChannelConfigError(`${channel.env.join('/')}: ${error.message}`);
      }
      throw error;
    }
  }
  return configured;
}
