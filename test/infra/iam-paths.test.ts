import { rmSync } from 'node:fs';
// Proves, against the synthesized template, every cross-service path certvigil relies on: an IAM
// policy simulator evaluates the identity, resource and key policies as AWS would. Each path is
// allowed; an unrelated principal is refused; and removing any one policy's grant breaks it.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertvigilStack } from '../../infra/certvigil-stack.ts';
import { MEMBER_ROLE_NAME, READER_TAG } from '../../infra/constructs/member-read-role.ts';
import { CertvigilMemberStack } from '../../infra/member-stack.ts';
import {
  ACCOUNT,
  OTHER_ACCOUNT,
  type PathRequest,
  type PolicyDocument,
  REGION,
  TemplatePolicies,
} from '../fixtures/iam-paths.ts';
import { synthStack } from '../fixtures/synth.ts';

interface Path {
  name: string;
  request: PathRequest;
  /** The same request by someone who must be refused. */
  unrelated: PathRequest;
}

const EXTERNAL_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
/** The default key policy of a customer managed key: the account's IAM policies decide. */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIamPolicies',
      Effect: 'Allow' as const,
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/** Every read discovery makes, with a resource of this account it applies to. */
const DISCOVERY_READS: [string, string][] = [
  ['acm:ListCertificates', '*'],
  ['acm:ListTagsForCertificate', `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`],
  ['acm:DescribeCertificate', `arn:aws:acm:us-east-2:${ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`],
  ['iam:ListServerCertificates', '*'],
  ['iam:ListServerCertificateTags', `arn:aws:iam::${ACCOUNT}:server-certificate/legacy-elb`],
  ['iam:ListSAMLProviders', '*'],
  ['iam:ListSAMLProviderTags', `arn:aws:iam::${ACCOUNT}:saml-provider/okta`],
  ['cognito-idp:ListUserPools', '*'],
  ['iot:ListCACertificates', '*'],
  ['iot:ListCertificates', '*'],
  ['iot:DescribeCertificate', `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${'b'.repeat(64)}`],
  ['rds:DescribeDBInstances', `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders-1`],
  ['apigateway:GET', `arn:aws:apigateway:${REGION}::/clientcertificates`],
  ['iot:ListTagsForResource', `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/${'a'.repeat(64)}`],
  ['cognito-idp:ListIdentityProviders', `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbC123`],
  ['cognito-idp:DescribeIdentityProvider', `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbC123`],
  ['cognito-idp:ListTagsForResource', `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbC123`],
  ['secretsmanager:ListSecrets', '*'],
  ['ssm:DescribeParameters', '*'],
  ['ssm:ListTagsForResource', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/certs/partner`],
  ['cloudfront:ListDistributions', '*'],
  ['cloudfront:ListTagsForResource', `arn:aws:cloudfront::${ACCOUNT}:distribution/E1ABCDEF`],
  ['elasticloadbalancing:DescribeLoadBalancers', '*'],
  ['elasticloadbalancing:DescribeListeners', '*'],
  ['elasticloadbalancing:DescribeTags', '*'],
  ['elasticloadbalancing:DescribeTrustStores', '*'],
  ['acm-pca:ListCertificateAuthorities', '*'],
  [
    'acm-pca:ListTags',
    `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`,
  ],
  ['apigateway:GET', `arn:aws:apigateway:${REGION}::/domainnames`],
  ['appsync:ListDomainNames', '*'],
  ['appsync:ListTagsForResource', `arn:aws:appsync:${REGION}:${ACCOUNT}:domainnames/graphql.example.com`],
];

/** Every read of a target's certificates (the account function, check now, the member role), with a resource it applies to. */
const SOURCE_READS: [string, string, Record<string, string>?][] = [
  ['acm:DescribeCertificate', `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`],
  ['acm:GetCertificate', `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`],
  ['iam:GetServerCertificate', `arn:aws:iam::${ACCOUNT}:server-certificate/legacy-elb`],
  ['iam:GetSAMLProvider', `arn:aws:iam::${ACCOUNT}:saml-provider/okta`],
  ['iot:DescribeCACertificate', `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/${'a'.repeat(64)}`],
  ['rds:DescribeDBInstances', `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders-1`],
  ['rds:DescribeCertificates', '*'],
  ['iot:DescribeCertificate', `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${'b'.repeat(64)}`],
  ['apigateway:GET', `arn:aws:apigateway:${REGION}::/clientcertificates/a1b2c3`],
  ['apigateway:GET', `arn:aws:apigateway:${REGION}::/domainnames/api.example.com`],
  [
    's3:GetObjectVersion',
    'arn:aws:s3:::partner-trust/api/truststore.pem',
    { 's3:ExistingObjectTag/certvigil': 'true', 'aws:ResourceAccount': ACCOUNT },
  ],
  [
    'acm-pca:GetCertificateAuthorityCertificate',
    `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`,
  ],
  [
    'elasticloadbalancing:GetTrustStoreCaCertificatesBundle',
    `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:truststore/partners/0123456789abcdef`,
  ],
  ['cognito-idp:GetSigningCertificate', `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbC123`],
  ['cognito-idp:DescribeIdentityProvider', `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbC123`],
  [
    'secretsmanager:GetSecretValue',
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:partner/mtls-AbCdEf`,
    { 'aws:ResourceTag/certvigil': 'true' },
  ],
  [
    'ssm:GetParameter',
    `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/certs/partner`,
    { 'aws:ResourceTag/certvigil': 'true' },
  ],
];

function slackChannel(stack: CertvigilStack) {
  const channel = stack.alerts.channels.find((c) => c.name === 'slack');
  if (!channel) throw new Error('these suites keep the Slack channel');
  return channel;
}

