import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { checkDeployment, type DoctorClients, type Finding } from '../doctor/deployment-checks.ts';
import { DEFAULT_STACK_NAME } from '../doctor/stack-outputs.ts';
import type { ExitCode } from '../policy/status.ts';
import { UsageError } from '../usage-error.ts';
import { type Io, parseCommandLine } from './io.ts';
import { formatColumns } from './render-table.ts';

export const DOCTOR_USAGE = `Usage: certvigil doctor [--stack NAME] [--region REGION] [--json]

Checks a deployed certvigil with your AWS credentials (the standard chain: environment, profile,
SSO): the account's Lambda concurrency quota against the settings, email subscriptions still
waiting for confirmation, whether the Slack secret is set (its value is never shown), and when
the last dispatch round ran. Exit status: 0 all ok, 1 something to look at, 2 alerts would not
reach anyone or rounds have stopped. The stack defaults to ${DEFAULT_STACK_NAME}.`;

/** Builds the AWS clients from the standard credential chain (the SDK's endpoint variables work). */
function clientsFor(region: string | undefined): DoctorClients {
  const config = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    sns: new SNSClient(config),
    secrets: new SecretsManagerClient(config),
    cloudWatch: new CloudWatchClient(config),
  };
}

export async function runDoctor(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
  clients?: DoctorClients,
): Promise<ExitCode> {
  const { values, positionals } = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: { stack: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length) throw new UsageError(`doctor takes no arguments (got "${positionals[0]}")`);
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const findings = await checkDeployment(clients ?? clientsFor(region), values.stack ?? DEFAULT_STACK_NAME);
  if (values.json) io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
  else io.stdout(`${formatColumns(['RESULT', 'CHECK', 'DETAIL'], findings.map(row))}\n`);
  return findings.some((f) => f.verdict === 'fail') ? 2 : findings.some((f) => f.verdict === 'warn') ? 1 : 0;
}

function row(finding: Finding): string[] {
  return [finding.verdict, finding.check, finding.detail];
}
