// Discovery of what an AWS account holds, through DynamoDB Local: aws-sdk-client-mock answers
// as each service does (pages, throttling, access denied in one region), and the enrolled
// targets are then checked with real certificates the fixtures mint.
import {
  ACMClient,
  DescribeCertificateCommand,
  GetCertificateCommand,
  KeyAlgorithm,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  APIGatewayClient,
  GetClientCertificateCommand,
  GetClientCertificatesCommand,
  GetDomainNamesCommand as GetRestDomainNamesCommand,
} from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetDomainNamesCommand } from '@aws-sdk/client-apigatewayv2';
import {
  AppSyncClient,
  ListTagsForResourceCommand as AppSyncTags,
  ListDomainNamesCommand,
} from '@aws-sdk/client-appsync';
import {
  CloudFrontClient,
  ListTagsForResourceCommand as CloudFrontTags,
  ListDistributionsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CognitoIdentityProviderClient,
  ListTagsForResourceCommand as CognitoTags,
  DescribeIdentityProviderCommand,
  GetSigningCertificateCommand,
  ListIdentityProvidersCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTrustStoresCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetSAMLProviderCommand,
  GetServerCertificateCommand,
  IAMClient,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  ListServerCertificatesCommand,
  ListServerCertificateTagsCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeCertificateCommand as DescribeIotCertificate,
  IoTClient,
  ListTagsForResourceCommand as IotTags,
  ListCACertificatesCommand,
  ListCertificatesCommand as ListIotCertificates,
} from '@aws-sdk/client-iot';
import { DescribeCertificatesCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  SSMClient,
  ListTagsForResourceCommand as SsmTags,
} from '@aws-sdk/client-ssm';
import type { MetadataBearer } from '@smithy/types';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiscoveryOptions } from '../../lib/discovery/discover.ts';
import { DISCOVERY_SERVICES, FINDERS } from '../../lib/discovery/finders/index.ts';
import { runDiscovery } from '../../lib/discovery/run-discovery.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { accountRoles } from '../../lib/sources/aws/account-roles.ts';
import {
  GetCertificateAuthorityCertificateCommand,
  ListCertificateAuthoritiesCommand,
  ListTagsCommand,
  PrivateCaClient,
} from '../../lib/sources/aws/acm-pca-client.ts';
import { clientFor } from '../../lib/sources/aws/clients.ts';
import type { DiscoveryService } from '../../lib/sources/aws/kind-module.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createRootCa, daysFromNow, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { samlMetadata } from '../fixtures/documents.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { publishedNotifications } from '../fixtures/sns.ts';

const HOME = '111111111111';
const MEMBER = '222222222222';
const acm = mockClient(ACMClient);
const iam = mockClient(IAMClient);
const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const cloudfront = mockClient(CloudFrontClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const restApi = mockClient(APIGatewayClient);
const httpApi = mockClient(ApiGatewayV2Client);
const appsync = mockClient(AppSyncClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const iot = mockClient(IoTClient);
const rds = mockClient(RDSClient);
// Private CA's client has the SDK's shape (send, commands with input), so the same mock stands in.
const pca = mockClient(PrivateCaClient as never) as unknown as AwsStub<
  object,
  MetadataBearer & Record<string, unknown>,
  never
>;
const sns = mockClient(SNSClient);
const ALL: { reset(): void; restore(): void }[] = [
  acm,
  iam,
  secrets,
  ssm,
  cloudfront,
  elb,
  restApi,
  httpApi,
  appsync,
  cognito,
  iot,
  rds,
  pca,
  sns,
];

let tables: TestTables;
let store: TargetStore;
let expiring: Minted;
let intermediate: Minted;

const certArn = (region: string, id: string, account = HOME) => `arn:aws:acm:${region}:${account}:certificate/${id}`;

/** The region of the client a command was sent with. */
async function regionOf(getClient: () => unknown): Promise<string> {
  return (getClient() as { config: { region: () => Promise<string> } }).config.region();
}

/** Every service answering "nothing here", so a test sets up only what it is about. */
function emptyAccount() {
  for (const m of ALL) m.reset();
  acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
  acm.on(ListTagsForCertificateCommand).resolves({ Tags: [] });
  iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: [], IsTruncated: false });
  iam.on(ListServerCertificateTagsCommand).resolves({ Tags: [] });
  iam.on(ListSAMLProvidersCommand).resolves({ SAMLProviderList: [] });
  iam.on(ListSAMLProviderTagsCommand).resolves({ Tags: [] });
  cognito.on(ListUserPoolsCommand).resolves({ UserPools: [] });
  iot.on(ListCACertificatesCommand).resolves({ certificates: [] });
  iot.on(ListIotCertificates).resolves({ certificates: [] });
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  pca.on(ListCertificateAuthoritiesCommand as never).resolves({ CertificateAuthorities: [] });
  secrets.on(ListSecretsCommand).resolves({ SecretList: [] });
  ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
  ssm.on(SsmTags).resolves({ TagList: [] });
  cloudfront.on(ListDistributionsCommand).resolves({ DistributionList: { Items: [], IsTruncated: false } as never });
  cloudfront.on(CloudFrontTags).resolves({ Tags: { Items: [] } });
  elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
  elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
  elb.on(DescribeListenersCommand).resolves({ Listeners: [] });
  elb.on(DescribeTrustStoresCommand).resolves({ TrustStores: [] });
  restApi.on(GetRestDomainNamesCommand).resolves({ items: [] });
  restApi.on(GetClientCertificatesCommand).resolves({ items: [] });
  httpApi.on(GetDomainNamesCommand).resolves({ Items: [] });
  appsync.on(ListDomainNamesCommand).resolves({ domainNameConfigs: [] });
  appsync.on(AppSyncTags).resolves({ tags: {} });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
}

/** ACM listing `ids` in each region (two pages of them), with an owner tag on each. */
function acmHolds(byRegion: Record<string, string[]>) {
  acm.on(ListCertificatesCommand).callsFake(async (input, getClient) => {
    const region = await regionOf(getClient);
    const ids = byRegion[region] ?? [];
    const arns = ids.map((id) => certArn(region, id));
    const half = Math.ceil(arns.length / 2);
    const page = input.NextToken === 'page-2' ? arns.slice(half) : arns.slice(0, half);
    return {
      CertificateSummaryList: page.map((CertificateArn) => ({ CertificateArn })),
      NextToken: input.NextToken === 'page-2' || arns.length < 2 ? undefined : 'page-2',
    };
  });
  acm.on(ListTagsForCertificateCommand).callsFake(async (input) => ({
    Tags: [
      { Key: 'Owner', Value: `team-${String(input.CertificateArn).split('/').pop()}` },
      { Key: 'env', Value: 'prod' },
      { Key: 'aws:cloudformation:stack-name', Value: 'web' },
    ],
  }));
}