function ids(stack: CertvigilStack) {
  const id = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as Parameters<typeof stack.getLogicalId>[0]);
  const roleOf = (fn: { role?: unknown }) => id(fn.role as { node: { defaultChild?: unknown } });
  const key = stack.node.findChild('Key') as unknown as { node: { defaultChild?: unknown } };
  return {
    topic: id(stack.alerts.topic),
    key: id(key),
    failureQueue: id(stack.node.findChild('Failures').node.findChild('Queue') as never),
    targets: id(stack.store.targets),
    history: id(stack.store.history),
    certificates: id(stack.store.certificates),
    summary: id(stack.store.summary),
    directory: id(stack.store.directory),
    exportBucket: id(stack.exports.bucket),
    exportFn: id(stack.exports.fn),
    exportRole: roleOf(stack.exports.fn),
    secret: slackChannel(stack).secret.node.defaultChild ? id(slackChannel(stack).secret as never) : undefined,
    probe: id(stack.probes.probe),
    probeRole: roleOf(stack.probes.probe),
    probeQueue: stack.probes.queue ? id(stack.probes.queue) : undefined,
    documents: id(stack.probes.documents),
    documentsRole: roleOf(stack.probes.documents),
    documentsQueue: stack.probes.documentsQueue ? id(stack.probes.documentsQueue) : undefined,
    account: id(stack.probes.account),
    accountRole: roleOf(stack.probes.account),
    accountQueue: stack.probes.accountQueue ? id(stack.probes.accountQueue) : undefined,
    dispatcher: id(stack.dispatch.dispatcher),
    dispatcherRole: roleOf(stack.dispatch.dispatcher),
    schedulerRole: id(stack.dispatch.node.findChild('SchedulerRole') as never),
    schedule: id(stack.dispatch.schedule),
    notifier: id(slackChannel(stack).notifier),
    notifierRole: roleOf(slackChannel(stack).notifier),
    admin: id(stack.adminApi.admin),
    adminRole: roleOf(stack.adminApi.admin),
    callerPolicy: id(stack.adminApi.callerPolicy),
    discovery: id(stack.discovery.fn),
    discoveryRole: roleOf(stack.discovery.fn),
    discoverySchedulerRole: id(stack.discovery.node.findChild('SchedulerRole') as never),
    alarms: stack.monitoring.alarms.map((a) => id(a)),
  };
}

/** Both data-key actions a sender to (or reader of) an encrypted topic or queue needs. */
function keyPaths(name: string, principal: string, key: string, unrelated: string): Path[] {
  return ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
    name: `${name} (${action})`,
    request: { principal, action, resource: key },
    unrelated: { principal: unrelated, action, resource: key },
  }));
}

