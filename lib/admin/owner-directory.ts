// The owner directory (issue 31): each owner's routes (email addresses for every message about its
// targets, and an escalation route), kept in the directory table and, when deployed, made real as
// email subscriptions to the alert topic filtered on the `owner` attribute (notify/owner-routes.ts).
//
// A change is written first (with the addresses it touches marked pending), then each touched
// address is brought in line with SNS, then the mark is cleared: an SNS failure half way leaves the
// entry saved and says so, and the same request again finishes it.
import * as z from 'zod/mini';
import { CHANNEL_NAMES, ChannelConfigError, type ChannelName } from '../notify/channels/channel.ts';
import { CHANNELS } from '../notify/channels/index.ts';
import type { OwnerChannelValues } from '../notify/owner-channels.ts';
import { MAX_ROUTES_PER_ADDRESS, routeFilterPolicy } from '../notify/owner-routes.ts';
import { AddressTaken, type EmailSubscriptions } from '../notify/sns-subscriptions.ts';
import { ACK_BY_MAX } from '../policy/acknowledgements.ts';
import { type AddressEntry, type DirectoryStore, type OwnerEntry, VersionConflict } from '../store/directory-store.ts';
import { boundText } from '../text-bounds.ts';
import { ProblemError } from './problem.ts';

/** Addresses per route of one owner. */
export const MAX_ADDRESSES = 20;
/** Longest owner name (as a target's `owner`). */
export const MAX_OWNER_NAME = 200;

const email = z.email('must be an email address').check(z.maxLength(254, 'is too long'));
const routesSchema = z.object({
  emails: z._default(z.array(email).check(z.maxLength(MAX_ADDRESSES, `at most ${MAX_ADDRESSES} addresses`)), []),
  escalationEmails: z._default(
    z.array(email).check(z.maxLength(MAX_ADDRESSES, `at most ${MAX_ADDRESSES} addresses`)),
    [],
  ),
  /**
   * The owner's own channels: per channel its value (a webhook URL, or the JSON its deployment
   * secret takes) to set it, null to take it off; a channel not named is kept as it is.
   */
  channels: z._default(z.partialRecord(z.enum(CHANNEL_NAMES), z.nullable(z.string().check(z.maxLength(4096)))), {}),
  /** The version read before the change: refused if another change came first. */
  version: z.optional(z.number().check(z.int(), z.minimum(0))),
});

export interface OwnerRoutes {
  emails: string[];
  escalationEmails: string[];
  /** Channels to set (their values) or take off (null); absent ones are kept. */
  channels?: Partial<Record<ChannelName, string | null>> | undefined;
  version?: number | undefined;
}

/** A request body as routes: lower-case addresses, each once, validated with a message per field. */
export function parseOwnerRoutes(body: unknown): OwnerRoutes {
  const parsed = routesSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || 'body',
      message: issue.message,
    }));
    throw new ProblemError(400, problems.map((p) => `${p.field} ${p.message}`).join('; '), problems);
  }
  const emails = unique(parsed.data.emails);
  const escalationEmails = unique(parsed.data.escalationEmails).filter((e) => !emails.includes(e));
  const channels = parsed.data.channels as Partial<Record<ChannelName, string | null>>;
  for (const [name, value] of Object.entries(channels)) {
    if (value === null) continue;
    try {
      if (!CHANNELS[name as ChannelName].fromSecret(value)) throw new ChannelConfigError('is empty');
    } catch (error) {
      if (!(error instanceof ChannelConfigError)) throw error;
      const problem = { field: `channels.${name}`, message: error.message.slice(0, 300) };
      throw new ProblemError(400, `${problem.field}: ${problem.message}`, [problem]);
    }
  }
  return { emails, escalationEmails, channels, version: parsed.data.version };
}

/** An owner's name from the path: the `owner` of its targets, exactly (trimmed). */
export function ownerName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw).trim();
  } catch {
    name = '';
  }
  if (!name || name.length > MAX_OWNER_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new ProblemError(400, `an owner's name is 1 to ${MAX_OWNER_NAME} characters of text (a target's owner)`, [
      { field: 'name', message: 'is not a valid owner name' },
    ]);
  }
  return name;
}

function unique(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((a) => a.trim().toLowerCase()))];
}

/** What became of an owner's addresses: subscribed (awaiting confirmation), kept, or not delivered. */
export interface DirectoryAnswer {
  owner: OwnerEntry | null;
  /** Deployed: email subscriptions; local mode: none (it sends no email). */
  delivery: 'sns' | 'none';
  /** Addresses newly subscribed: SNS has sent each a confirmation email. */
  subscribed: string[];
  unsubscribed: string[];
}

