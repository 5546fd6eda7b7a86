// AWS clients for the account sources and discovery: one per service, region and account, made
// on first use. They use the standard credential chain (or, for another account, a role assumed
// from it) and the SDK's endpoint variables (AWS_ENDPOINT_URL_ACM, …), so a local stand-in can be
// pointed at.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ProbeError } from '../../net/probe-error.ts';
import { boundText } from '../../text-bounds.ts';
import type { AccountRoles } from './account-roles.ts';

/** Clients by constructor (names do not survive minifying), then region and role. */
const cache = new Map<unknown, Map<string, unknown>>();
const credentials = new Map<string, AwsCredentialIdentityProvider>();

/** Sessions are renewed this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Credentials of a role assumed with this process's own, renewed before they expire. STS through
 * its own client (bundled) rather than the SDK's credential-providers package, whose nested STS
 * client the Lambda bundles leave out.
 */
export function roleCredentials(roleArn: string): AwsCredentialIdentityProvider {
  let provider = credentials.get(roleArn);
  if (!provider) {
    let session: Promise<Awaited<ReturnType<AwsCredentialIdentityProvider>>> | undefined;
    provider = async () => {
      const current = session ? await session.catch(() => undefined) : undefined;
      if (current?.expiration && current.expiration.getTime() - Date.now() > RENEW_BEFORE_MS) return current;
      session = clientFor(STSClient, undefined)
        .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'certvigil', DurationSeconds: 900 }))
        .then((answer) => {
          const c = answer.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS gave no credentials for ${roleArn}`);
          return {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            sessionToken: c.SessionToken,
            expiration: c.Expiration,
          };
        });
      return session;
    };
    credentials.set(roleArn, provider);
  }
  return provider;
}

export type ClientConfig = {
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
  maxAttempts?: number;
  followRegionRedirects?: boolean;
};

/**
 * The client of one service for one region and account: the account's role when `roleArn` is
 * given, this process's credentials otherwise. `region` undefined: the SDK's default region.
 */
export function clientFor<T>(
  Client: new (config: ClientConfig) => T,
  region: string | undefined,
  roleArn?: string | undefined,
  extra: Pick<ClientConfig, 'followRegionRedirects'> = {},
): T {
  let clients = cache.get(Client);
  if (!clients) {
    clients = new Map();
    cache.set(Client, clients);
  }
  const key = `${region ?? ''} ${roleArn ?? ''}`;
  let existing = clients.get(key) as T | undefined;
  if (!existing) {
    existing = new Client({
      ...(region ? { region } : {}),
      ...(roleArn ? { credentials: roleCredentials(roleArn) } : {}),
      // Discovery lists whole accounts: ride out throttling rather than give up after three tries.
      maxAttempts: 6,
      ...extra,
    });
    clients.set(key, existing);
  }
  return existing;
}

/**
 * The client of one service for the account an ARN names (through its role, when one is
 * configured) and a region: each kind's module names its own SDK client, so no list of services
 * sits here.
 */
export function accountClient<T>(
  Client: new (config: ClientConfig) => T,
  roles: AccountRoles | undefined,
  account: string | undefined,
  region: string | undefined,
  extra: Pick<ClientConfig, 'followRegionRedirects'> = {},
): T {
  return clientFor(Client, region, account ? roles?.get(account) : undefined, extra);
}

/** Makes clients for the account of one ARN: a kind's reader asks it for the services it calls. */
export type AccountClients = <T>(
  Client: new (config: ClientConfig) => T,
  region: string | undefined,
  extra?: Pick<ClientConfig, 'followRegionRedirects'>,
) => T;

/** The region of an ARN (arn:partition:service:REGION:…). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** The account of an ARN (arn:partition:service:region:ACCOUNT:…), or undefined. */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** An AWS API failure as a check error: its name and a bounded message, never a secret value. */
export function awsError(error: unknown, what: string): ProbeError {
  const e = error as { name?: string; message?: string };
  return new ProbeError('aws', boundText(`${what}: ${e.name ?? 'Error'}: ${e.message ?? ''}`, 400));
}