const publishedEvents = () => publishedNotifications(sns);

function deps() {
  return testMonitor(tables, ALL_READERS);
}

function discoverNow(overrides: Partial<Parameters<typeof runDiscovery>[1]> = {}) {
  return runDiscovery(deps(), {
    regions: ['eu-west-1', 'us-east-2'],
    homeAccount: HOME,
    sourceTag: 'certvigil',
    sleep: async () => {},
    ...overrides,
  });
}

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  const root = await createRootCa();
  intermediate = await issueCertificate(root, { ca: true, notAfter: daysFromNow(1000) });
  expiring = await issueCertificate(intermediate, {
    sans: ['shop.example.com'],
    notBefore: daysFromNow(-80),
    notAfter: daysFromNow(6),
  });
});
afterAll(async () => {
  for (const m of ALL) m.restore();
  await tables.drop();
});
beforeEach(async () => {
  emptyAccount();
  for (const t of await store.scans.all(['id'])) await store.deleteTarget(t.id);
});

describe('discovery: authentication certificates', () => {
  it('enrols every IAM SAML provider once (global) with its owner, and checks its metadata', async () => {
    const okta = `arn:aws:iam::${HOME}:saml-provider/okta`;
    const adfs = `arn:aws:iam::${HOME}:saml-provider/adfs`;
    iam.on(ListSAMLProvidersCommand).resolves({
      SAMLProviderList: [
        { Arn: okta, ValidUntil: daysFromNow(3000) },
        { Arn: adfs, ValidUntil: daysFromNow(3000) },
      ],
    });
    iam.on(ListSAMLProviderTagsCommand).callsFake(async (input) => ({
      Tags:
        input.SAMLProviderArn === okta
          ? [
              { Key: 'owner', Value: 'identity' },
              { Key: 'idp', Value: 'okta' },
            ]
          : [],
    }));
    const summary = await discoverNow();
    expect(summary).toMatchObject({ enrolled: 2, problems: [], byService: { 'iam-saml': 2 } });
    expect(iam.commandCalls(ListSAMLProvidersCommand)).toHaveLength(1); // global: once, not per region
    const stored = await store.getTarget(`iam-saml:${okta}`);
    expect(stored).toMatchObject({
      kind: 'iam-saml',
      owner: 'identity',
      tags: ['discovered', 'idp=okta'],
      discovery: { service: 'iam-saml', resource: okta, account: HOME },
    });
    // Nothing read beyond the listing and the tags.
    expect(iam.commandCalls(GetSAMLProviderCommand)).toHaveLength(0);

    // Checked like any target: its metadata, from IAM, holds an IdP certificate 6 days from expiry.
    iam.on(GetSAMLProviderCommand).resolves({
      SAMLMetadataDocument: samlMetadata([
        {
          entityId: 'https://idp.example',
          roles: [{ role: 'IDPSSODescriptor', keys: [{ cert: expiring, use: 'signing' }] }],
        },
      ]),
    });
    const outcome = await probeTarget(deps(), normalizeTarget({ host: `iam-saml:${okta}` }));
    expect(outcome.result).toMatchObject({ kind: 'iam-saml', status: 'critical', certificateCount: 1 });
    expect(publishedEvents().map((n) => [n.event, n.target])).toEqual([['entered-window', `iam-saml:${okta}`]]);
    // A second run enrols nothing new and reads no tags again.
    const tagCalls = iam.commandCalls(ListSAMLProviderTagsCommand).length;
    expect((await discoverNow()).enrolled).toBe(0);
    expect(iam.commandCalls(ListSAMLProviderTagsCommand)).toHaveLength(tagCalls);
  });

  it('enrols Cognito user pools that federate with SAML: the signing certificate and each provider, in every region', async () => {
    const poolArn = (region: string, id: string) => `arn:aws:cognito-idp:${region}:${HOME}:userpool/${id}`;
    cognito.on(ListUserPoolsCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
      if (region === 'us-east-2') return { UserPools: [{ Id: 'us-east-2_Plain1', Name: 'no federation' }] };
      // Two pages in eu-west-1.
      return input.NextToken === 'p2'
        ? { UserPools: [{ Id: 'eu-west-1_Staff2', Name: 'staff' }] }
        : { UserPools: [{ Id: 'eu-west-1_Cust1', Name: 'customers' }], NextToken: 'p2' };
    });
    cognito.on(ListIdentityProvidersCommand).callsFake(async (input) => {
      switch (input.UserPoolId) {
        case 'eu-west-1_Cust1':
          return input.NextToken === 'n2'
            ? { Providers: [{ ProviderName: 'Google', ProviderType: 'Google' }] }
            : { Providers: [{ ProviderName: 'PartnerIdP', ProviderType: 'SAML' }], NextToken: 'n2' };
        case 'eu-west-1_Staff2':
          return { Providers: [{ ProviderName: 'Okta', ProviderType: 'SAML' }] };
        default:
          return { Providers: [{ ProviderName: 'Facebook', ProviderType: 'Facebook' }] };
      }
    });
    cognito.on(DescribeIdentityProviderCommand).callsFake(async (input) => ({
      IdentityProvider: {
        ProviderName: input.ProviderName,
        ProviderType: 'SAML',
        ProviderDetails:
          input.ProviderName === 'Okta'
            ? { MetadataURL: 'https://example.okta.com/app/exk1/sso/saml/metadata' }
            : { MetadataFile: '<md:EntityDescriptor/>' },
      },
    }));
    cognito.on(CognitoTags).callsFake(async (input) => ({
      Tags: input.ResourceArn === poolArn('eu-west-1', 'eu-west-1_Cust1') ? { owner: 'identity', app: 'shop' } : {},
    }));
    const summary = await discoverNow();
    expect(summary.problems).toEqual([]);
    const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
    expect(ids).toEqual(
      [
        `cognito:${poolArn('eu-west-1', 'eu-west-1_Cust1')}`,
        `cognito:${poolArn('eu-west-1', 'eu-west-1_Cust1')}#PartnerIdP`,
        `cognito:${poolArn('eu-west-1', 'eu-west-1_Staff2')}`,
        // Cognito fetches this one's metadata from its URL: certvigil reads the same document.
        'saml:https://example.okta.com/app/exk1/sso/saml/metadata',
      ].sort(),
    );
    expect(await store.getTarget(`cognito:${poolArn('eu-west-1', 'eu-west-1_Cust1')}#PartnerIdP`)).toMatchObject({
      kind: 'cognito',
      owner: 'identity',
      tags: ['discovered', 'app=shop'],
      discovery: { service: 'cognito', region: 'eu-west-1' },
    });
    // The pool without SAML federation is not watched, and no certificate was read while listing.
    expect(cognito.commandCalls(GetSigningCertificateCommand)).toHaveLength(0);
  });

  it('reports Cognito refusing one region and lists the other', async () => {
    cognito.on(ListUserPoolsCommand).callsFake(async (_input, getClient) => {
      if ((await regionOf(getClient)) === 'us-east-2') {
        throw Object.assign(new Error('User is not authorized to perform: cognito-idp:ListUserPools'), {
          name: 'AccessDeniedException',
        });
      }
      return { UserPools: [{ Id: 'eu-west-1_Cust1' }] };
    });
    cognito.on(ListIdentityProvidersCommand).resolves({ Providers: [{ ProviderName: 'P', ProviderType: 'SAML' }] });
    cognito.on(DescribeIdentityProviderCommand).resolves({
      IdentityProvider: { ProviderType: 'SAML', ProviderDetails: { MetadataFile: '<x/>' } },
    });
    cognito.on(CognitoTags).resolves({ Tags: {} });
    const summary = await discoverNow();
    expect(summary.problems).toEqual([
      expect.objectContaining({ service: 'cognito', region: 'us-east-2', kind: 'access-denied' }),
    ]);
    expect(summary.byService.cognito).toBe(2);
  });

  it('enrols the active IoT CA certificates of every region, across pages, with their owner', async () => {
    const caArn = (region: string, n: number) =>
      `arn:aws:iot:${region}:${HOME}:cacert/${String(n).repeat(64).slice(0, 64)}`;
    iot.on(ListCACertificatesCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
      if (region === 'us-east-2') return { certificates: [{ certificateArn: caArn(region, 3), status: 'ACTIVE' }] };
      return input.marker === 'm2'
        ? { certificates: [{ certificateArn: caArn(region, 2), status: 'INACTIVE' }] }
        : { certificates: [{ certificateArn: caArn(region, 1), status: 'ACTIVE' }], nextMarker: 'm2' };
    });
    iot.on(IotTags).resolves({ tags: [{ Key: 'Owner', Value: 'fleet' }] });
    const summary = await discoverNow();
    expect(summary.problems).toEqual([]);
    expect(summary.skipped).toMatchObject({ 'inactive IoT CA certificate': 1 });
    const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
    expect(ids).toEqual([`iot-ca:${caArn('eu-west-1', 1)}`, `iot-ca:${caArn('us-east-2', 3)}`].sort());
    expect(await store.getTarget(`iot-ca:${caArn('us-east-2', 3)}`)).toMatchObject({
      kind: 'iot-ca',
      owner: 'fleet',
      discovery: { service: 'iot', region: 'us-east-2' },
    });
  });

  it('enrols RDS and Aurora instances across pages with the owner from their tags; a refusing region is reported', async () => {
    const dbArn = (region: string, name: string) => `arn:aws:rds:${region}:${HOME}:db:${name}`;
    rds.on(DescribeDBInstancesCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
      if (region === 'us-east-2') {
        throw Object.assign(new Error('User is not authorized to perform: rds:DescribeDBInstances'), {
          name: 'AccessDenied',
        });
      }
      if (input.DBInstanceIdentifier) {
        return {
          DBInstances: [
            {
              DBInstanceArn: input.DBInstanceIdentifier,
              CertificateDetails: { CAIdentifier: 'rds-ca-rsa2048-g1', ValidTill: daysFromNow(9) },
            },
          ],
        };
      }
      return input.Marker === 'p2'
        ? {
            DBInstances: [
              { DBInstanceArn: dbArn(region, 'aurora-writer'), DBInstanceStatus: 'available', TagList: [] },
              { DBInstanceArn: dbArn(region, 'old'), DBInstanceStatus: 'deleting' },
            ],
          }
        : {
            DBInstances: [
              {
                DBInstanceArn: dbArn(region, 'orders-1'),
                DBInstanceStatus: 'available',
                TagList: [{ Key: 'Owner', Value: 'payments' }],
              },
            ],
            Marker: 'p2',
          };
    });
    rds.on(DescribeCertificatesCommand).resolves({
      Certificates: [
        { CertificateIdentifier: 'rds-ca-rsa2048-g1', ValidFrom: daysFromNow(-500), ValidTill: daysFromNow(13_000) },
      ],
    });
    const summary = await discoverNow();
    expect(summary.problems).toEqual([
      expect.objectContaining({ service: 'rds', region: 'us-east-2', kind: 'access-denied' }),
    ]);
    expect(summary.skipped).toMatchObject({ 'RDS instance being deleted': 1 });
    expect(summary.byService.rds).toBe(2);
    const orders = await store.getTarget(`rds:${dbArn('eu-west-1', 'orders-1')}`);
    expect(orders).toMatchObject({
      kind: 'rds',
      owner: 'payments',
      discovery: { service: 'rds', region: 'eu-west-1' },
    });
    expect(await store.getTarget(`rds:${dbArn('eu-west-1', 'aurora-writer')}`)).toMatchObject({ kind: 'rds' });
    // Listing read no certificate dates; the check of an enrolled instance does, and warns.
    expect(rds.commandCalls(DescribeCertificatesCommand)).toHaveLength(0);
    if (!orders) throw new Error('orders-1 was not enrolled');
    await probeTarget(deps(), orders);
    expect((await store.getTarget(orders.id))?.state?.result).toMatchObject({
      status: 'warning',
      subject: 'RDS server certificate of orders-1',
    });
  });

  it('enrols API Gateway client certificates across pages with their owner, a member account with its account, and checks one', async () => {
    const roles = accountRoles([`arn:aws:iam::${MEMBER}:role/certvigil-read`]);
    restApi.on(GetClientCertificatesCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
      if (region === 'us-east-2') {
        throw Object.assign(new Error('User is not authorized to perform: apigateway:GET'), {
          name: 'AccessDeniedException',
        });
      }
      return input.position === 'p2'
        ? { items: [{ clientCertificateId: 'b2', tags: {} }] }
        : { items: [{ clientCertificateId: 'a1', tags: { owner: 'payments', env: 'prod' } }], position: 'p2' };
    });
    restApi.on(GetClientCertificateCommand).resolves({ pemEncodedCertificate: expiring.certPem });
    const summary = await discoverNow({ roles });
    // Refused in us-east-2 for both accounts; listed in eu-west-1 for both.
    expect(summary.problems.map((p) => [p.service, p.account, p.region, p.kind]).sort()).toEqual([
      ['apigw-client-cert', HOME, 'us-east-2', 'access-denied'],
      ['apigw-client-cert', MEMBER, 'us-east-2', 'access-denied'],
    ]);
    const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
    expect(ids).toEqual(
      [
        'apigw-client-cert:arn:aws:apigateway:eu-west-1::/clientcertificates/a1',
        'apigw-client-cert:arn:aws:apigateway:eu-west-1::/clientcertificates/b2',
        `apigw-client-cert:arn:aws:apigateway:eu-west-1:${MEMBER}:/clientcertificates/a1`,
        `apigw-client-cert:arn:aws:apigateway:eu-west-1:${MEMBER}:/clientcertificates/b2`,
      ].sort(),
    );
    const own = await store.getTarget('apigw-client-cert:arn:aws:apigateway:eu-west-1::/clientcertificates/a1');
    expect(own).toMatchObject({
      kind: 'apigw-client-cert',
      owner: 'payments',
      discovery: { service: 'apigw-client-cert', account: HOME, region: 'eu-west-1' },
    });
    expect(own?.tags).toEqual(expect.arrayContaining(['discovered', 'env=prod']));
    if (!own) throw new Error('a1 was not enrolled');
    await probeTarget(deps(), own);
    expect((await store.getTarget(own.id))?.state?.result).toMatchObject({ status: 'critical', daysLeft: 5 });
    expect(restApi.commandCalls(GetClientCertificateCommand)[0]?.args[0].input).toEqual({ clientCertificateId: 'a1' });
  });

  it('enrols the active ELB trust stores of every region across pages, reading tags only for new ones', async () => {
    const storeArn = (region: string, name: string) =>
      `arn:aws:elasticloadbalancing:${region}:${HOME}:truststore/${name}/0123456789abcdef`;
    elb.on(DescribeTrustStoresCommand).callsFake(async (input, getClient) => {
      const region = await regionOf(getClient);
      return input.Marker === 'p2'
        ? { TrustStores: [{ TrustStoreArn: storeArn(region, 'new'), Status: 'CREATING' }] }
        : { TrustStores: [{ TrustStoreArn: storeArn(region, 'partners'), Status: 'ACTIVE' }], NextMarker: 'p2' };
    });
    elb.on(DescribeTagsCommand).callsFake(async (input) => ({
      TagDescriptions: (input.ResourceArns ?? []).map((ResourceArn: string) => ({
        ResourceArn,
        Tags: [{ Key: 'owner', Value: 'edge' }],
      })),
    }));
    const summary = await discoverNow();
    expect(summary.problems).toEqual([]);
    expect(summary.skipped).toMatchObject({ 'ELB trust store being created': 2 });
    expect(await store.getTarget(`elb-truststore:${storeArn('us-east-2', 'partners')}`)).toMatchObject({
      kind: 'elb-truststore',
      owner: 'edge',
      discovery: { service: 'elb-truststore', region: 'us-east-2' },
    });
    expect(elb.commandCalls(DescribeTagsCommand)).toHaveLength(2);
    // The next run finds nothing new: no tag is read again.
    elb.resetHistory();
    await discoverNow();
    expect(elb.commandCalls(DescribeTagsCommand)).toHaveLength(0);
  });

  it('enrols private CAs that hold a certificate across pages, with their owner; a refusing region is reported', async () => {
    const caArn = (region: string, n: number) =>
      `arn:aws:acm-pca:${region}:${HOME}:certificate-authority/0f1e2d3c-aaaa-bbbb-cccc-00000000000${n}`;
    pca.on(ListCertificateAuthoritiesCommand as never).callsFake(async (input: { NextToken?: string }, getClient) => {
      const region = await (getClient() as unknown as PrivateCaClient).config.region();
      if (region === 'us-east-2') {
        throw Object.assign(new Error('not authorized to perform: acm-pca:ListCertificateAuthorities'), {
          name: 'AccessDeniedException',
        });
      }
      return input.NextToken === 'p2'
        ? {
            CertificateAuthorities: [
              { Arn: caArn(region, 2), Status: 'DISABLED' },
              { Arn: caArn(region, 3), Status: 'PENDING_CERTIFICATE' },
              { Arn: caArn(region, 4), Status: 'DELETED' },
            ],
          }
        : { CertificateAuthorities: [{ Arn: caArn(region, 1), Status: 'ACTIVE' }], NextToken: 'p2' };
    });
    pca.on(ListTagsCommand as never).resolves({ Tags: [{ Key: 'owner', Value: 'pki' }] });
    pca.on(GetCertificateAuthorityCertificateCommand as never).resolves({
      Certificate: intermediate.certPem,
      CertificateChain: expiring.certPem,
    });
    const summary = await discoverNow();
    expect(summary.problems).toEqual([
      expect.objectContaining({ service: 'acm-pca', region: 'us-east-2', kind: 'access-denied' }),
    ]);
    expect(summary.skipped).toMatchObject({ 'private CA pending certificate': 1, 'private CA deleted': 1 });
    const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
    expect(ids).toEqual([`acm-pca:${caArn('eu-west-1', 1)}`, `acm-pca:${caArn('eu-west-1', 2)}`]);
    const active = await store.getTarget(`acm-pca:${caArn('eu-west-1', 1)}`);
    expect(active).toMatchObject({
      kind: 'acm-pca',
      owner: 'pki',
      discovery: { service: 'acm-pca', region: 'eu-west-1' },
    });
    if (!active) throw new Error('the active CA was not enrolled');
    await probeTarget(deps(), active);
    expect((await store.getTarget(active.id))?.state?.result).toMatchObject({
      status: 'critical',
      certificateCount: 2,
    });
  });

  it('enrols device certificates ending soon from the oldest 1,000, describing only new ones, and infers no vanish from a cut listing', async () => {
    const id = (n: number) => n.toString(16).padStart(64, '0');
    const deviceArn = (n: number) => `arn:aws:iot:eu-west-1:${HOME}:cert/${id(n)}`;
    // 1,200 certificates, oldest first: every 100th ends in 20 days, one is revoked, the rest live on.
    let fleet = Array.from({ length: 1200 }, (_, n) => ({ n, status: n === 5 ? 'REVOKED' : 'ACTIVE' }));
    iot.on(ListIotCertificates).callsFake(async (input, getClient) => {
      if ((await regionOf(getClient)) !== 'eu-west-1') return { certificates: [] };
      expect(input.ascendingOrder).toBe(true);
      const start = Number(input.marker ?? 0);
      const next = start + (input.pageSize ?? 25);
      return {
        certificates: fleet.slice(start, next).map(({ n, status }) => ({
          certificateArn: deviceArn(n),
          certificateId: id(n),
          status,
        })),
        nextMarker: next < fleet.length ? String(next) : undefined,
      };
    });
    iot.on(DescribeIotCertificate).callsFake(async (input) => {
      const n = Number.parseInt(String(input.certificateId), 16);
      return {
        certificateDescription: {
          certificateArn: deviceArn(n),
          status: 'ACTIVE',
          certificatePem: expiring.certPem,
          validity: { notBefore: daysFromNow(-345), notAfter: daysFromNow(n % 100 === 0 ? 20 : 3000) },
        },
      };
    });
    const summary = await discoverNow();
    expect(summary.problems).toEqual([]);
    // The oldest 1,000 listed (4 pages), 999 of them active and described; 10 end within 90 days.
    expect(iot.commandCalls(ListIotCertificates).filter((c) => c.args[0].input.marker !== undefined)).toHaveLength(3);
    expect(iot.commandCalls(DescribeIotCertificate)).toHaveLength(999);
    expect(summary.skipped).toMatchObject({
      'IoT device certificate not active': 1,
      'IoT device certificates past the oldest 1000 not read': 1,
      'IoT device certificate not ending within 90 days': 989,
    });
    const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `iot-cert:${deviceArn(i * 100)}`).sort());
    const first = await store.getTarget(`iot-cert:${deviceArn(0)}`);
    if (!first) throw new Error('device 0 was not enrolled');
    await probeTarget(deps(), first);
    expect((await store.getTarget(first.id))?.state?.result).toMatchObject({ kind: 'iot-cert', status: 'critical' });

    // Next day: the watched ones are not described again; device 0's certificate is gone from the
    // fleet, but the listing was cut short, so nothing is taken as vanished.
    iot.resetHistory();
    fleet = fleet.filter(({ n }) => n !== 0);
    const next = await discoverNow();
    expect(iot.commandCalls(DescribeIotCertificate)).toHaveLength(999 - 10 + 1);
    expect(next.vanished).toEqual([]);
    // The oldest 1,000 now reach device 1000, which ends soon too: enrolled on this run.
    expect(await store.getTarget(`iot-cert:${deviceArn(1000)}`)).toMatchObject({ kind: 'iot-cert' });
    // A fleet listed to its end does say so: device 0 and those past the first 300 are gone.
    fleet = fleet.slice(0, 300);
    const small = await discoverNow();
    expect([...small.vanished].sort()).toEqual(
      [0, 400, 500, 600, 700, 800, 900, 1000].map((n) => `iot-cert:${deviceArn(n)}`).sort(),
    );
  });

  it('reports IAM refusing the SAML listing and goes on with the rest', async () => {
    iam
      .on(ListSAMLProvidersCommand)
      .rejects(
        Object.assign(new Error('User is not authorized to perform: iam:ListSAMLProviders'), { name: 'AccessDenied' }),
      );
    acmHolds({ 'eu-west-1': ['c1'] });
    const summary = await discoverNow();
    expect(summary.enrolled).toBe(1);
    expect(summary.problems).toEqual([
      expect.objectContaining({ service: 'iam-saml', kind: 'access-denied', account: HOME }),
    ]);
  });
});

