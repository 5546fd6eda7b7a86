import { appendFile } from 'node:fs/promises';
import type { ActionLinks } from '../notify/action-links.ts';
import { CHANNEL_NAMES, deliver } from '../notify/channels/channel.ts';
import type { ConfiguredChannel } from '../notify/channels/index.ts';
import { CHANNELS } from '../notify/channels/index.ts';
import type { EventPublisher } from '../notify/event-publisher.ts';
import type { OwnerChannelValues } from '../notify/owner-channels.ts';
import { type Notification, renderNotification } from '../notify/render-message.ts';
import type { MonitorEvent } from '../policy/events.ts';

/**
 * Local mode's stand-in for SNS and the channel functions: prints each notification readably,
 * appends it as one JSON object per line to the outbox file (the fields of an SNS message's
 * attributes plus subject and text), and delivers it to every configured channel.
 */
export class OutboxPublisher implements EventPublisher {
  private readonly outboxPath: string;
  private readonly print: (text: string) => void;
  private readonly channels: ConfiguredChannel[];
  private links: ActionLinks | undefined;
  private readonly ownerChannels: Pick<OwnerChannelValues, 'get'> | undefined;

  constructor(options: {
    outboxPath: string;
    print: (text: string) => void;
    channels?: ConfiguredChannel[];
    /** Owners' own channels (the directory's): a notification also goes to its owner's. */
    ownerChannels?: Pick<OwnerChannelValues, 'get'> | undefined;
  }) {
    this.outboxPath = options.outboxPath;
    this.print = options.print;
    this.channels = options.channels ?? [];
    this.ownerChannels = options.ownerChannels;
  }

  /** The owner's own channels, read at each notification (local mode: a change holds at once). */
  private async ownerRoutes(owner: string | null): Promise<ConfiguredChannel[]> {
    if (!owner || !this.ownerChannels) return [];
    const routes: ConfiguredChannel[] = [];
    for (const name of CHANNEL_NAMES) {
      const settings = CHANNELS[name].fromSecret(await this.ownerChannels.get(owner, name));
      if (settings) routes.push({ channel: CHANNELS[name], settings });
    }
    return routes;
  }

  /** Signed acknowledge and snooze links in messages about open events (local mode's own route). */
  useLinks(links: ActionLinks): void {
    this.links = links;
  }

  async publish(event: MonitorEvent): Promise<void> {
    await this.publishNotification(renderNotification(event));
  }

  /**
   * Recorded first (the outbox is local mode's topic: once written, the event is published),
   * then each channel on its own, with its retries: a channel that still fails is reported
   * here and never makes another channel receive the notification twice (as with one function
   * per channel in AWS, where the failure queue keeps what a channel could not take).
   */
  async publishNotification(rendered: Notification): Promise<void> {
    const notification = this.links ? await this.links.attach(rendered) : rendered;
    await appendFile(this.outboxPath, `${JSON.stringify(notification)}\n`);
    const rule = '-'.repeat(72);
    this.print(`${rule}\n${notification.subject}\n\n${notification.text}\n${rule}\n`);
    const message = { kind: 'notification' as const, notification };
    const routes = [...this.channels, ...(await this.ownerRoutes(notification.owner))];
    await Promise.all(
      routes.map(async ({ channel, settings }) => {
        const requests = channel.render(message, settings, new Date());
        if (requests.length === 0) return;
        try {
          await deliver(channel, settings, requests, { deadline: Date.now() + 60_000 });
        } catch (error) {
          this.print(`${channel.title} did not take notification ${notification.id}: ${(error as Error).message}\n`);
        }
      }),
    );
  }
}
