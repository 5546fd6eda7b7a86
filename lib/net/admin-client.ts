import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { UsageError } from '../usage-error.ts';

export interface AdminClientOptions {
  /** The admin function URL, or local mode's address. */
  url: string;
  /** Bearer token (local mode); without one, requests are signed with SigV4. */
  token?: string | undefined;
  region?: string | undefined;
  credentials?: AwsCredentialIdentityProvider;
}

export interface AdminReply {
  status: number;
  contentType: string;
  text: string;
}

/** A failure of the admin API, said in one sentence (from its problem response when there is one). */
export class AdminError extends Error {
  override name = 'AdminError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Talks to the admin API: SigV4-signed for a Lambda function URL (service `lambda`, credentials
 * from the standard AWS chain), or with a bearer token for local mode.
 */
export class AdminClient {
  private readonly base: URL;
  private readonly token: string | undefined;
  private readonly signer: SignatureV4 | undefined;

  constructor(options: AdminClientOptions) {
    try {
      this.base = new URL(options.url);
    } catch {
      throw new UsageError(`--url "${options.url}" is not a URL (the admin function URL from the stack outputs)`);
    }
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw new UsageError(`--url must be an http(s) URL (got "${options.url}")`);
    }
    if (this.base.pathname.replace(/\/+$/, '') || this.base.search) {
      throw new UsageError(
        `--url ${this.base.origin}${this.base.pathname}${this.base.search} has a path, which is not used: give the admin URL alone (${this.base.origin}/); each command adds its own path`,
      );
    }
    this.token = options.token;
    if (!this.token) {
      const region = options.region ?? regionFromFunctionUrl(this.base.hostname);
      if (!region) {
        throw new UsageError('cannot tell the AWS region from the URL; set AWS_REGION or pass --region');
      }
      this.signer = new SignatureV4({
        service: 'lambda',
        region,
        credentials: options.credentials ?? fromNodeProviderChain(),
        sha256: Sha256,
      });
    }
  }

  async request(
    method: string,
    path: string,
    options: { query?: Record<string, string | undefined>; body?: string; contentType?: string } = {},
  ): Promise<AdminReply> {
    const reply = await this.send(method, path, options);
    if (reply.status >= 400) throw new AdminError(reply.status, describeFailure(reply));
    return reply;
  }

  /** The same request, answering whatever the admin API answered (a 4xx or 5xx too). */
  async send(
    method: string,
    path: string,
    options: { query?: Record<string, string | undefined>; body?: string; contentType?: string } = {},
  ): Promise<AdminReply> {
    const url = new URL(path, this.base);
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, value);
        query[key] = value;
      }
    }
    let headers: Record<string, string> = { host: url.host, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.signer) {
      const signed = await this.signer
        .sign({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query,
          headers,
          body: options.body,
        })
        .catch((error: Error) => {
          throw new UsageError(`cannot sign the request: no usable AWS credentials (${error.message})`);
        });
      headers = signed.headers as Record<string, string>;
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: options.body, redirect: 'error' });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new AdminError(0, `cannot reach ${url.origin} (${code})`);
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  async json<T>(method: string, path: string, options: Parameters<AdminClient['request']>[2] = {}): Promise<T> {
    const reply = await this.request(method, path, options);
    return (reply.text ? JSON.parse(reply.text) : undefined) as T;
  }
}

/** `https://<id>.lambda-url.<region>.on.aws/` → region. */
export function regionFromFunctionUrl(hostname: string): string | undefined {
  return /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(hostname)?.[1];
}

export function describeFailure(reply: AdminReply): string {
  if (reply.contentType.includes('problem+json')) {
    try {
      const problem = JSON.parse(reply.text) as { detail?: string; errors?: { field: string; message: string }[] };
      const fields = problem.errors?.length
        ? ` (${problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ')})`
        : '';
      return `${problem.detail ?? `the admin API answered ${reply.status}`}${fields}`;
    } catch {
      // fall through to the generic messages
    }
  }
  if (reply.status === 403) {
    return "the admin URL refused the request (403): check that your AWS credentials may call it (lambda:InvokeFunctionUrl and lambda:InvokeFunction: attach the stack's AdminCallerPolicyArn) and the region is right";
  }
  if (reply.status === 401)
    return 'the admin URL refused the request (401): check the token (CERTVIGIL_TOKEN or --token)';
  return `the admin API answered ${reply.status}: ${reply.text.slice(0, 200)}`;
}
