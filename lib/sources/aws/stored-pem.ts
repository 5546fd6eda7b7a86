// `secret:ARN[#jsonKey]` and `ssm:NAME`: certificates kept as PEM (or base64 DER) in Secrets
// Manager or SSM Parameter Store: client certificates for partner APIs, mTLS, signing. Only the
// certificate blocks are decoded; a private key beside them is never read into a result, and no
// message quotes the value.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { certificatesIn } from '../../certificate/pem-blocks.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { bundleResult, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError, regionOf } from './clients.ts';
import type { Grant } from './kind-module.ts';

/** Most bytes of a stored value read (Secrets Manager allows 64 KiB, SSM advanced parameters 8 KiB). */
const MAX_VALUE_BYTES = 64 * 1024;

export function readSecret(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const [arn = '', jsonKey] = (request.source as string).split('#');
    const answer = await accountClient(SecretsManagerClient, context.awsRoles, accountOf(arn), regionOf(arn))
      .send(new GetSecretValueCommand({ SecretId: arn }))
      .catch((error: unknown) => {
        throw awsError(error, 'Secrets Manager GetSecretValue');
      });
    const raw = answer.SecretString ?? (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString('latin1') : '');
    return certificatesFrom(request, context, jsonKey ? jsonField(raw, jsonKey) : raw, 'the secret');
  });
}

export function readSsm(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const name = request.source as string;
    const arn = name.startsWith('arn:');
    const answer = await accountClient(
      SSMClient,
      context.awsRoles,
      arn ? accountOf(name) : undefined,
      arn ? regionOf(name) : undefined,
    )
      .send(new GetParameterCommand({ Name: name, WithDecryption: true }))
      .catch((error: unknown) => {
        throw awsError(error, 'SSM GetParameter');
      });
    return certificatesFrom(request, context, answer.Parameter?.Value ?? '', 'the parameter');
  });
}

async function certificatesFrom(
  request: SourceRequest,
  context: SourceContext,
  value: string,
  describe: string,
): Promise<CheckResult> {
  if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw new ProbeError('parse', `${describe} is larger than 64 KiB`);
  const text = value.trim();
  // PEM, or a bare base64 DER certificate (some tools store it so).
  const data =
    text.includes('-----BEGIN ') || !/^[A-Za-z0-9+/=\s]+$/.test(text)
      ? Buffer.from(text, 'latin1')
      : Buffer.from(text, 'base64');
  const certificates = await certificatesIn(data);
  return bundleResult(request, context, certificates, describe);
}

/** A field of a JSON secret; the value is never quoted in an error. */
function jsonField(raw: string, key: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ProbeError('parse', `the secret is not JSON, so it has no field "${key.slice(0, 64)}"`);
  }
  const value = (parsed as Record<string, unknown> | null)?.[key];
  if (typeof value !== 'string') throw new ProbeError('empty', `the secret has no text field "${key.slice(0, 64)}"`);
  return value;
}

/**
 * Decryption of a tagged secret or parameter encrypted with a customer key: only through Secrets
 * Manager or SSM (both kinds' grants name it; the policies hold it once).
 */
export const DECRYPT_THROUGH_STORES: Grant = {
  sid: 'DecryptThroughSecretsAndParameters',
  actions: ['kms:Decrypt'],
  resources: ['arn:{partition}:kms:*:{account}:key/*'],
  conditions: { StringLike: { 'kms:ViaService': ['secretsmanager.*.amazonaws.com', 'ssm.*.amazonaws.com'] } },
  why: 'Decrypt only through Secrets Manager or SSM (kms:ViaService), for tagged items encrypted with a customer key.',
};
