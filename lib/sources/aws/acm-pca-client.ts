// AWS Private CA's read calls (acm-pca, JSON 1.1 protocol), in the shape of an AWS SDK client
// (`new PrivateCaClient(config).send(new …Command(input))`, a resolved `config`), so that it is
// made, cached and assumed into member accounts like the others (clientFor) and aws-sdk-client-mock
// can stand in for it. Why not @aws-sdk/client-acm-pca: the registry's stops at 3.523 while every
// @aws-sdk package here is on one version (3.1142). Requests are signed with @smithy/signature-v4
// with the credentials given, or else those an SDK client resolves (the default chain); the SDK's
// endpoint variables (AWS_ENDPOINT_URL_ACM_PCA, then AWS_ENDPOINT_URL) are honoured, so a local
// stand-in can be pointed at.

import { Sha256 } from '@aws-crypto/sha256-js';
import { STSClient } from '@aws-sdk/client-sts';
import { loadConfig } from '@smithy/core/config';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { boundText } from '../../text-bounds.ts';

/** An answer larger than this is not a Private CA answer (a CA certificate and chain are a few KB). */
const MAX_ANSWER_BYTES = 1024 * 1024;
const TIMEOUT_MS = 10_000;

/** An error Private CA answered, named as the SDK names it (`ResourceNotFoundException`…). */
export class PrivateCaError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** One call: its action name and input (as an SDK command carries `input`). */
export abstract class PrivateCaCommand<Input extends object, Output> {
  abstract readonly action: string;
  declare readonly output?: Output; // types the answer only
  readonly input: Input;
  constructor(input: Input) {
    this.input = input;
  }
}

export class GetCertificateAuthorityCertificateCommand extends PrivateCaCommand<
  { CertificateAuthorityArn: string },
  { Certificate?: string; CertificateChain?: string }
> {
  readonly action = 'GetCertificateAuthorityCertificate';
}

export class ListCertificateAuthoritiesCommand extends PrivateCaCommand<
  { MaxResults?: number; NextToken?: string | undefined },
  { CertificateAuthorities?: { Arn?: string; Status?: string; Type?: string }[]; NextToken?: string }
> {
  readonly action = 'ListCertificateAuthorities';
}

export class ListTagsCommand extends PrivateCaCommand<
  { CertificateAuthorityArn: string; MaxResults?: number; NextToken?: string | undefined },
  { Tags?: { Key?: string; Value?: string }[]; NextToken?: string }
> {
  readonly action = 'ListTags';
}

type Output<C> = C extends PrivateCaCommand<object, infer O> ? O : never;

export class PrivateCaClient {
  readonly config: { region: () => Promise<string>; credentials: AwsCredentialIdentityProvider; maxAttempts: number };
  private signer: Promise<SignatureV4> | undefined;

  constructor(config: { region?: string; credentials?: AwsCredentialIdentityProvider; maxAttempts?: number } = {}) {
    // The region and, without credentials of its own, those an SDK client resolves (the default chain).
    const sdk = new STSClient(config.region ? { region: config.region } : {});
    this.config = {
      region: () => sdk.config.region(),
      credentials: config.credentials ?? sdk.config.credentials,
      maxAttempts: config.maxAttempts ?? 3,
    };
  }

  async send<C extends PrivateCaCommand<object, unknown>>(command: C): Promise<Output<C>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.once(command.action, command.input)) as Output<C>;
      } catch (error) {
        if (attempt >= this.config.maxAttempts || !retryable(error)) throw error;
        // The SDK's standard back-off: 100 ms, 200 ms, … with jitter.
        await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)));
      }
    }
  }

  private async once(action: string, input: object): Promise<unknown> {
    const region = await this.config.region();
    this.signer ??= Promise.resolve(
      new SignatureV4({ service: 'acm-pca', region, credentials: this.config.credentials, sha256: Sha256 }),
    );
    const endpoint = await endpointFor(region);
    const body = JSON.stringify(input);
    const signed = await (await this.signer).sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      query: {},
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `ACMPrivateCA.${action}`,
      },
      body,
    });
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: signed.headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const answer = parseJson(await boundedText(response));
    if (response.ok) return answer;
    // The error's type: `x-amzn-errortype` or `__type`, either perhaps with a namespace or a suffix.
    const type =
      String(response.headers.get('x-amzn-errortype') ?? answer.__type ?? `Http${response.status}`)
        .split(':')[0]
        ?.split('#')
        .pop() || 'Error';
    const message = [answer.message, answer.Message].find((m) => typeof m === 'string') ?? '';
    throw new PrivateCaError(boundText(type, 100), boundText(String(message), 300), response.status);
  }
}

/**
 * The SDK's endpoint settings for this service, read by the SDK's own loader as its clients read
 * theirs: AWS_ENDPOINT_URL_ACM_PCA, then AWS_ENDPOINT_URL, then the profile's `endpoint_url`.
 */
const ENDPOINT_SETTING = {
  environmentVariableSelector: (env: Record<string, string | undefined>) =>
    env.AWS_ENDPOINT_URL_ACM_PCA || env.AWS_ENDPOINT_URL || undefined,
  configFileSelector: (profile: Record<string, string | undefined>) => profile.endpoint_url || undefined,
  default: undefined,
};

async function endpointFor(region: string): Promise<URL> {
  // A loader per call (it memoizes): a setting changed since is honoured, as before.
  const configured = await loadConfig<string | undefined>(ENDPOINT_SETTING)();
  if (configured) return new URL(configured);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://acm-pca.${region}.${suffix}/`);
}

function retryable(error: unknown): boolean {
  if (error instanceof PrivateCaError) return error.status >= 500 || /Throttl|TooManyRequests/.test(error.name);
  // Network failures and time-outs (fetch's TypeError, AbortSignal's TimeoutError).
  return error instanceof TypeError || (error as Error)?.name === 'TimeoutError';
}

async function boundedText(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new PrivateCaError('AnswerTooLarge', `the answer was larger than ${MAX_ANSWER_BYTES} bytes`, 502);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value = text ? JSON.parse(text) : {};
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
