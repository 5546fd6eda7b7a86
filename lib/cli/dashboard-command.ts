import type { ExitCode } from '../policy/status.ts';
import { type Io, numberOption, parseCommandLine } from './io.ts';
import { adminClientFor } from './remote-options.ts';

const DEFAULT_PORT = 8788;

export const DASHBOARD_USAGE = `Usage: certvigil dashboard [--url URL] [--port N] [--region REGION] [--token TOKEN]

Serves the certvigil dashboard on http://127.0.0.1:PORT (default ${DEFAULT_PORT}) and forwards the
page's reads to the deployed admin URL (--url or CERTVIGIL_URL: the stack output AdminUrl),
signed with SigV4 from your AWS credentials (AWS_PROFILE, AWS_REGION…), like "kubectl proxy".
Nothing is made public and no AWS resource is created; it only reads (GET), and answers only
its own page on 127.0.0.1. With --token (or CERTVIGIL_TOKEN) it forwards to local mode instead.
Local mode serves the same page itself at its own address. Ctrl-C stops it.`;

export async function runDashboard(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values } = parseCommandLine({
    args: argv,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      port: { type: 'string' },
      region: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const port = numberOption(values.port, '--port', { min: 0, max: 65535, integer: true }) ?? DEFAULT_PORT;
  const client = adminClientFor(values, env);
  const { startDashboardProxy } = await import('../dashboard/proxy.ts');
  const proxy = await startDashboardProxy({ client, port, print: (text) => io.stderr(text) });
  const target = new URL(values.url ?? env.CERTVIGIL_URL ?? '');
  io.stdout(
    [
      'certvigil dashboard',
      `  open:       ${proxy.url}/`,
      `  reads from: ${target.origin} (${(values.token ?? env.CERTVIGIL_TOKEN) ? 'with the token' : 'signed with your AWS credentials'})`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await proxy.stop();
  return 0;
}