describe('discovery: certificates the account holds', () => {
  it('enrols ACM certificates of every key type across pages and regions, with owner and tags, and checks them', async () => {
    acmHolds({ 'eu-west-1': ['a1', 'a2', 'a3'], 'us-east-2': ['b1'] });
    const summary = await discoverNow();
    expect(summary).toMatchObject({ found: 4, enrolled: 4, alreadyWatched: 0, problems: [], byService: { acm: 4 } });
    // Both pages were read, and every key type asked for (ACM lists RSA 2048 only by default).
    const listCalls = acm.commandCalls(ListCertificatesCommand).map((c) => c.args[0].input);
    expect(listCalls.filter((i) => i.NextToken === 'page-2')).toHaveLength(1);
    expect(listCalls[0]?.Includes?.keyTypes).toEqual(Object.values(KeyAlgorithm));
    const stored = await store.getTarget(`acm:${certArn('eu-west-1', 'a2')}`);
    expect(stored).toMatchObject({
      kind: 'acm',
      owner: 'team-a2',
      tags: ['discovered', 'env=prod'],
      enabled: true,
      discovery: { service: 'acm', account: HOME, region: 'eu-west-1', resource: certArn('eu-west-1', 'a2') },
    });
    expect(stored?.notes).toMatch(/^Discovered from acm arn:aws:acm:eu-west-1:/);

    // The enrolled target is checked like any other: ACM answers with a real certificate.
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: { Status: 'ISSUED', Type: 'IMPORTED', RenewalEligibility: 'INELIGIBLE' },
    });
    acm.on(GetCertificateCommand).resolves({ Certificate: expiring.certPem, CertificateChain: intermediate.certPem });
    const outcome = await probeTarget(deps(), normalizeTarget(stored));
    expect(outcome.result).toMatchObject({ kind: 'acm', status: 'critical', daysLeft: 5 });
    expect(outcome.published.map((e) => e.event)).toEqual(['imported-expiring']);
  });

  it('lists IAM server certificates once (global), and only secrets and parameters carrying the tag', async () => {
    iam.on(ListServerCertificatesCommand).callsFake(async (input) =>
      input.Marker === 'm2'
        ? {
            ServerCertificateMetadataList: [
              meta('legacy-2', `arn:aws:iam::${HOME}:server-certificate/cloudfront/legacy-2`),
            ],
            IsTruncated: false,
          }
        : {
            ServerCertificateMetadataList: [meta('legacy-1', `arn:aws:iam::${HOME}:server-certificate/legacy-1`)],
            IsTruncated: true,
            Marker: 'm2',
          },
    );
    iam.on(ListServerCertificateTagsCommand).resolves({ Tags: [{ Key: 'owner', Value: 'edge' }] });
    const secretArn = `arn:aws:secretsmanager:eu-west-1:${HOME}:secret:partner-mtls-AbCdEf`;
    secrets.on(ListSecretsCommand).callsFake(async (input, getClient) => {
      expect(input.Filters).toEqual([{ Key: 'tag-key', Values: ['certvigil'] }]);
      if ((await regionOf(getClient)) !== 'eu-west-1') return { SecretList: [] };
      return {
        SecretList: [
          { ARN: secretArn, Tags: [{ Key: 'certvigil', Value: 'certificate' }] },
          { ARN: `${secretArn}2`, Tags: [{ Key: 'certvigil', Value: '' }] },
          // The service filter matches key prefixes: only the exact key counts.
          { ARN: `${secretArn}3`, Tags: [{ Key: 'certvigil-old', Value: 'x' }] },
        ],
      };
    });
    ssm.on(DescribeParametersCommand).callsFake(async (input, getClient) => {
      expect(input.ParameterFilters).toEqual([{ Key: 'tag:certvigil' }]);
      const region = await regionOf(getClient);
      return region === 'us-east-2' ? { Parameters: [{ Name: '/partners/acme/cert' }] } : { Parameters: [] };
    });
    const summary = await discoverNow();
    expect(summary.problems).toEqual([]);
    expect(iam.commandCalls(ListServerCertificatesCommand)).toHaveLength(2); // two pages, once (global)
    const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
    expect(ids).toEqual(
      [
        'iam:legacy-1',
        'iam:legacy-2',
        `secret:${secretArn}#certificate`,
        `secret:${secretArn}2`,
        `ssm:arn:aws:ssm:us-east-2:${HOME}:parameter/partners/acme/cert`,
      ].sort(),
    );
    expect((await store.getTarget('iam:legacy-1'))?.owner).toBe('edge');
    // Discovery never reads a secret or parameter value.
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
    expect(iam.commandCalls(GetServerCertificateCommand)).toHaveLength(0);
  });
});

