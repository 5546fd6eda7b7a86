// The kinds of certificate source a target can have (DESIGN.md, "Certificate sources").

/** `tls`: what an endpoint serves; the others: certificates in a document or a file. */
export const SOURCE_KINDS = [
  'tls',
  'saml',
  'jwks',
  'pem',
  'file',
  'acm',
  'iam',
  'secret',
  'ssm',
  'iam-saml',
  'cognito',
  'iot-ca',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Kinds whose source is a document fetched over HTTPS. */
export const URL_KINDS = ['saml', 'jwks', 'pem'] as const;
export type UrlKind = (typeof URL_KINDS)[number];

/** Kinds whose certificates an AWS account holds (ACM, IAM server certificates and SAML providers, Secrets Manager, SSM, Cognito, IoT). */
export const AWS_KINDS = ['acm', 'iam', 'secret', 'ssm', 'iam-saml', 'cognito', 'iot-ca'] as const;
export type AwsKind = (typeof AWS_KINDS)[number];

export function isAwsKind(value: string): value is AwsKind {
  return (AWS_KINDS as readonly string[]).includes(value);
}

export function isSourceKind(value: string): value is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(value);
}

export function isUrlKind(value: string): value is UrlKind {
  return (URL_KINDS as readonly string[]).includes(value);
}

/** Which probe function reads a kind in AWS (each bundles only its own readers). */
export type ProbeGroup = 'tls' | 'documents' | 'account';

export function probeGroupOf(kind: SourceKind): ProbeGroup {
  if (kind === 'tls') return 'tls';
  return isAwsKind(kind) ? 'account' : 'documents';
}
