// The channel registry: adding a channel is a file in this folder and a line here.
import { type Channel, ChannelConfigError, type ChannelName, type ChannelSettings } from './channel.ts';
import { pagerduty } from './pagerduty.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { webhook } from './webhook.ts';

export const CHANNELS: Record<ChannelName, Channel> = { slack, teams, pagerduty, webhook };

export interface ConfiguredChannel {
  channel: Channel;
  settings: ChannelSettings;
}

/** The environment variables that configure each channel in local mode. */
export const CHANNEL_ENV: Record<ChannelName, string[]> = {
  slack: ['SLACK_WEBHOOK_URL'],
  teams: ['TEAMS_WEBHOOK_URL'],
  pagerduty: ['PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL'],
  webhook: ['WEBHOOK_URL', 'WEBHOOK_SECRET'],
};

/** Every channel its environment variables configure (local mode); throws naming a bad variable. */
export function channelsFromEnv(env: Record<string, string | undefined>): ConfiguredChannel[] {
  const configured: ConfiguredChannel[] = [];
  for (const channel of Object.values(CHANNELS)) {
    try {
      const settings = channel.fromEnv(env);
      if (settings) configured.push({ channel, settings });
    } catch (error) {
      if (error instanceof ChannelConfigError) {
        throw new ChannelConfigError(`${CHANNEL_ENV[channel.name].join('/')}: ${error.message}`);
      }
      throw error;
    }
  }
  return configured;
}