/** Owners' own channels: where their values are kept, and which channels the deployment delivers. */
export interface OwnerChannelRoutes {
  values: OwnerChannelValues;
  /** Channels with a notifier (deployed: the stack's `channels`); others are refused. */
  enabled: readonly ChannelName[];
}

export class OwnerDirectory {
  private readonly store: DirectoryStore;
  private readonly subscriptions: EmailSubscriptions | undefined;
  private readonly channels: OwnerChannelRoutes | undefined;

  constructor(store: DirectoryStore, subscriptions: EmailSubscriptions | undefined, channels?: OwnerChannelRoutes) {
    this.store = store;
    this.subscriptions = subscriptions;
    this.channels = channels;
  }

  get(name: string): Promise<OwnerEntry | undefined> {
    return this.store.getOwner(name);
  }

  list(limit: number, after?: string) {
    return this.store.listOwners(limit, after);
  }

  /** Creates or replaces an owner's routes. */
  async put(name: string, routes: OwnerRoutes, by: string, at: Date): Promise<DirectoryAnswer> {
    const old = await this.store.getOwner(name);
    if (routes.version !== undefined && routes.version !== (old?.version ?? 0)) throw conflict(name);
    const channels = await this.applyChannels(name, routes.channels ?? {}, old?.channels ?? []);
    if (!routes.emails.length && !routes.escalationEmails.length && !channels.length) {
      throw new ProblemError(400, 'give at least one address in emails or escalationEmails, or a channel', [
        { field: 'emails', message: 'is empty' },
      ]);
    }
    const wanted = new Set([...routes.emails, ...routes.escalationEmails]);
    const before = new Set([...(old?.emails ?? []), ...(old?.escalationEmails ?? [])]);
    await this.refuseTaken(
      [...wanted].filter((e) => !before.has(e)),
      name,
    );
    const entry: OwnerEntry = {
      name,
      emails: routes.emails,
      escalationEmails: routes.escalationEmails,
      updatedAt: at.toISOString(),
      updatedBy: boundText(by, ACK_BY_MAX),
      version: (old?.version ?? 0) + 1,
      pending: [...new Set([...(old?.pending ?? []), ...before, ...wanted])].sort(),
      ...(channels.length ? { channels } : {}),
    };
    try {
      await this.store.putOwner(entry, old?.version);
    } catch (error) {
      if (error instanceof VersionConflict) throw conflict(name);
      throw error;
    }
    const answer = await this.apply(entry);
    await this.store.clearPending(name, entry.version);
    const { pending: _, ...saved } = entry;
    return { ...answer, owner: saved };
  }

  /** Removes an owner and its routes; undefined when there is none. */
  async remove(name: string): Promise<DirectoryAnswer | undefined> {
    const old = await this.store.getOwner(name);
    if (!old) return undefined;
    const answer = await this.apply({ ...old, emails: [], escalationEmails: [], pending: undefined }, old);
    for (const channel of old.channels ?? []) await this.channels?.values.remove(name, channel as ChannelName);
    try {
      await this.store.deleteOwner(name, old.version);
    } catch (error) {
      if (error instanceof VersionConflict) throw conflict(name);
      throw error;
    }
    return { ...answer, owner: null };
  }

  /**
   * Sets and takes off the owner's own channels (their values go to the channel store, never into
   * the entry), and answers which the owner has after the change. Refused (409) for a channel the
   * deployment does not deliver.
   */
  private async applyChannels(
    name: string,
    changes: Partial<Record<ChannelName, string | null>>,
    had: readonly string[],
  ): Promise<ChannelName[]> {
    const kept = new Set(had as ChannelName[]);
    const named = Object.keys(changes) as ChannelName[];
    if (!named.length) return [...kept].sort();
    const routes = this.channels;
    if (!routes) throw new ProblemError(501, 'this admin API keeps no owner channels');
    const off = named.filter((c) => changes[c] !== null && !routes.enabled.includes(c));
    if (off.length) {
      throw new ProblemError(
        409,
        `${off.join(', ')} ${off.length > 1 ? 'are' : 'is'} not a channel of this deployment: add ${off.length > 1 ? 'them' : 'it'} to the stack's channels setting first (its notifier delivers owners' routes too)`,
        off.map((c) => ({ field: `channels.${c}`, message: 'is not deployed' })),
      );
    }
    for (const channel of named) {
      const value = changes[channel];
      try {
        if (value === null || value === undefined) {
          await routes.values.remove(name, channel);
          kept.delete(channel);
        } else {
          await routes.values.put(name, channel, value);
          kept.add(channel);
        }
      } catch (error) {
        throw new ProblemError(
          502,
          `the ${CHANNELS[channel].title} route of ${name} could not be kept (${String((error as Error).name ?? 'error').slice(0, 80)}); send the same request again to finish`,
        );
      }
    }
    return [...kept].sort();
  }

