// What every remote command shares: the admin URL and its credentials (--url, --token, --region
// or CERTVIGIL_URL, CERTVIGIL_TOKEN, the AWS region), --json, and the path of one target.
import { AdminClient } from '../net/admin-client.ts';
import { UsageError } from '../usage-error.ts';
import { parseCommandLine } from './io.ts';

const COMMON = {
  url: { type: 'string' },
  token: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A remote command's arguments: its own options beside the common ones, and positionals. */
export function parseRemote<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(
  argv: string[],
  options: T,
) {
  return parseCommandLine({ args: argv, allowPositionals: true, options: { ...COMMON, ...options } });
}

export function adminClientFor(
  values: { url?: string | undefined; token?: string | undefined; region?: string | undefined },
  env: NodeJS.ProcessEnv,
): AdminClient {
  const url = values.url ?? env.CERTVIGIL_URL;
  if (!url)
    throw new UsageError(
      "no admin URL: pass --url or set CERTVIGIL_URL (the stack output AdminUrl, or local mode's address)",
    );
  return new AdminClient({
    url,
    token: values.token ?? env.CERTVIGIL_TOKEN,
    region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
  });
}

/** The admin API's path of one target (and below it). */
export function idPath(id: string, suffix = ''): string {
  return `/targets/${encodeURIComponent(id)}${suffix}`;
}