describe('discovery: endpoints the account serves', () => {
  it('enrols CloudFront aliases, load balancer listeners with their certificate name, and custom domains once', async () => {
    cloudfront.on(ListDistributionsCommand).callsFake(async (input) => ({
      DistributionList: (input.Marker === 'next'
        ? {
            Items: [dist('E2', ['static.example.com'], false)],
            IsTruncated: false,
          }
        : {
            Items: [dist('E1', ['www.example.com', '*.cdn.example.com'], true)],
            IsTruncated: true,
            NextMarker: 'next',
          }) as never,
    }));
    cloudfront.on(CloudFrontTags).resolves({ Tags: { Items: [{ Key: 'team', Value: 'web' }] } });
    elb.on(DescribeLoadBalancersCommand).callsFake(async (_input, getClient) =>
      (await regionOf(getClient)) === 'eu-west-1'
        ? {
            LoadBalancers: [
              {
                LoadBalancerArn: 'arn:lb/public',
                DNSName: 'Public-123.eu-west-1.elb.amazonaws.com',
                Scheme: 'internet-facing',
              },
              {
                LoadBalancerArn: 'arn:lb/internal',
                DNSName: 'internal-x.eu-west-1.elb.amazonaws.com',
                Scheme: 'internal',
              },
            ],
          }
        : { LoadBalancers: [] },
    );
    elb.on(DescribeTagsCommand).resolves({
      TagDescriptions: [{ ResourceArn: 'arn:lb/public', Tags: [{ Key: 'owner', Value: 'payments' }] }],
    });
    const wildcardCert = certArn('eu-west-1', 'wild');
    elb.on(DescribeListenersCommand).resolves({
      Listeners: [
        {
          ListenerArn: 'arn:listener/https',
          Protocol: 'HTTPS',
          Port: 443,
          Certificates: [{ CertificateArn: wildcardCert }],
        },
        {
          ListenerArn: 'arn:listener/tls',
          Protocol: 'TLS',
          Port: 8443,
          Certificates: [{ CertificateArn: wildcardCert }],
        },
        { ListenerArn: 'arn:listener/http', Protocol: 'HTTP', Port: 80 },
      ],
    });
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: { DomainName: '*.shop.example.com', SubjectAlternativeNames: ['*.shop.example.com'] },
    });
    restApi.on(GetRestDomainNamesCommand).callsFake(async (_input, getClient) =>
      (await regionOf(getClient)) === 'eu-west-1'
        ? {
            items: [
              {
                domainName: 'api.example.com',
                tags: { owner: 'api-team' },
                mutualTlsAuthentication: { truststoreUri: 's3://partner-trust/api/truststore.pem' },
              },
              { domainName: 'private.example.com', endpointConfiguration: { types: ['PRIVATE'] } },
            ],
          }
        : { items: [] },
    );
    httpApi
      .on(GetDomainNamesCommand)
      .callsFake(async (_input, getClient) =>
        (await regionOf(getClient)) === 'eu-west-1' ? { Items: [{ DomainName: 'api.example.com' }] } : { Items: [] },
      );
    appsync
      .on(ListDomainNamesCommand)
      .callsFake(async (_input, getClient) =>
        (await regionOf(getClient)) === 'us-east-2'
          ? { domainNameConfigs: [{ domainName: 'graphql.example.com', domainNameArn: 'arn:appsync/graphql' }] }
          : { domainNameConfigs: [] },
      );

    const summary = await discoverNow();
    expect(summary.problems).toEqual([]);
    const targets = Object.fromEntries((await store.scans.all()).map((t) => [t.id, t]));
    expect(Object.keys(targets).sort()).toEqual([
      'api.example.com:443',
      'apigw-truststore:arn:aws:apigateway:eu-west-1::/domainnames/api.example.com',
      'graphql.example.com:443',
      'public-123.eu-west-1.elb.amazonaws.com:443',
      'public-123.eu-west-1.elb.amazonaws.com:8443',
      'www.example.com:443',
    ]);
    expect(targets['www.example.com:443']).toMatchObject({ tags: ['discovered', 'team=web'] });
    expect(targets['public-123.eu-west-1.elb.amazonaws.com:443']).toMatchObject({
      servername: 'certvigil.shop.example.com',
      owner: 'payments',
    });
    expect(targets['api.example.com:443']).toMatchObject({ owner: 'api-team', discovery: { service: 'apigateway' } });
    // Its mutual TLS trust store is watched too, with the domain's owner.
    expect(targets['apigw-truststore:arn:aws:apigateway:eu-west-1::/domainnames/api.example.com']).toMatchObject({
      kind: 'apigw-truststore',
      owner: 'api-team',
    });
    expect(summary.skipped).toEqual({
      'wildcard or invalid alias': 1,
      'disabled CloudFront distribution': 1,
      'internal load balancer': 1,
      'private API Gateway domain name': 1,
    });
    // One certificate lookup for two listeners sharing it.
    expect(acm.commandCalls(DescribeCertificateCommand)).toHaveLength(1);
  });
});

