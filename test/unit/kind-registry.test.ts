// The kinds registry holds together: every kind has a form, a reader in the function that serves
// it and a valid example; adding a kind without one of them fails here.
import { describe, expect, it } from 'vitest';
import { AWS_READERS } from '../../lib/sources/aws/registry.ts';
import { DOCUMENT_READERS } from '../../lib/sources/documents/readers.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { TLS_READERS } from '../../lib/sources/tls/readers.ts';
import { AWS_KINDS, type AwsKind, probeGroupOf, SOURCE_KINDS } from '../../lib/targets/kinds.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';

/** One valid source of each AWS kind, as a user would write it. */
const EXAMPLES: Record<AwsKind, string> = {
  acm: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab',
  iam: 'legacy-elb',
  secret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/mtls-AbCdEf#cert',
  ssm: '/certs/partner',
  'iam-saml': 'arn:aws:iam::123456789012:saml-provider/okta',
  cognito: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123#Okta',
  'iot-ca': `arn:aws:iot:eu-west-1:123456789012:cacert/${'a'.repeat(64)}`,
  rds: 'arn:aws:rds:eu-west-1:123456789012:db:orders-1',
  'apigw-client-cert': 'arn:aws:apigateway:eu-west-1::/clientcertificates/a1b2c3',
  'acm-pca': 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab',
  'iot-cert': `arn:aws:iot:eu-west-1:123456789012:cert/${'b'.repeat(64)}`,
  'apigw-truststore': 'arn:aws:apigateway:eu-west-1::/domainnames/api.example.com',
  'elb-truststore': 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/partners/0123456789abcdef',
};

describe('the kinds registry', () => {
  it('has a reader for every kind, in the function that serves it, and no reader without a kind', () => {
    expect(Object.keys(ALL_READERS).sort()).toEqual([...SOURCE_KINDS].sort());
    expect(Object.keys(AWS_READERS).sort()).toEqual([...AWS_KINDS].sort());
    for (const kind of SOURCE_KINDS) {
      const served = { tls: TLS_READERS, documents: DOCUMENT_READERS, account: AWS_READERS }[probeGroupOf(kind)];
      expect(Object.hasOwn(served, kind), kind).toBe(true);
    }
  });

  it.each(AWS_KINDS)('parses an example of %s and refuses a wrong one with its form', (kind) => {
    const target = normalizeTarget({ host: `${kind}:${EXAMPLES[kind]}` });
    expect(target).toMatchObject({ id: `${kind}:${EXAMPLES[kind]}`, kind, source: EXAMPLES[kind] });
    expect(() => normalizeTarget({ host: `${kind}:not a ${kind} source` })).toThrow(
      new RegExp(`^host: ${kind} target .* is not of the form ${kind}:`),
    );
  });
});