  /** Brings every address the entry touches (its pending, or `old`'s) in line with the routes. */
  private async apply(entry: OwnerEntry, old?: OwnerEntry): Promise<DirectoryAnswer> {
    const touched = new Set([...(entry.pending ?? []), ...(old?.emails ?? []), ...(old?.escalationEmails ?? [])]);
    const answer: DirectoryAnswer = {
      owner: entry,
      delivery: this.subscriptions ? 'sns' : 'none',
      subscribed: [],
      unsubscribed: [],
    };
    for (const address of [...touched].sort()) {
      const route = entry.emails.includes(address)
        ? 'all'
        : entry.escalationEmails.includes(address)
          ? 'escalation'
          : null;
      const routed = await this.store.routeAddress(address, entry.name, route);
      try {
        await this.subscribe(routed, answer);
      } catch (error) {
        if (error instanceof AddressTaken) {
          throw new ProblemError(
            409,
            `${address} already has a subscription to the alert topic that the directory did not make (a stack setting: alertEmails, ownerEmails, unownedEmails or escalationEmails); route it there, or take it out of the stack settings first`,
          );
        }
        throw new ProblemError(
          502,
          `the routes of ${entry.name} are saved, but SNS refused a change for ${address} (${String((error as Error).name ?? 'error').slice(0, 80)}); send the same request again to finish`,
        );
      }
    }
    return answer;
  }

  /** The subscription of one address, as its routes want it. */
  private async subscribe(address: AddressEntry, answer: DirectoryAnswer): Promise<void> {
    const routes = [
      ...address.all.map((owner) => ({ owner, only: 'all' as const })),
      ...address.escalation.map((owner) => ({ owner, only: 'escalation' as const })),
    ];
    const policy = routeFilterPolicy(routes);
    const sns = this.subscriptions;
    if (!policy) {
      if (sns && address.subscriptionArn) {
        await sns.unsubscribe(address.subscriptionArn);
        answer.unsubscribed.push(address.email);
      }
      await this.store.dropUnrouted(address.email);
      return;
    }
    if (!sns) return;
    const text = JSON.stringify(policy);
    if (address.subscriptionArn && address.appliedPolicy === text) return;
    if (address.subscriptionArn && (await sns.setPolicy(address.subscriptionArn, text)) === 'set') {
      await this.store.recordSubscription(address.email, address.subscriptionArn, text);
      return;
    }
    const arn = await sns.subscribe(address.email, text);
    await this.store.recordSubscription(address.email, arn, text);
    answer.subscribed.push(address.email);
  }

  /** Refuses addresses already subscribed outside the directory, or on too many routes. */
  private async refuseTaken(added: string[], owner: string): Promise<void> {
    if (!added.length) return;
    const known = new Map<string, AddressEntry | undefined>();
    for (const address of added) known.set(address, await this.store.getAddress(address));
    const crowded = added.filter((a) => {
      const entry = known.get(a);
      return entry && entry.all.length + entry.escalation.length >= MAX_ROUTES_PER_ADDRESS;
    });
    if (crowded.length) {
      throw new ProblemError(
        422,
        `${crowded[0]} is already on ${MAX_ROUTES_PER_ADDRESS} owners' routes (SNS allows one filter policy per address); use a list address for ${owner}`,
        crowded.map(() => ({ field: 'emails', message: 'is on too many routes' })),
      );
    }
    if (!this.subscriptions) return;
    const fresh = added.filter((a) => !known.get(a)?.subscriptionArn);
    if (!fresh.length) return;
    const subscribed = await this.subscriptions.subscribedAddresses();
    const taken = fresh.filter((a) => subscribed.has(a));
    if (taken.length) {
      throw new ProblemError(
        409,
        `${taken.join(', ')} already ${taken.length > 1 ? 'have subscriptions' : 'has a subscription'} to the alert topic that the directory did not make (a stack setting: alertEmails, ownerEmails, unownedEmails or escalationEmails); route ${taken.length > 1 ? 'them' : 'it'} there, or take ${taken.length > 1 ? 'them' : 'it'} out of the stack settings first`,
        taken.map(() => ({ field: 'emails', message: 'is subscribed outside the directory' })),
      );
    }
  }
}

function conflict(name: string): ProblemError {
  return new ProblemError(409, `the routes of ${name} changed meanwhile; read them again and retry`);
}