// The first listing call of each finder, and the mock that answers it.
const FIRST_LISTING: Record<DiscoveryService, [{ on(command: never): { callsFake(fn: never): unknown } }, unknown]> = {
  acm: [acm as never, ListCertificatesCommand],
  iam: [iam as never, ListServerCertificatesCommand],
  secretsmanager: [secrets as never, ListSecretsCommand],
  ssm: [ssm as never, DescribeParametersCommand],
  cloudfront: [cloudfront as never, ListDistributionsCommand],
  elbv2: [elb as never, DescribeLoadBalancersCommand],
  apigateway: [restApi as never, GetRestDomainNamesCommand],
  apigatewayv2: [httpApi as never, GetDomainNamesCommand],
  appsync: [appsync as never, ListDomainNamesCommand],
  'iam-saml': [iam as never, ListSAMLProvidersCommand],
  cognito: [cognito as never, ListUserPoolsCommand],
  iot: [iot as never, ListCACertificatesCommand],
  rds: [rds as never, DescribeDBInstancesCommand],
  'apigw-client-cert': [restApi as never, GetClientCertificatesCommand],
  'elb-truststore': [elb as never, DescribeTrustStoresCommand],
  'acm-pca': [pca as never, ListCertificateAuthoritiesCommand],
  'iot-device': [iot as never, ListIotCertificates],
};

