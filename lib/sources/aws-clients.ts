// AWS clients for the account sources, one per service and region, made on first use. They use
// the standard credential chain and the SDK's endpoint variables (AWS_ENDPOINT_URL_ACM, …), so a
// local stand-in can be pointed at.
import { ACMClient } from '@aws-sdk/client-acm';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ProbeError } from '../probe/probe-error.ts';
import { boundText } from '../text-bounds.ts';

const cache = new Map<string, unknown>();

function client<T>(key: string, make: () => T): T {
  let existing = cache.get(key) as T | undefined;
  if (!existing) {
    existing = make();
    cache.set(key, existing);
  }
  return existing;
}

export const awsClients = {
  acm: (region: string) => client(`acm ${region}`, () => new ACMClient({ region })),
  iam: () => client('iam', () => new IAMClient({})),
  secrets: (region: string) => client(`secrets ${region}`, () => new SecretsManagerClient({ region })),
  ssm: (region: string | undefined) => client(`ssm ${region ?? ''}`, () => new SSMClient(region ? { region } : {})),
};

/** The region of an ARN (arn:partition:service:REGION:…). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** An AWS API failure as a check error: its name and a bounded message, never a secret value. */
export function awsError(error: unknown, what: string): ProbeError {
  const e = error as { name?: string; message?: string };
  return new ProbeError('aws', boundText(`${what}: ${e.name ?? 'Error'}: ${e.message ?? ''}`, 400));
}
