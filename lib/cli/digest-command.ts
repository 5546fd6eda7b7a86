// `certvigil digest [--owner NAME | --unowned] [--json]`: the weekly digest as its email says it,
// for one owner, the targets without one, or every owner the summary counts (the 100 with the most
// targets, then the unowned).
import type { Digest } from '../admin/digest.ts';
import type { SummaryView } from '../admin/routes/summary.ts';
import { AdminError } from '../net/admin-client.ts';
import type { ExitCode } from '../policy/status.ts';
import { UsageError } from '../usage-error.ts';
import type { Io } from './io.ts';
import { adminClientFor, parseRemote } from './remote-options.ts';

export const DIGEST_USAGE = `The weekly digest, as its email says it (remote: --url or CERTVIGIL_URL).

  certvigil digest [--owner NAME | --unowned] [--json]

Without --owner: every owner the summary counts (the 100 with the most targets), then the targets
without an owner. Sections: in trouble, expiring within 30 days, acknowledged but not renewed,
renewals stuck, rollouts in progress.`;

export async function runDigest(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, { owner: { type: 'string' }, unowned: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`digest takes no arguments (got "${positionals[0]}"); use --owner NAME`);
  if (values.owner !== undefined && values.unowned) throw new UsageError('give --owner NAME or --unowned, not both');
  const admin = adminClientFor(values, env);
  try {
    let owners: (string | null)[];
    if (values.owner !== undefined) owners = [values.owner];
    else if (values.unowned) owners = [null];
    else {
      const summary = await admin.json<SummaryView>('GET', '/summary');
      owners = [...summary.owners.top.map((o) => o.owner), ...(summary.owners.unowned > 0 ? [null] : [])];
    }
    const digests: Digest[] = [];
    for (const owner of owners) {
      const query = owner === null ? { unowned: 'true' } : { owner };
      if (values.json) digests.push(await admin.json<Digest>('GET', '/digest', { query }));
      else io.stdout(`${(await admin.request('GET', '/digest', { query: { ...query, format: 'text' } })).text}\n`);
    }
    if (values.json)
      io.stdout(`${JSON.stringify(values.owner !== undefined || values.unowned ? digests[0] : digests, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    io.stderr(`certvigil: ${error.message}\n`);
    return 3;
  }
}