describe('discovery: a refused listing, for every finder', () => {
  it('knows the first listing of every finder', () => {
    expect(Object.keys(FIRST_LISTING).sort()).toEqual([...DISCOVERY_SERVICES].sort());
  });

  it.each(FINDERS.map((f) => [f.service, f.global ?? false] as const))(
    '%s: access denied where it is refused is reported, and the other regions and services go on',
    async (service, global) => {
      const listing = FIRST_LISTING[service];
      if (!listing) throw new Error(`no first listing for ${service}`);
      const [mock, command] = listing;
      const refuse = async (_input: unknown, getClient: () => unknown) => {
        // A global service is listed once, from us-east-1; a regional one is refused in us-east-2 only.
        if (global || (await regionOf(getClient as never)) === 'us-east-2') {
          throw Object.assign(new Error(`User is not authorized to perform this ${service} listing`), {
            name: 'AccessDeniedException',
          });
        }
        // What the allowed region holds: nothing, but for ACM, whose certificates witness the rest.
        return command === ListCertificatesCommand
          ? { CertificateSummaryList: [{ CertificateArn: certArn('eu-west-1', 'ok-1') }] }
          : {};
      };
      acmHolds({ 'eu-west-1': ['ok-1'], 'us-east-2': ['ok-2'] });
      mock.on(command as never).callsFake(refuse as never);
      const summary = await discoverNow();
      expect(summary.problems.map((p) => [p.service, p.region, p.kind])).toEqual([
        [service, global ? 'global' : 'us-east-2', 'access-denied'],
      ]);
      // Everything else was listed: ACM's certificates of both regions (those of a refused ACM region aside).
      const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
      expect(ids).toEqual(
        service === 'acm'
          ? [`acm:${certArn('eu-west-1', 'ok-1')}`]
          : [`acm:${certArn('eu-west-1', 'ok-1')}`, `acm:${certArn('us-east-2', 'ok-2')}`],
      );
    },
  );
});