function pathsOf(policies: TemplatePolicies, stack: CertvigilStack): Path[] {
  const r = ids(stack);
  const other = `arn:aws:iam::${OTHER_ACCOUNT}:role/intruder`;
  const alarm = policies.arn(r.alarms[0] as string);
  const paths: Path[] = [
    {
      name: 'CloudWatch alarms of this account publish to the alert topic',
      request: {
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: r.topic,
        context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarm },
      },
      unrelated: {
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: r.topic,
        context: {
          'aws:SourceAccount': OTHER_ACCOUNT,
          'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:theirs`,
        },
      },
    },
    ...keyPaths(
      'CloudWatch encrypts alarm messages with the topic key',
      'cloudwatch.amazonaws.com',
      r.key,
      'events.amazonaws.com',
    ),
    {
      name: 'EventBridge Scheduler assumes the scheduler role',
      request: { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: r.schedulerRole },
      unrelated: { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: r.schedulerRole },
    },
    {
      name: 'the schedule invokes the dispatcher',
      request: { principal: r.schedulerRole, action: 'lambda:InvokeFunction', resource: r.dispatcher },
      unrelated: { principal: r.notifierRole, action: 'lambda:InvokeFunction', resource: r.dispatcher },
    },
    {
      name: 'the schedule dead-letters undeliverable rounds to the failure queue',
      request: { principal: r.schedulerRole, action: 'sqs:SendMessage', resource: r.failureQueue },
      unrelated: { principal: other, action: 'sqs:SendMessage', resource: r.failureQueue },
    },
    ...keyPaths('the schedule encrypts dead letters with the queue key', r.schedulerRole, r.key, other),
    ...[
      ['probe', r.probeRole],
      ['documents', r.documentsRole],
      ['account', r.accountRole],
      ['notifier', r.notifierRole],
      ['dispatcher', r.dispatcherRole],
      ['discovery', r.discoveryRole],
    ].flatMap(([name, role]) => [
      {
        name: `failed ${name} invocations go to the failure queue (Lambda destination)`,
        request: { principal: role as string, action: 'sqs:SendMessage', resource: r.failureQueue },
        unrelated: { principal: other, action: 'sqs:SendMessage', resource: r.failureQueue },
      },
      ...keyPaths(`the ${name} destination encrypts with the queue key`, role as string, r.key, other),
    ]),
    {
      name: 'the alert topic delivers to the notifier',
      request: {
        principal: 'sns.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: r.notifier,
        context: { 'aws:SourceArn': policies.arn(r.topic), 'aws:SourceAccount': ACCOUNT },
      },
      unrelated: {
        principal: 'sns.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: r.notifier,
        context: {
          'aws:SourceArn': `arn:aws:sns:${REGION}:${OTHER_ACCOUNT}:other-topic`,
          'aws:SourceAccount': OTHER_ACCOUNT,
        },
      },
    },
    ...[
      ['probe', r.probeRole],
      ['documents function', r.documentsRole],
      ['account function', r.accountRole],
    ].flatMap(([name, role]) => [
      ...[
        ['dynamodb:GetItem', r.targets],
        ['dynamodb:UpdateItem', r.targets],
        ['dynamodb:PutItem', r.history],
        ['dynamodb:GetItem', r.certificates],
        ['dynamodb:UpdateItem', r.certificates],
        ['sns:Publish', r.topic],
      ].map(([action, resource]) => ({
        name: `the ${name} may ${action} on ${resource}`,
        request: { principal: role as string, action: action as string, resource: resource as string },
        unrelated: { principal: r.notifierRole, action: action as string, resource: resource as string },
      })),
      ...keyPaths(`the ${name} encrypts notifications with the topic key`, role as string, r.key, other),
    ]),
    {
      name: 'the dispatcher scans the targets',
      request: { principal: r.dispatcherRole, action: 'dynamodb:Scan', resource: r.targets },
      unrelated: { principal: r.notifierRole, action: 'dynamodb:Scan', resource: r.targets },
    },
    {
      name: 'the dispatcher queries the due-soon index (the frequent round)',
      request: {
        principal: r.dispatcherRole,
        action: 'dynamodb:Query',
        resource: `${policies.arn(r.targets)}/index/due-soon`,
      },
      unrelated: {
        principal: r.notifierRole,
        action: 'dynamodb:Query',
        resource: `${policies.arn(r.targets)}/index/due-soon`,
      },
    },
    // The weekly digests go to the alert topic, encrypted with its key (issue 31).
    {
      name: 'the dispatcher publishes the weekly digests to the alert topic',
      request: { principal: r.dispatcherRole, action: 'sns:Publish', resource: r.topic },
      unrelated: { principal: r.notifierRole, action: 'sns:Publish', resource: r.topic },
    },
    ...keyPaths('the dispatcher encrypts the digests with the topic key', r.dispatcherRole, r.key, other),
    // The daily recount lists again certificates missing from their index (issue 30).
    ...['dynamodb:Scan', 'dynamodb:UpdateItem'].map((action) => ({
      name: `the dispatcher's recount may ${action} on the certificates table`,
      request: { principal: r.dispatcherRole, action, resource: r.certificates },
      unrelated: { principal: r.notifierRole, action, resource: r.certificates },
    })),
    {
      name: 'the dispatcher hands the rest of a round to itself',
      request: { principal: r.dispatcherRole, action: 'lambda:InvokeFunction', resource: r.dispatcher },
      unrelated: { principal: r.probeRole, action: 'lambda:InvokeFunction', resource: r.dispatcher },
    },
    ...[
      ['dynamodb:GetItem', r.targets],
      ['dynamodb:UpdateItem', r.targets],
      ['dynamodb:DeleteItem', r.targets],
      ['dynamodb:Scan', r.targets],
      // Pages (issue 30): the lists index, then the page's items by key.
      ['dynamodb:Query', `${policies.arn(r.targets)}/index/lists`],
      ['dynamodb:BatchGetItem', r.targets],
      ['dynamodb:PutItem', r.history],
      // GET /targets/{id}: the newest timeline row holds the full latest result.
      ['dynamodb:Query', r.history],
      ['dynamodb:GetItem', r.certificates],
      ['dynamodb:UpdateItem', r.certificates],
      ['dynamodb:Scan', r.certificates],
      // Pages of certificates (issue 30): the certificate lists index.
      ['dynamodb:Query', `${policies.arn(r.certificates)}/index/certificate-lists`],
      ['sns:Publish', r.topic],
    ].map(([action, resource]) => ({
      name: `the admin API may ${action} on ${resource}`,
      request: { principal: r.adminRole, action: action as string, resource: resource as string },
      unrelated: { principal: other, action: action as string, resource: resource as string },
    })),
    ...keyPaths('the admin API (check now, test alerts) encrypts with the topic key', r.adminRole, r.key, other),
    ...['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'].map((action) => ({
      name: `a holder of the admin caller policy may ${action} on the admin function`,
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:user/admin`,
        action,
        resource: r.admin,
        holds: [r.callerPolicy],
        ...(action === 'lambda:InvokeFunctionUrl' ? { context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } : {}),
      },
      unrelated: { principal: `arn:aws:iam::${ACCOUNT}:user/someone`, action, resource: r.admin },
    })),
  ];
  // The account function reads the account's certificates: ACM and IAM ones, and secrets and
  // parameters only when tagged for certvigil (the same request without the tag is refused).
  const acmArn = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`;
  const secretArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:partner/mtls-AbCdEf`;
  const parameterArn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/certs/partner`;
  const tagged = { 'aws:ResourceTag/certvigil': 'true' };
  const trustStoreObject = 'arn:aws:s3:::partner-trust/api/truststore.pem';
  const taggedObject = { 's3:ExistingObjectTag/certvigil': 'true', 'aws:ResourceAccount': ACCOUNT };
  paths.push(
    ...['acm:DescribeCertificate', 'acm:GetCertificate'].map((action) => ({
      name: `the account function may ${action}`,
      request: { principal: r.accountRole, action, resource: acmArn },
      unrelated: { principal: r.probeRole, action, resource: acmArn },
    })),
    {
      name: 'the account function reads IAM server certificates',
      request: {
        principal: r.accountRole,
        action: 'iam:GetServerCertificate',
        resource: `arn:aws:iam::${ACCOUNT}:server-certificate/legacy-elb`,
      },
      unrelated: {
        principal: r.documentsRole,
        action: 'iam:GetServerCertificate',
        resource: `arn:aws:iam::${ACCOUNT}:server-certificate/legacy-elb`,
      },
    },
    {
      name: 'the account function reads a secret tagged for certvigil (not an untagged one)',
      request: {
        principal: r.accountRole,
        action: 'secretsmanager:GetSecretValue',
        resource: secretArn,
        context: tagged,
      },
      unrelated: { principal: r.accountRole, action: 'secretsmanager:GetSecretValue', resource: secretArn },
    },
    {
      name: 'the account function decrypts a tagged secret with its customer key, only through Secrets Manager',
      request: {
        principal: r.accountRole,
        action: 'kms:Decrypt',
        resource: EXTERNAL_KEY,
        context: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` },
        resourcePolicy: DEFAULT_KEY_POLICY,
      },
      unrelated: {
        principal: r.accountRole,
        action: 'kms:Decrypt',
        resource: EXTERNAL_KEY,
        resourcePolicy: DEFAULT_KEY_POLICY,
      },
    },
    {
      name: 'the account function reads a trust store object tagged for certvigil (not an untagged one)',
      request: { principal: r.accountRole, action: 's3:GetObject', resource: trustStoreObject, context: taggedObject },
      unrelated: {
        principal: r.accountRole,
        action: 's3:GetObject',
        resource: trustStoreObject,
        context: { 'aws:ResourceAccount': ACCOUNT },
      },
    },
    {
      name: "the account function reads a tagged trust store object of this account (not another account's)",
      request: {
        principal: r.accountRole,
        action: 's3:GetObjectVersion',
        resource: trustStoreObject,
        context: taggedObject,
      },
      unrelated: {
        principal: r.accountRole,
        action: 's3:GetObjectVersion',
        resource: trustStoreObject,
        context: { ...taggedObject, 'aws:ResourceAccount': '999999999999' },
      },
    },
    {
      name: 'the account function reads a parameter tagged for certvigil (not an untagged one)',
      request: { principal: r.accountRole, action: 'ssm:GetParameter', resource: parameterArn, context: tagged },
      unrelated: { principal: r.accountRole, action: 'ssm:GetParameter', resource: parameterArn },
    },
  );
  const samlProviderArn = `arn:aws:iam::${ACCOUNT}:saml-provider/okta`;
  const poolArn = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbC123`;
  paths.push(
    {
      name: 'the account function reads IAM SAML providers (their metadata)',
      request: { principal: r.accountRole, action: 'iam:GetSAMLProvider', resource: samlProviderArn },
      unrelated: { principal: r.documentsRole, action: 'iam:GetSAMLProvider', resource: samlProviderArn },
    },
    {
      name: 'the account function reads IoT CA certificates',
      request: {
        principal: r.accountRole,
        action: 'iot:DescribeCACertificate',
        resource: `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/${'a'.repeat(64)}`,
      },
      unrelated: {
        principal: r.documentsRole,
        action: 'iot:DescribeCACertificate',
        resource: `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/${'a'.repeat(64)}`,
      },
    },
    ...SOURCE_READS.filter(([action, resource]) =>
      /^rds:|^acm-pca:|:cert\/|\/clientcertificates\/|\/domainnames\/|:truststore\//.test(`${action}${resource}`),
    ).map(([action, resource]) => ({
      name: `the account function may ${action} on ${resource}`,
      request: { principal: r.accountRole, action, resource },
      unrelated: { principal: r.documentsRole, action, resource },
    })),
    ...['cognito-idp:GetSigningCertificate', 'cognito-idp:DescribeIdentityProvider'].map((action) => ({
      name: `the account function may ${action} (Cognito user pools)`,
      request: { principal: r.accountRole, action, resource: poolArn },
      unrelated: { principal: r.probeRole, action, resource: poolArn },
    })),
  );
  // "Check now" in the admin API reads account sources as the account function does.
  paths.push(
    ...SOURCE_READS.map(([action, resource, context]) => ({
      name: `the admin API may ${action} (check now of an account target)`,
      request: { principal: r.adminRole, action, resource, ...(context ? { context } : {}) },
      unrelated: { principal: r.dispatcherRole, action, resource, ...(context ? { context } : {}) },
    })),
  );
  // Discovery: scheduled daily, started by the admin API, lists the inventory, enrols targets.
  paths.push(
    {
      name: 'EventBridge Scheduler assumes the discovery scheduler role',
      request: { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: r.discoverySchedulerRole },
      unrelated: { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: r.discoverySchedulerRole },
    },
    {
      name: 'the discovery schedule invokes discovery',
      request: { principal: r.discoverySchedulerRole, action: 'lambda:InvokeFunction', resource: r.discovery },
      unrelated: { principal: r.schedulerRole, action: 'lambda:InvokeFunction', resource: r.discovery },
    },
    {
      name: 'the discovery schedule dead-letters undeliverable runs to the failure queue',
      request: { principal: r.discoverySchedulerRole, action: 'sqs:SendMessage', resource: r.failureQueue },
      unrelated: { principal: other, action: 'sqs:SendMessage', resource: r.failureQueue },
    },
    ...keyPaths(
      'the discovery schedule encrypts dead letters with the queue key',
      r.discoverySchedulerRole,
      r.key,
      other,
    ),
    {
      name: 'the admin API starts discovery (POST /discover)',
      request: { principal: r.adminRole, action: 'lambda:InvokeFunction', resource: r.discovery },
      unrelated: { principal: r.probeRole, action: 'lambda:InvokeFunction', resource: r.discovery },
    },
    // The summary (issue 30): every writer of targets adds to the counters; the admin API reads
    // them; the dispatcher's daily recount relists targets and repairs and records the counters.
    ...(
      [
        ['probe', r.probeRole, 'dynamodb:UpdateItem', r.summary],
        ['documents function', r.documentsRole, 'dynamodb:UpdateItem', r.summary],
        ['account function', r.accountRole, 'dynamodb:UpdateItem', r.summary],
        ['discovery', r.discoveryRole, 'dynamodb:UpdateItem', r.summary],
        ['admin API', r.adminRole, 'dynamodb:UpdateItem', r.summary],
        ['admin API', r.adminRole, 'dynamodb:Query', r.summary],
        ['dispatcher', r.dispatcherRole, 'dynamodb:Query', r.summary],
        ['dispatcher', r.dispatcherRole, 'dynamodb:UpdateItem', r.summary],
        ['dispatcher', r.dispatcherRole, 'dynamodb:DeleteItem', r.summary],
        ['dispatcher', r.dispatcherRole, 'dynamodb:PutItem', r.summary],
        ['dispatcher', r.dispatcherRole, 'dynamodb:UpdateItem', r.targets],
      ] as const
    ).map(([name, principal, action, resource]) => ({
      name: `the ${name} may ${action} on ${resource}`,
      request: { principal, action, resource },
      unrelated: { principal: r.notifierRole, action, resource },
    })),
    // The owner directory (issue 31): the admin API keeps owners in the directory table and makes,
    // changes and ends their email subscriptions on the alert topic (and no other topic's).
    ...(
      [
        ['dynamodb:GetItem', r.directory],
        ['dynamodb:PutItem', r.directory],
        ['dynamodb:UpdateItem', r.directory],
        ['dynamodb:DeleteItem', r.directory],
        ['dynamodb:Query', r.directory],
        ['sns:Subscribe', r.topic],
        ['sns:ListSubscriptionsByTopic', r.topic],
        // IAM authorizes a subscription's actions on its topic.
        ['sns:SetSubscriptionAttributes', r.topic],
        ['sns:Unsubscribe', r.topic],
      ] as const
    ).map(([action, resource]) => ({
      name: `the admin API's owner directory may ${action} on ${resource}`,
      request: { principal: r.adminRole, action, resource },
      // Another function may not; nor may the admin API touch another topic's subscriptions.
      unrelated:
        resource === r.topic
          ? { principal: r.adminRole, action, resource: `arn:aws:sns:${REGION}:${ACCOUNT}:someone-elses-topic` }
          : { principal: r.notifierRole, action, resource },
    })),
    // Maintenance windows (issue 31): every function that checks targets reads them.
    ...(
      [
        ['probe', r.probeRole],
        ['documents function', r.documentsRole],
        ['account function', r.accountRole],
        ['admin API', r.adminRole],
      ] as const
    ).map(([name, principal]) => ({
      name: `the ${name} reads the maintenance windows (dynamodb:Query on the directory)`,
      request: { principal, action: 'dynamodb:Query', resource: r.directory },
      unrelated: { principal: r.notifierRole, action: 'dynamodb:Query', resource: r.directory },
    })),
    // Exports (issue 30): the admin API starts the export function and presigns its objects; the
    // export function reads the lists index and the items, and writes objects under exports/ only.
    ...(
      [
        ['admin API', r.adminRole, 'lambda:InvokeFunction', policies.arn(r.exportFn)],
        ['admin API', r.adminRole, 's3:GetObject', `${policies.arn(r.exportBucket)}/exports/0f1e.csv`],
        ['admin API', r.adminRole, 's3:ListBucket', policies.arn(r.exportBucket)],
        ['export function', r.exportRole, 'dynamodb:Query', `${policies.arn(r.targets)}/index/lists`],
        ['export function', r.exportRole, 'dynamodb:BatchGetItem', policies.arn(r.targets)],
        ['export function', r.exportRole, 'dynamodb:Query', `${policies.arn(r.certificates)}/index/certificate-lists`],
        ['export function', r.exportRole, 's3:PutObject', `${policies.arn(r.exportBucket)}/exports/0f1e.csv`],
        [
          'export function',
          r.exportRole,
          's3:AbortMultipartUpload',
          `${policies.arn(r.exportBucket)}/exports/0f1e.csv`,
        ],
      ] as const
    ).map(([name, principal, action, resource]) => ({
      name: `the ${name} may ${action} on ${resource}`,
      request: { principal, action, resource },
      unrelated: { principal: r.notifierRole, action, resource },
    })),
    {
      name: 'the export function writes nothing outside exports/',
      request: {
        principal: r.exportRole,
        action: 's3:PutObject',
        resource: `${policies.arn(r.exportBucket)}/exports/x.csv`,
      },
      unrelated: {
        principal: r.exportRole,
        action: 's3:PutObject',
        resource: `${policies.arn(r.exportBucket)}/other/x.csv`,
      },
    },
    ...['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({
      name: `discovery may ${action} on the targets`,
      request: { principal: r.discoveryRole, action, resource: r.targets },
      unrelated: { principal: r.notifierRole, action, resource: r.targets },
    })),
    {
      name: 'discovery publishes resource-vanished events',
      request: { principal: r.discoveryRole, action: 'sns:Publish', resource: r.topic },
      unrelated: { principal: r.notifierRole, action: 'sns:Publish', resource: r.topic },
    },
    ...keyPaths('discovery encrypts notifications with the topic key', r.discoveryRole, r.key, other),
    ...DISCOVERY_READS.map(([action, resource]) => ({
      name: `discovery may ${action} on ${resource}`,
      request: { principal: r.discoveryRole, action, resource },
      unrelated: { principal: r.probeRole, action, resource },
    })),
  );
  // Owners' own channel routes (issue 31): secrets under the stack's prefix, kept by the admin API
  // and read by the channels' notifiers; nothing outside the prefix.
  const ownerSecret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:certvigil/Certvigil/owners/abc/slack-AbCdEf`;
  const otherStack = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:certvigil/Other/owners/abc/slack-AbCdEf`;
  paths.push(
    ...['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'].map(
      (action) => ({
        name: `the admin API may ${action} an owner's channel secret (not another stack's)`,
        request: { principal: r.adminRole, action, resource: ownerSecret },
        unrelated: { principal: r.adminRole, action, resource: otherStack },
      }),
    ),
    {
      name: "the notifier reads owners' channel secrets, the probe does not",
      request: { principal: r.notifierRole, action: 'secretsmanager:GetSecretValue', resource: ownerSecret },
      unrelated: { principal: r.probeRole, action: 'secretsmanager:GetSecretValue', resource: ownerSecret },
    },
    {
      name: "the notifier may not change owners' channel secrets",
      request: { principal: r.notifierRole, action: 'secretsmanager:GetSecretValue', resource: ownerSecret },
      unrelated: { principal: r.notifierRole, action: 'secretsmanager:PutSecretValue', resource: ownerSecret },
    },
  );
  if (r.secret) {
    paths.push({
      name: 'the notifier reads the Slack secret',
      request: { principal: r.notifierRole, action: 'secretsmanager:GetSecretValue', resource: r.secret },
      unrelated: { principal: r.probeRole, action: 'secretsmanager:GetSecretValue', resource: r.secret },
    });
  }
  const consumers: [string, string, string | undefined, string][] = [
    ['probe', r.probeRole, r.probeQueue, r.probe],
    ['documents function', r.documentsRole, r.documentsQueue, r.documents],
    ['account function', r.accountRole, r.accountQueue, r.account],
  ];
  for (const [name, role, queue, fn] of consumers) {
    if (queue) {
      paths.push(
        {
          name: `the dispatcher sends targets to the ${name}'s queue`,
          request: { principal: r.dispatcherRole, action: 'sqs:SendMessage', resource: queue },
          unrelated: { principal: r.notifierRole, action: 'sqs:SendMessage', resource: queue },
        },
        ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => ({
          name: `the ${name}'s event source may ${action} on its queue`,
          request: { principal: role, action, resource: queue },
          unrelated: { principal: r.notifierRole, action, resource: queue },
        })),
      );
    } else {
      paths.push({
        name: `the dispatcher invokes the ${name}`,
        request: { principal: r.dispatcherRole, action: 'lambda:InvokeFunction', resource: fn },
        unrelated: { principal: r.notifierRole, action: 'lambda:InvokeFunction', resource: fn },
      });
    }
  }
  return paths;
}

function suite(title: string, context: Record<string, unknown>, extra: (p: TemplatePolicies) => Path[] = () => []) {
  describe(title, () => {
    let policies: TemplatePolicies;
    let stack: CertvigilStack;
    let paths: Path[] = [];
    beforeAll(() => {
      let template: Template;
      ({ stack, template } = synthStack(context));
      policies = new TemplatePolicies(template.toJSON() as never);
      paths = [...pathsOf(policies, stack), ...extra(policies)];
    }, 120_000);

    it('allows every service path the architecture relies on', async () => {
      const refused: string[] = [];
      for (const path of paths) {
        const outcome = await policies.simulate(path.request);
        if (outcome.result !== 'Allowed') refused.push(`${path.name}: ${outcome.result}`);
      }
      expect(refused).toEqual([]);
      expect(paths.length).toBeGreaterThan(30);
    });

    it('refuses the same requests from unrelated principals', async () => {
      const allowed: string[] = [];
      for (const path of paths) {
        const outcome = await policies.simulate(path.unrelated);
        if (outcome.result === 'Allowed') allowed.push(path.name);
      }
      expect(allowed).toEqual([]);
    });

    it('breaks a path when any one policy granting it loses its grant', async () => {
      const survived: string[] = [];
      let removals = 0;
      for (const path of paths) {
        const outcome = await policies.simulate(path.request);
        expect(outcome.allowedBy.length, path.name).toBeGreaterThan(0);
        for (const ref of outcome.allowedBy) {
          removals++;
          const after = await policies.without(ref, outcome.sids).simulate(path.request);
          if (after.result === 'Allowed') survived.push(`${path.name} without ${ref.name}`);
        }
      }
      expect(survived).toEqual([]);
      expect(removals).toBeGreaterThan(paths.length);
    });
  });
}

suite('IAM paths of the default stack (invoke mode)', {});
suite('IAM paths in queue mode', { certvigil: { dispatchMode: 'queue' } });
suite('IAM paths with an existing Slack secret encrypted by a customer managed key', {
  certvigil: {
    slackSecret: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:certvigil/slack-AbCdEf`,
    slackSecretKmsKey: EXTERNAL_KEY,
  },
}, (policies) => {
  const role = policies.idsOf('AWS::IAM::Role').find((id) => id.startsWith('AlertsNotifierRole')) as string;
  const probeRole = policies.idsOf('AWS::IAM::Role').find((id) => id.startsWith('ProbesProbeRole')) as string;
  const secret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:certvigil/slack-AbCdEf`;
  const via = { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` };
  return [
    {
      name: 'the notifier reads the existing secret',
      request: { principal: role, action: 'secretsmanager:GetSecretValue', resource: secret },
      unrelated: { principal: probeRole, action: 'secretsmanager:GetSecretValue', resource: secret },
    },
    {
      name: 'the notifier decrypts the secret with its customer key, through Secrets Manager',
      request: {
        principal: role,
        action: 'kms:Decrypt',
        resource: EXTERNAL_KEY,
        context: via,
        resourcePolicy: DEFAULT_KEY_POLICY,
      },
      unrelated: {
        principal: probeRole,
        action: 'kms:Decrypt',
        resource: EXTERNAL_KEY,
        context: via,
        resourcePolicy: DEFAULT_KEY_POLICY,
      },
    },
  ];
});

// Every channel: each has its own function, subscription, secret, retries and failure
// destination; no notifier can read another channel's secret.
suite('IAM paths with every channel enabled', {
  certvigil: { channels: ['slack', 'teams', 'pagerduty', 'webhook'] },
}, (policies) => {
  const roles = policies.idsOf('AWS::IAM::Role');
  const functions = policies.idsOf('AWS::Lambda::Function');
  const secrets = policies.idsOf('AWS::SecretsManager::Secret');
  const topic = policies.idsOf('AWS::SNS::Topic').find((id) => id.startsWith('AlertsTopic')) as string;
  const key = policies.idsOf('AWS::KMS::Key')[0] as string;
  const queue = policies.idsOf('AWS::SQS::Queue').find((id) => id.startsWith('FailuresQueue')) as string;
  const channels = [
    ['Slack', 'AlertsNotifier', 'AlertsSlackWebhook'],
    ['Teams', 'AlertsTeamsNotifier', 'AlertsTeamsWebhook'],
    ['PagerDuty', 'AlertsPagerdutyNotifier', 'AlertsPagerdutyRoutingKey'],
    ['webhook', 'AlertsWebhookNotifier', 'AlertsWebhookTarget'],
  ].map(([name, fn, secret]) => ({
    name: name as string,
    fn: functions.find((id) => id.startsWith(fn as string) && !id.startsWith(`${fn}Role`)) as string,
    role: roles.find((id) => id.startsWith(`${fn}Role`)) as string,
    secret: secrets.find((id) => id.startsWith(secret as string)) as string,
  }));
  const found = channels.map((c) => [c.fn, c.role, c.secret].every(Boolean));
  if (found.includes(false))
    throw new Error(`a channel's function, role or secret is missing: ${JSON.stringify(channels)}`);
  const other = `arn:aws:iam::${OTHER_ACCOUNT}:role/intruder`;
  // PagerDuty is filtered (critical): certvigil's own alarms reach it through the alarm topic.
  const alarmTopic = policies.idsOf('AWS::SNS::Topic').find((id) => id.startsWith('AlertsAlarmTopic'));
  if (!alarmTopic) throw new Error('no alarm topic although PagerDuty is filtered');
  const alarm = policies.arn(policies.idsOf('AWS::CloudWatch::Alarm')[0] as string);
  const pagerduty = channels[2] as (typeof channels)[number];
  const alarmPaths: Path[] = [
    {
      name: 'CloudWatch alarms of this account publish to the alarm topic of filtered channels',
      request: {
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: alarmTopic,
        context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarm },
      },
      unrelated: {
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: alarmTopic,
        context: {
          'aws:SourceAccount': OTHER_ACCOUNT,
          'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:theirs`,
        },
      },
    },
    {
      name: 'the alarm topic delivers to the PagerDuty notifier',
      request: {
        principal: 'sns.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: pagerduty.fn,
        context: { 'aws:SourceArn': policies.arn(alarmTopic), 'aws:SourceAccount': ACCOUNT },
      },
      unrelated: {
        principal: 'sns.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: pagerduty.fn,
        context: {
          'aws:SourceArn': `arn:aws:sns:${REGION}:${OTHER_ACCOUNT}:other-topic`,
          'aws:SourceAccount': OTHER_ACCOUNT,
        },
      },
    },
  ];
  return alarmPaths.concat(
    channels.flatMap((c, i) => {
      const neighbour = channels[(i + 1) % channels.length] as (typeof channels)[number];
      return [
        {
          name: `the alert topic delivers to the ${c.name} notifier`,
          request: {
            principal: 'sns.amazonaws.com',
            action: 'lambda:InvokeFunction',
            resource: c.fn,
            context: { 'aws:SourceArn': policies.arn(topic), 'aws:SourceAccount': ACCOUNT },
          },
          unrelated: {
            principal: 'sns.amazonaws.com',
            action: 'lambda:InvokeFunction',
            resource: c.fn,
            context: {
              'aws:SourceArn': `arn:aws:sns:${REGION}:${OTHER_ACCOUNT}:other-topic`,
              'aws:SourceAccount': OTHER_ACCOUNT,
            },
          },
        },
        {
          name: `the ${c.name} notifier reads its own secret, and no other notifier does`,
          request: { principal: c.role, action: 'secretsmanager:GetSecretValue', resource: c.secret },
          unrelated: { principal: neighbour.role, action: 'secretsmanager:GetSecretValue', resource: c.secret },
        },
        {
          name: `failed ${c.name} deliveries go to the failure queue`,
          request: { principal: c.role, action: 'sqs:SendMessage', resource: queue },
          unrelated: { principal: other, action: 'sqs:SendMessage', resource: queue },
        },
        ...keyPaths(`the ${c.name} failure destination encrypts with the queue key`, c.role, key, other),
      ];
    }),
  );
});

// Certificate Transparency discovery keeps its positions in the certificates table and may read
// the Cert Spotter token secret; without ctDomains it has neither (the default suites).
const CT_TOKEN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:certvigil/ct-token-AbCdEf`;
// With runbooks on (issue 31) as well: every function that publishes events puts them on the
// default bus, with source certvigil only.
suite('IAM paths with Certificate Transparency discovery and runbooks', {
  certvigil: { ctDomains: ['example.com'], ctApiTokenSecret: CT_TOKEN, runbookEvents: true },
}, (policies) => {
  const roles = policies.idsOf('AWS::IAM::Role');
  const discoveryRole = roles.find((id) => id.startsWith('DiscoveryDiscoveryRole')) as string;
  const probeRole = roles.find((id) => id.startsWith('ProbesProbeRole')) as string;
  const bus = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
  const notifierRole = roles.find((id) => id.startsWith('AlertsNotifierRole')) as string;
  const runbooks = [
    'ProbesProbeRole',
    'ProbesDocumentsRole',
    'ProbesAccountRole',
    'AdminApiAdminRole',
    'DiscoveryDiscoveryRole',
  ].map((prefix) => {
    const role = roles.find((id) => id.startsWith(prefix));
    if (!role) throw new Error(`no role ${prefix}`);
    return role;
  });
  const certificates = policies
    .idsOf('AWS::DynamoDB::GlobalTable')
    .find((id) => id.startsWith('StoreCertificates')) as string;
  return [
    ...['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({
      name: `discovery may ${action} its CT positions in the certificates table`,
      request: { principal: discoveryRole, action, resource: certificates },
      unrelated: { principal: discoveryRole, action: 'dynamodb:DeleteItem', resource: certificates },
    })),
    ...runbooks.map((role) => ({
      name: `${role} puts runbook events on the default bus (source certvigil)`,
      request: {
        principal: role,
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': ['certvigil'] },
      },
      // An entry of another source is refused to the same role.
      unrelated: {
        principal: role,
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': ['certvigil', 'aws.s3'] },
      },
    })),
    {
      name: 'a function that publishes no events (a notifier) may not put runbook events',
      request: {
        principal: probeRole,
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': ['certvigil'] },
      },
      unrelated: {
        principal: notifierRole,
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': ['certvigil'] },
      },
    },
    {
      name: 'discovery reads the Cert Spotter token secret, and the probe does not',
      request: { principal: discoveryRole, action: 'secretsmanager:GetSecretValue', resource: CT_TOKEN },
      unrelated: { principal: probeRole, action: 'secretsmanager:GetSecretValue', resource: CT_TOKEN },
    },
  ];
});

// Signed action links (issue 31), with runbooks: the action function records acknowledgements
// (the target's item, its timeline, the ledger in the directory) and reads the signing key; the
// functions whose messages carry links read the key too; nothing else does.
suite('IAM paths with action links and runbooks', {
  certvigil: { actionLinks: true, runbookEvents: true },
}, (policies) => {
  const roles = policies.idsOf('AWS::IAM::Role');
  const roleOf = (prefix: string) => {
    const role = roles.find((id) => id.startsWith(prefix));
    if (!role) throw new Error(`no role ${prefix}`);
    return role;
  };
  const tableOf = (prefix: string) =>
    policies.idsOf('AWS::DynamoDB::GlobalTable').find((id) => id.startsWith(prefix)) as string;
  const actions = roleOf('ActionLinksActionsRole');
  const notifier = roleOf('AlertsNotifierRole');
  const key = policies.idsOf('AWS::SecretsManager::Secret').find((id) => id.startsWith('ActionLinksKey')) as string;
  const bus = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
  const writes: [string, string, string][] = [
    ['dynamodb:GetItem', 'StoreTargets', 'DeleteItem'],
    ['dynamodb:UpdateItem', 'StoreTargets', 'DeleteItem'],
    ['dynamodb:PutItem', 'StoreHistory', 'DeleteItem'],
    ['dynamodb:GetItem', 'StoreDirectory', 'Scan'],
    ['dynamodb:PutItem', 'StoreDirectory', 'Scan'],
    ['dynamodb:UpdateItem', 'StoreDirectory', 'Scan'],
    ['dynamodb:DeleteItem', 'StoreDirectory', 'Scan'],
  ];
  return [
    ...writes.map(([action, table, refused]) => ({
      name: `the action function may ${action} on ${table} (and not dynamodb:${refused})`,
      request: { principal: actions, action, resource: tableOf(table) },
      unrelated: { principal: actions, action: `dynamodb:${refused}`, resource: tableOf(table) },
    })),
    {
      name: 'the action function reads the signing key, a notifier does not',
      request: { principal: actions, action: 'secretsmanager:GetSecretValue', resource: key },
      unrelated: { principal: notifier, action: 'secretsmanager:GetSecretValue', resource: key },
    },
    ...['ProbesProbeRole', 'ProbesDocumentsRole', 'ProbesAccountRole', 'AdminApiAdminRole'].map((prefix) => ({
      name: `${prefix} reads the signing key to sign links in its messages; discovery does not`,
      request: { principal: roleOf(prefix), action: 'secretsmanager:GetSecretValue', resource: key },
      unrelated: {
        principal: roleOf('DiscoveryDiscoveryRole'),
        action: 'secretsmanager:GetSecretValue',
        resource: key,
      },
    })),
    {
      name: 'the action function puts acknowledgements on the default bus (source certvigil), and publishes nothing',
      request: {
        principal: actions,
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': ['certvigil'] },
      },
      unrelated: {
        principal: actions,
        action: 'sns:Publish',
        resource: policies.idsOf('AWS::SNS::Topic')[0] as string,
      },
    },
  ];
});

// Member accounts: the reading functions assume the member role that infra/member-stack.ts
// creates, whose trust admits only roles of the monitoring account carrying the reader tag.
const MEMBER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/${MEMBER_ROLE_NAME}`;
/** The policies of the member stack as a member account deploys it. */
function memberPolicies(): TemplatePolicies {
  const member = new CertvigilMemberStack(new App(), 'Member', {
    env: { account: OTHER_ACCOUNT, region: REGION },
    monitoringAccount: ACCOUNT,
    sourceTag: 'certvigil',
  });
  const template = Template.fromStack(member).toJSON();
  rmSync(member.node.root instanceof App ? (member.node.root as App).outdir : '', { recursive: true, force: true });
  return new TemplatePolicies(template as never);
}
function memberTrust(): PolicyDocument {
  const policies = memberPolicies();
  const trust = policies.policies.find((p) => p.name.endsWith(' trust'));
  if (!trust) throw new Error('the member stack has no role trust policy');
  return trust.document;
}
suite('IAM paths with member accounts', { certvigil: { accountRoleArns: [MEMBER_ROLE] } }, (policies) => {
  const trust = memberTrust();
  const roles = policies.idsOf('AWS::IAM::Role');
  const roleOf = (prefix: string) => roles.find((id) => id.startsWith(prefix)) as string;
  const tagged = { [`aws:PrincipalTag/${READER_TAG.key}`]: READER_TAG.value };
  return (
    [
      ['discovery', roleOf('DiscoveryDiscoveryRole')],
      ['the account function', roleOf('ProbesAccountRole')],
      ['the admin API', roleOf('AdminApiAdminRole')],
    ] as const
  ).map(([name, role]) => ({
    name: `${name} assumes the member account's read role`,
    request: {
      principal: role,
      action: 'sts:AssumeRole',
      resource: MEMBER_ROLE,
      resourcePolicy: trust,
      context: tagged,
    },
    unrelated: {
      principal: roleOf('ProbesProbeRole'),
      action: 'sts:AssumeRole',
      resource: MEMBER_ROLE,
      resourcePolicy: trust,
      context: tagged,
    },
  }));
});

describe('member account read role', () => {
  it('allows every read of targets and of discovery, and no write', async () => {
    const policies = memberPolicies();
    const [role] = policies.idsOf('AWS::IAM::Role');
    if (!role) throw new Error('the member stack has no role');
    const refused: string[] = [];
    // The member account's own resources.
    const there = (arn: string) => arn.replaceAll(ACCOUNT, OTHER_ACCOUNT);
    for (const [action, resource, context] of [...SOURCE_READS, ...DISCOVERY_READS.map(([a, r]) => [a, r] as const)]) {
      const answer = await policies.simulate({
        principal: MEMBER_ROLE,
        holds: [role],
        action,
        resource: there(resource),
        ...(context ? { context: Object.fromEntries(Object.entries(context).map(([k, v]) => [k, there(v)])) } : {}),
      });
      if (answer.result !== 'Allowed') refused.push(action);
    }
    expect(refused).toEqual([]);
    for (const [action, resource] of [
      ['iam:UpdateSAMLProvider', `arn:aws:iam::${ACCOUNT}:saml-provider/okta`],
      ['acm:DeleteCertificate', `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`],
    ] as const) {
      const answer = await policies.simulate({
        principal: MEMBER_ROLE,
        holds: [role],
        action,
        resource: there(resource),
      });
      expect(answer.result).not.toBe('Allowed');
    }
  });
});

describe('member account trust', () => {
  it('admits only tagged roles of the monitoring account, and the reading roles carry the tag', async () => {
    const trust = memberTrust();
    const { template } = synthStack({ certvigil: { accountRoleArns: [MEMBER_ROLE] } });
    const policies = new TemplatePolicies(template.toJSON() as never);
    const discoveryRole = policies
      .idsOf('AWS::IAM::Role')
      .find((id) => id.startsWith('DiscoveryDiscoveryRole')) as string;
    const untagged = await policies.simulate({
      principal: discoveryRole,
      action: 'sts:AssumeRole',
      resource: MEMBER_ROLE,
      resourcePolicy: trust,
    });
    expect(untagged.result).not.toBe('Allowed');
    const tags = (template.toJSON().Resources[discoveryRole].Properties.Tags ?? []) as { Key: string; Value: string }[];
    expect(tags).toContainEqual({ Key: READER_TAG.key, Value: READER_TAG.value });
    const probeRole = policies.idsOf('AWS::IAM::Role').find((id) => id.startsWith('ProbesProbeRole')) as string;
    expect(template.toJSON().Resources[probeRole].Properties.Tags ?? []).not.toContainEqual({
      Key: READER_TAG.key,
      Value: READER_TAG.value,
    });
  });
});
