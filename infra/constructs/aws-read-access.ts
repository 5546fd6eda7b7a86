// The read-only access certvigil needs to an AWS account's certificates and endpoints, defined
// once: the account function and the admin function (reading acm/iam/secret/ssm targets),
// discovery (listing), and the member-account role (both, for another account) use it.
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export interface ReadScope {
  partition: string;
  account: string;
  /** Tag a secret or parameter must carry to be read. */
  sourceTag: string;
}

/**
 * Reading the certificates targets name: ACM and IAM server certificates of the account; secrets
 * and parameters only when they carry the tag (their values are certificates, perhaps beside
 * private keys, so reading is opt-in per item); KMS decryption only through Secrets Manager and SSM.
 */
export function sourceReadStatements({ partition, account, sourceTag }: ReadScope): iam.PolicyStatement[] {
  const tagged = { Null: { [`aws:ResourceTag/${sourceTag}`]: 'false' } };
  return [
    new iam.PolicyStatement({
      sid: 'ReadAcmCertificates',
      actions: ['acm:DescribeCertificate', 'acm:GetCertificate'],
      resources: [`arn:${partition}:acm:*:${account}:certificate/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadIamServerCertificates',
      actions: ['iam:GetServerCertificate'],
      resources: [`arn:${partition}:iam::${account}:server-certificate/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadIamSamlProviders',
      actions: ['iam:GetSAMLProvider'],
      resources: [`arn:${partition}:iam::${account}:saml-provider/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadCognitoSamlCertificates',
      actions: ['cognito-idp:GetSigningCertificate', 'cognito-idp:DescribeIdentityProvider'],
      resources: [`arn:${partition}:cognito-idp:*:${account}:userpool/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadIotCaCertificates',
      actions: ['iot:DescribeCACertificate'],
      resources: [`arn:${partition}:iot:*:${account}:cacert/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadIotDeviceCertificates',
      actions: ['iot:DescribeCertificate'],
      resources: [`arn:${partition}:iot:*:${account}:cert/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadRdsInstanceCertificates',
      actions: ['rds:DescribeDBInstances'],
      resources: [`arn:${partition}:rds:*:${account}:db:*`],
    }),
    new iam.PolicyStatement({
      // The CAs are Amazon RDS's own, not resources of the account: nothing narrower to name.
      sid: 'ReadRdsCaDates',
      actions: ['rds:DescribeCertificates'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadApiGatewayClientCertificatesAndTrustStores',
      // API Gateway's read action is GET on the resource path; its ARNs name no account. A custom
      // domain names its mutual TLS trust store.
      actions: ['apigateway:GET'],
      resources: [
        `arn:${partition}:apigateway:*::/clientcertificates/*`,
        `arn:${partition}:apigateway:*::/domainnames/*`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTaggedTrustStoreObjects',
      // A trust store's bucket is the user's choice: only objects of this account carrying the tag.
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [`arn:${partition}:s3:::*/*`],
      conditions: {
        Null: { [`s3:ExistingObjectTag/${sourceTag}`]: 'false' },
        StringEquals: { 'aws:ResourceAccount': account },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ReadElbTrustStores',
      // A short-lived S3 link to the CA bundle, signed by ELB: no S3 permission is needed to fetch it.
      actions: ['elasticloadbalancing:GetTrustStoreCaCertificatesBundle'],
      resources: [`arn:${partition}:elasticloadbalancing:*:${account}:truststore/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadPrivateCaCertificates',
      actions: ['acm-pca:GetCertificateAuthorityCertificate'],
      resources: [`arn:${partition}:acm-pca:*:${account}:certificate-authority/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTaggedSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [`arn:${partition}:secretsmanager:*:${account}:secret:*`],
      conditions: tagged,
    }),
    new iam.PolicyStatement({
      sid: 'ReadTaggedParameters',
      actions: ['ssm:GetParameter'],
      resources: [`arn:${partition}:ssm:*:${account}:parameter/*`],
      conditions: tagged,
    }),
    new iam.PolicyStatement({
      sid: 'DecryptThroughSecretsAndParameters',
      actions: ['kms:Decrypt'],
      resources: [`arn:${partition}:kms:*:${account}:key/*`],
      conditions: { StringLike: { 'kms:ViaService': ['secretsmanager.*.amazonaws.com', 'ssm.*.amazonaws.com'] } },
    }),
  ];
}

/**
 * Listing what the account holds and serves. List and describe actions only; none of them
 * returns a secret value or a private key. The list actions support no resource-level
 * restriction, hence `*`; tag reads are limited to this account's resources where IAM allows it.
 */
export function discoveryReadStatements({ partition, account }: ReadScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ListInventory',
      actions: [
        'acm:ListCertificates',
        'iam:ListServerCertificates',
        'iam:ListSAMLProviders',
        'cognito-idp:ListUserPools',
        'iot:ListCACertificates',
        'iot:ListCertificates',
        'rds:DescribeDBInstances',
        'secretsmanager:ListSecrets',
        'ssm:DescribeParameters',
        'cloudfront:ListDistributions',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTrustStores',
        'acm-pca:ListCertificateAuthorities',
        'appsync:ListDomainNames',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadInventoryTags',
      actions: ['acm:ListTagsForCertificate', 'acm:DescribeCertificate'],
      resources: [`arn:${partition}:acm:*:${account}:certificate/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadServerCertificateTags',
      actions: ['iam:ListServerCertificateTags'],
      resources: [`arn:${partition}:iam::${account}:server-certificate/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadSamlProviderTags',
      actions: ['iam:ListSAMLProviderTags'],
      resources: [`arn:${partition}:iam::${account}:saml-provider/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadCognitoFederation',
      actions: [
        'cognito-idp:ListIdentityProviders',
        'cognito-idp:DescribeIdentityProvider',
        'cognito-idp:ListTagsForResource',
      ],
      resources: [`arn:${partition}:cognito-idp:*:${account}:userpool/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadPrivateCaTags',
      actions: ['acm-pca:ListTags'],
      resources: [`arn:${partition}:acm-pca:*:${account}:certificate-authority/*`],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeIotDeviceCertificates',
      // Only a device certificate's end decides whether it is enrolled (the bounded, oldest-first listing).
      actions: ['iot:DescribeCertificate'],
      resources: [`arn:${partition}:iot:*:${account}:cert/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadIotCaTags',
      actions: ['iot:ListTagsForResource'],
      resources: [`arn:${partition}:iot:*:${account}:cacert/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadParameterTags',
      actions: ['ssm:ListTagsForResource'],
      resources: [`arn:${partition}:ssm:*:${account}:parameter/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadDistributionTags',
      actions: ['cloudfront:ListTagsForResource'],
      resources: [`arn:${partition}:cloudfront::${account}:distribution/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAppSyncDomainTags',
      actions: ['appsync:ListTagsForResource'],
      resources: [`arn:${partition}:appsync:*:${account}:domainnames/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ListApiGatewayDomainNames',
      // API Gateway's read action is GET on the resource path: only the custom domain names.
      actions: ['apigateway:GET'],
      resources: [`arn:${partition}:apigateway:*::/domainnames`, `arn:${partition}:apigateway:*::/domainnames/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ListApiGatewayClientCertificates',
      actions: ['apigateway:GET'],
      resources: [`arn:${partition}:apigateway:*::/clientcertificates`],
    }),
  ];
}

/** cdk-nag acknowledgements of the wildcards above, each with its reason. */
export function acknowledgeReadAccess(role: IConstruct, which: { sources?: boolean; discovery?: boolean }): void {
  const reasons: Record<string, string> = {};
  const account = '<AWS::AccountId>';
  if (which.sources || which.discovery) {
    reasons[`Resource::arn:<AWS::Partition>:acm:*:${account}:certificate/*`] =
      'Any ACM certificate of this account, in any region (targets and discovery name them); read-only actions.';
  }
  if (which.sources) {
    Object.assign(reasons, {
      [`Resource::arn:<AWS::Partition>:iam::${account}:server-certificate/*`]:
        'Any IAM server certificate of this account; read-only.',
      [`Resource::arn:<AWS::Partition>:iam::${account}:saml-provider/*`]:
        "Any IAM SAML provider of this account (its metadata: the IdP's public certificates); read-only.",
      [`Resource::arn:<AWS::Partition>:cognito-idp:*:${account}:userpool/*`]:
        "Any Cognito user pool of this account, any region: its signing certificate and its SAML providers' metadata (public certificates); read-only.",
      [`Resource::arn:<AWS::Partition>:iot:*:${account}:cacert/*`]:
        'Any IoT CA certificate of this account, any region (public certificates); read-only.',
      [`Resource::arn:<AWS::Partition>:iot:*:${account}:cert/*`]:
        'Any IoT device certificate of this account, any region (public certificates; no keys); read-only.',
      [`Resource::arn:<AWS::Partition>:rds:*:${account}:db:*`]:
        "Any RDS or Aurora DB instance of this account, any region: its certificate's end and CA (no data, no credentials); read-only.",
      'Resource::arn:<AWS::Partition>:apigateway:*::/clientcertificates/*':
        "Any API Gateway client certificate, any region (API Gateway's ARNs name no account; the public certificate only); GET only.",
      'Resource::arn:<AWS::Partition>:apigateway:*::/domainnames/*':
        'Custom domain names in any region (their mutual TLS trust store location); GET only.',
      'Resource::arn:<AWS::Partition>:s3:::*/*':
        'Only objects of this account carrying the certvigil tag (conditions): mutual TLS trust stores (public CA certificates); read-only.',
      [`Resource::arn:<AWS::Partition>:elasticloadbalancing:*:${account}:truststore/*`]:
        'Any ELB trust store of this account, any region: a link to its CA bundle (public certificates); read-only.',
      [`Resource::arn:<AWS::Partition>:acm-pca:*:${account}:certificate-authority/*`]:
        "Any AWS Private CA of this account, any region: the CA's own certificate and chain (public certificates); read-only.",
      [`Resource::arn:<AWS::Partition>:secretsmanager:*:${account}:secret:*`]:
        'Only secrets carrying the certvigil tag (condition); read-only.',
      [`Resource::arn:<AWS::Partition>:ssm:*:${account}:parameter/*`]:
        'Only parameters carrying the certvigil tag (condition); read-only.',
      [`Resource::arn:<AWS::Partition>:kms:*:${account}:key/*`]:
        'Decrypt only through Secrets Manager or SSM (kms:ViaService), for tagged items encrypted with a customer key.',
    });
  }
  if (which.sources) {
    reasons['Resource::*'] =
      "rds:DescribeCertificates: the dates of Amazon RDS's own CAs, which are not resources of the account; read-only.";
  }
  if (which.discovery) {
    Object.assign(reasons, {
      'Resource::*': `List and describe actions that support no resource-level permissions (ACM, IAM, Secrets Manager, SSM, CloudFront, ELB, AppSync, Cognito user pools, IoT CA certificates, RDS instances, ELB trust stores, Private CA, IoT device certificates); read-only, no values.${which.sources ? " Also rds:DescribeCertificates: the dates of Amazon RDS's own CAs." : ''}`,
      [`Resource::arn:<AWS::Partition>:iam::${account}:server-certificate/*`]:
        'Tags of any IAM server certificate of this account (owner); read-only.',
      [`Resource::arn:<AWS::Partition>:iam::${account}:saml-provider/*`]:
        'Any IAM SAML provider of this account: its metadata (public certificates) and tags (owner); read-only.',
      [`Resource::arn:<AWS::Partition>:cognito-idp:*:${account}:userpool/*`]:
        "Any Cognito user pool of this account, any region: its identity providers, their metadata and the pool's tags; read-only.",
      [`Resource::arn:<AWS::Partition>:iot:*:${account}:cacert/*`]:
        'Tags of any IoT CA certificate of this account (owner); read-only.',
      [`Resource::arn:<AWS::Partition>:acm-pca:*:${account}:certificate-authority/*`]:
        'Tags of any AWS Private CA of this account (owner); read-only.',
      [`Resource::arn:<AWS::Partition>:iot:*:${account}:cert/*`]:
        'Any IoT device certificate of this account, any region: its validity, to enrol those ending soon; read-only.',
      [`Resource::arn:<AWS::Partition>:ssm:*:${account}:parameter/*`]:
        'Tags of parameters (owner); read-only, values are not read by discovery.',
      [`Resource::arn:<AWS::Partition>:cloudfront::${account}:distribution/*`]:
        'Tags of any distribution of this account (owner); read-only.',
      [`Resource::arn:<AWS::Partition>:appsync:*:${account}:domainnames/*`]:
        'Tags of any AppSync custom domain of this account; read-only.',
      'Resource::arn:<AWS::Partition>:apigateway:*::/domainnames':
        'The list of custom domain names, in any region; GET only.',
      'Resource::arn:<AWS::Partition>:apigateway:*::/domainnames/*': 'Custom domain names in any region; GET only.',
      'Resource::arn:<AWS::Partition>:apigateway:*::/clientcertificates':
        'The list of API Gateway client certificates (with their tags), in any region; GET only.',
    });
  }
  for (const [resource, reason] of Object.entries(reasons)) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${resource}]`, reason });
  }
}