describe('discovery: a throttled listing, for every finder', () => {
  it.each(FINDERS.map((f) => [f.service] as const))(
    '%s: the first listing call throttled once is tried again, and nothing is reported',
    async (service) => {
      const listing = FIRST_LISTING[service];
      if (!listing) throw new Error(`no first listing for ${service}`);
      const [mock, command] = listing;
      let calls = 0;
      mock.on(command as never).callsFake((async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return command === ListCertificatesCommand
          ? { CertificateSummaryList: [{ CertificateArn: certArn('eu-west-1', 'ok-1') }] }
          : {};
      }) as never);
      const summary = await discoverNow();
      expect(summary.problems).toEqual([]);
      expect(calls).toBeGreaterThan(1);
    },
  );
});

describe('discovery: failures, change and people', () => {
  it('reports access denied in one region and a disabled region, and lists everything else', async () => {
    acmHolds({ 'eu-west-1': ['a1'], 'us-east-2': ['b1'] });
    acm.on(ListCertificatesCommand).callsFake(async (_input, getClient) => {
      const region = await regionOf(getClient);
      if (region === 'us-east-2') {
        throw Object.assign(new Error('User is not authorized to perform: acm:ListCertificates'), {
          name: 'AccessDeniedException',
        });
      }
      if (region === 'ap-east-1') {
        throw Object.assign(new Error('The security token included in the request is invalid.'), {
          name: 'UnrecognizedClientException',
        });
      }
      return { CertificateSummaryList: [{ CertificateArn: certArn(region, 'a1') }] };
    });
    const summary = await discoverNow({ regions: ['eu-west-1', 'us-east-2', 'ap-east-1'] });
    expect(summary.enrolled).toBe(1);
    expect(summary.problems.map((p) => [p.region, p.service, p.kind])).toEqual(
      expect.arrayContaining([
        ['us-east-2', 'acm', 'access-denied'],
        ['ap-east-1', 'acm', 'region-disabled'],
      ]),
    );
    expect(summary.problems).toHaveLength(2);
    expect(summary.problems.find((p) => p.kind === 'access-denied')?.message).toMatch(
      /ACM ListCertificates: AccessDeniedException: User is not authorized/,
    );
    // The other services of the failing regions were still listed.
    expect(secrets.commandCalls(ListSecretsCommand)).toHaveLength(3);
  });

  it('rides out throttling, and reports a service that stays throttled', async () => {
    let throttles = 2;
    acm.on(ListCertificatesCommand).callsFake(async (_input, getClient) => {
      const region = await regionOf(getClient);
      if (region === 'eu-west-1' && throttles-- > 0) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return { CertificateSummaryList: [{ CertificateArn: certArn(region, 'x') }] };
    });
    const first = await discoverNow();
    expect(first.problems).toEqual([]);
    expect(first.enrolled).toBe(2);

    acm.on(ListCertificatesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const second = await discoverNow({ regions: ['eu-west-1'] });
    expect(second.problems).toEqual([
      expect.objectContaining({ service: 'acm', kind: 'throttled', message: expect.stringMatching(/still throttled/) }),
    ]);
    // A scope that could not be listed says nothing about what is gone.
    expect(second.vanished).toEqual([]);
  });

  it('marks a resource that disappeared once, with one message, and takes it back when it returns', async () => {
    acmHolds({ 'eu-west-1': ['keep', 'gone'] });
    await discoverNow({ regions: ['eu-west-1'] });
    const goneId = `acm:${certArn('eu-west-1', 'gone')}`;

    acmHolds({ 'eu-west-1': ['keep'] });
    acm.resetHistory();
    const second = await discoverNow({ regions: ['eu-west-1'] });
    // Tags matter only for new targets: an unchanged account costs list calls, not one per resource.
    expect(acm.commandCalls(ListTagsForCertificateCommand)).toHaveLength(0);
    expect(second.vanished).toEqual([goneId]);
    const gone = await store.getTarget(goneId);
    expect(gone).toMatchObject({ enabled: false, discovery: { enabledBefore: true } });
    expect(gone?.discovery?.vanishedAt).toBeTruthy();
    expect(gone?.pending).toEqual({});
    const [message] = publishedEvents();
    expect(publishedEvents()).toHaveLength(1);
    expect(message).toMatchObject({ event: 'resource-vanished', severity: 'warning', target: goneId });
    expect(message?.text).toMatch(/Discovered from: arn:aws:acm:eu-west-1:111111111111:certificate\/gone \(acm/);
    expect(message?.text).toMatch(/Next step: Delete the target if the resource was retired/);

    // Another run while it is still gone, and two at once: no second message.
    await Promise.all([discoverNow({ regions: ['eu-west-1'] }), discoverNow({ regions: ['eu-west-1'] })]);
    expect(publishedEvents()).toHaveLength(1);

    acmHolds({ 'eu-west-1': ['keep', 'gone'] });
    const back = await discoverNow({ regions: ['eu-west-1'] });
    expect(back.returned).toEqual([goneId]);
    const returned = await store.getTarget(goneId);
    expect(returned?.enabled).toBe(true);
    expect(returned?.discovery?.vanishedAt).toBeUndefined();
  });

  it("keeps a person's edits to a discovered target, and never adopts a person's own target", async () => {
    acmHolds({ 'eu-west-1': ['edited', 'mine'] });
    const mine = normalizeTarget({ host: `acm:${certArn('eu-west-1', 'mine')}`, owner: 'me', tags: ['pki'] });
    await store.putTarget(mine, new Date());
    const first = await discoverNow({ regions: ['eu-west-1'] });
    expect(first).toMatchObject({ enrolled: 1, alreadyWatched: 1 });

    const editedId = `acm:${certArn('eu-west-1', 'edited')}`;
    const edited = normalizeTarget({
      host: editedId,
      owner: 'someone-else',
      tags: ['discovered', 'tier-1'],
      warnDays: 45,
      critDays: 10,
      intervalMinutes: 60,
    });
    await store.putTarget(edited, new Date());
    const second = await discoverNow({ regions: ['eu-west-1'] });
    expect(second).toMatchObject({ enrolled: 0, alreadyWatched: 2 });
    expect(await store.getTarget(editedId)).toMatchObject({
      owner: 'someone-else',
      tags: ['discovered', 'tier-1'],
      warnDays: 45,
      critDays: 10,
      intervalMinutes: 60,
    });
    const own = await store.getTarget(mine.id);
    expect(own).toMatchObject({ owner: 'me', tags: ['pki'] });
    expect(own?.discovery).toBeUndefined();

    // A person's target is never marked vanished: only discovery's own are.
    acmHolds({ 'eu-west-1': [] });
    const third = await discoverNow({ regions: ['eu-west-1'] });
    expect(third.vanished).toEqual([editedId]);
  });

  it('reads other accounts through their roles, with ids that carry the account', async () => {
    const roles = accountRoles([`arn:aws:iam::${MEMBER}:role/certvigil-read`]);
    const used: { region: string | undefined; role: string | undefined }[] = [];
    const makeClient: NonNullable<DiscoveryOptions['makeClient']> = (Client, region, role) => {
      used.push({ region, role });
      return clientFor(Client, region, role);
    };
    iam.on(ListServerCertificatesCommand).resolves({
      ServerCertificateMetadataList: [meta('edge', `arn:aws:iam::${MEMBER}:server-certificate/edge`)],
      IsTruncated: false,
    });
    const summary = await discoverNow({ regions: ['eu-west-1'], roles, makeClient });
    expect(summary.problems).toEqual([]);
    // Own account by name, the member's by ARN (names are unique per account only).
    const ids = (await store.scans.all(['id'])).map((t) => t.id).sort();
    expect(ids).toEqual([`iam:arn:aws:iam::${MEMBER}:server-certificate/edge`, 'iam:edge']);
    expect(used.some((u) => u.role === `arn:aws:iam::${MEMBER}:role/certvigil-read`)).toBe(true);
    expect(used.filter((u) => u.role === undefined).length).toBe(used.length / 2);
    const member = await store.getTarget(`iam:arn:aws:iam::${MEMBER}:server-certificate/edge`);
    expect(member?.discovery).toMatchObject({ account: MEMBER, region: 'global' });
  });

  it('bounds what a hostile tag can put in a target', async () => {
    acm
      .on(ListCertificatesCommand)
      .resolves({ CertificateSummaryList: [{ CertificateArn: certArn('eu-west-1', 'h') }] });
    acm.on(ListTagsForCertificateCommand).resolves({
      Tags: [
        { Key: 'owner', Value: `evil\u202e${'o'.repeat(5000)}` },
        { Key: 'note', Value: `a, b;c|d\u0000\u001b[31m${'x'.repeat(500)}` },
        ...Array.from({ length: 60 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      ],
    });
    await discoverNow({ regions: ['eu-west-1'] });
    const stored = await store.getTarget(`acm:${certArn('eu-west-1', 'h')}`);
    expect(stored?.owner?.length).toBeLessThanOrEqual(200);
    expect(stored?.owner).not.toMatch(/\u202e/);
    expect(stored?.tags.length).toBeLessThanOrEqual(21);
    for (const tag of stored?.tags ?? []) {
      expect(tag.length).toBeLessThanOrEqual(64);
      expect(tag).not.toMatch(/[\s,;|\u0000-\u001f]/);
    }
  });
});

function meta(name: string, arn: string) {
  return { ServerCertificateName: name, Arn: arn, Path: '/', ServerCertificateId: name, UploadDate: new Date() };
}

function dist(id: string, aliases: string[], enabled: boolean) {
  return {
    Id: id,
    ARN: `arn:aws:cloudfront::${HOME}:distribution/${id}`,
    Enabled: enabled,
    Aliases: { Quantity: aliases.length, Items: aliases },
  };
}
