// The kinds of certificate source a target can have (DESIGN.md, "Certificate sources").

/** How a kind's source is written after `kind:`, checked when a target is parsed. */
export interface KindForm {
  pattern: RegExp;
  example: string;
}

const PARTITION = 'aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?';
/**
 * The kinds of certificate an AWS account holds, each with its target form: the one table of AWS
 * kind forms (every function parses targets, so the forms stay here, apart from the SDK clients).
 * Adding a kind is a line here and its module: lib/sources/aws/<kind>.ts (reader, finder, IAM
 * grants) with its lines in lib/sources/aws/registry.ts.
 */
export const AWS_KIND_FORMS = {
  acm: {
    pattern: new RegExp(`^arn:${PARTITION}:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]{1,128}$`),
    example: 'acm:arn:aws:acm:eu-west-1:123456789012:certificate/…',
  },
  iam: {
    // A name in this account, or the certificate's ARN (another account's, read through its role).
    pattern: new RegExp(
      `^(?:[\\w+=,.@-]{1,128}|arn:${PARTITION}:iam::\\d{12}:server-certificate(?:/[\\w+=,.@-]+)*/[\\w+=,.@-]{1,128})$`,
    ),
    example: 'iam:server-certificate-name (or its ARN)',
  },
  secret: {
    pattern: new RegExp(
      `^arn:${PARTITION}:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[\\w/+=.@-]{1,512}(#[^#]{1,256})?$`,
    ),
    example: 'secret:arn:aws:secretsmanager:eu-west-1:123456789012:secret:name-AbCdEf[#jsonKey]',
  },
  ssm: {
    pattern: new RegExp(
      `^(?:arn:${PARTITION}:ssm:[a-z0-9-]+:\\d{12}:parameter/[\\w/.-]{1,2048}|/?[\\w.-]+(?:/[\\w.-]+)*)$`,
    ),
    example: 'ssm:/path/to/parameter',
  },
  'iam-saml': {
    pattern: new RegExp(`^arn:${PARTITION}:iam::\\d{12}:saml-provider/[\\w+=,.@-]{1,128}$`),
    example: 'iam-saml:arn:aws:iam::123456789012:saml-provider/NAME',
  },
  cognito: {
    // The user pool (its signing certificate), or `#PROVIDER`: one of its SAML identity providers.
    pattern: new RegExp(
      `^arn:${PARTITION}:cognito-idp:[a-z0-9-]+:\\d{12}:userpool/[\\w-]+_[0-9a-zA-Z]+(#[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]{1,32})?$`,
      'u',
    ),
    example: 'cognito:arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123[#ProviderName]',
  },
  'iot-ca': {
    pattern: new RegExp(`^arn:${PARTITION}:iot:[a-z0-9-]+:\\d{12}:cacert/[0-9a-f]{64}$`),
    example: 'iot-ca:arn:aws:iot:eu-west-1:123456789012:cacert/ID (64 hex digits)',
  },
  rds: {
    // An RDS or Aurora DB instance (its identifier: a letter, then letters, digits, hyphens).
    pattern: new RegExp(`^arn:${PARTITION}:rds:[a-z0-9-]+:\\d{12}:db:[a-zA-Z][a-zA-Z0-9-]{0,62}$`),
    example: 'rds:arn:aws:rds:eu-west-1:123456789012:db:INSTANCE',
  },
  'apigw-client-cert': {
    // API Gateway's ARN names no account; one is written in for a member account's certificate.
    pattern: new RegExp(`^arn:${PARTITION}:apigateway:[a-z0-9-]+:(\\d{12})?:/clientcertificates/[a-z0-9]{1,32}$`),
    example: 'apigw-client-cert:arn:aws:apigateway:eu-west-1::/clientcertificates/ID',
  },
  'elb-truststore': {
    pattern: new RegExp(
      `^arn:${PARTITION}:elasticloadbalancing:[a-z0-9-]+:\\d{12}:truststore/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`,
    ),
    example: 'elb-truststore:arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/NAME/ID',
  },
  'acm-pca': {
    pattern: new RegExp(
      `^arn:${PARTITION}:acm-pca:[a-z0-9-]+:\\d{12}:certificate-authority/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
    ),
    example: 'acm-pca:arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/UUID',
  },
  'iot-cert': {
    pattern: new RegExp(`^arn:${PARTITION}:iot:[a-z0-9-]+:\\d{12}:cert/[0-9a-f]{64}$`),
    example: 'iot-cert:arn:aws:iot:eu-west-1:123456789012:cert/ID (64 hex digits)',
  },
  'apigw-truststore': {
    // A custom domain of API Gateway (its ARN names no account; one is written in for a member account's).
    pattern: new RegExp(`^arn:${PARTITION}:apigateway:[a-z0-9-]+:(\\d{12})?:/domainnames/(\\*\\.)?[a-z0-9.-]{1,253}$`),
    example: 'apigw-truststore:arn:aws:apigateway:eu-west-1::/domainnames/api.example.com',
  },
} as const satisfies Record<string, KindForm>;

/** Kinds whose source is a document fetched over HTTPS. */
export const URL_KINDS = ['saml', 'jwks', 'pem'] as const;
export type UrlKind = (typeof URL_KINDS)[number];

export type AwsKind = keyof typeof AWS_KIND_FORMS;
/** Kinds whose certificates an AWS account holds. */
export const AWS_KINDS = Object.keys(AWS_KIND_FORMS) as AwsKind[];

/** `tls`: what an endpoint serves; the others: certificates in a document, a file or an AWS account. */
export type SourceKind = 'tls' | UrlKind | 'file' | AwsKind;
export const SOURCE_KINDS: readonly SourceKind[] = ['tls', ...URL_KINDS, 'file', ...AWS_KINDS];

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
