// The authentication certificates an AWS account holds, read through the AWS APIs
// (aws-sdk-client-mock answering with metadata and certificates the fixtures mint), checked and
// announced through DynamoDB Local as the account function does.

import { APIGatewayClient, GetClientCertificateCommand, GetDomainNameCommand } from '@aws-sdk/client-api-gateway';
import {
  CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
  GetSigningCertificateCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  ElasticLoadBalancingV2Client,
  GetTrustStoreCaCertificatesBundleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetSAMLProviderCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeCACertificateCommand, DescribeCertificateCommand, IoTClient } from '@aws-sdk/client-iot';
import { DescribeCertificatesCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import type { Notification } from '../../lib/notify/render-message.ts';
import { AWS_READERS } from '../../lib/sources/aws/registry.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import {
  createRootCa,
  createSelfSigned,
  daysFromNow,
  issueCertificate,
  type Minted,
} from '../fixtures/cert-factory.ts';
import { checkTarget } from '../fixtures/check-source.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { base64Der, samlMetadata } from '../fixtures/documents.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { PCA_CREDENTIALS, type PrivateCaStandIn, startPrivateCaStandIn } from '../fixtures/private-ca-server.ts';
import { publishedNotifications } from '../fixtures/sns.ts';

const iam = mockClient(IAMClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const iot = mockClient(IoTClient);
const rds = mockClient(RDSClient);
const apigateway = mockClient(APIGatewayClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const s3 = mockClient(S3Client);
const TRUST_STORE = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/partners/0123456789abcdef';
const CLIENT_CERT = 'arn:aws:apigateway:eu-west-1::/clientcertificates/a1b2c3';
const DB = 'arn:aws:rds:eu-west-1:123456789012:db:orders-1';
const CA_ID = 'a'.repeat(64);
const IOT_CA = `arn:aws:iot:eu-west-1:123456789012:cacert/${CA_ID}`;
const POOL = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123';
const sns = mockClient(SNSClient);
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/okta';
let tables: TestTables;
let store: TargetStore;
let expiring: Minted; // the IdP's signing certificate, 6 days left
let successor: Minted; // its replacement, published beside it
let encryption: Minted;

const check = checkTarget;

function deps() {
  // The account function's readers: the AWS kinds only.
  return testMonitor(tables, AWS_READERS);
}

const published = () => publishedNotifications(sns);

/** Enrols `host` and checks it twice, as the account function does: the events announced. */
async function enrolAndCheckTwice(host: string, owner: string) {
  const target = normalizeTarget({ host, owner });
  await store.putTarget(target, new Date());
  await probeTarget(deps(), target);
  await probeTarget(deps(), target);
  return { target, events: published() };
}

/** Checks `target` once more: the events of that check alone. */
async function checkAgain(target: ReturnType<typeof normalizeTarget>): Promise<Notification[]> {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  await probeTarget(deps(), target);
  return published();
}

function idp(keys: { cert: Minted; use?: 'signing' | 'encryption' }[]): string {
  return samlMetadata([{ entityId: 'https://example.okta.com/exk1', roles: [{ role: 'IDPSSODescriptor', keys }] }]);
}

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  expiring = await createSelfSigned({
    subject: 'CN=okta signing 2026',
    notBefore: daysFromNow(-359),
    notAfter: daysFromNow(6),
  });
  successor = await createSelfSigned({
    subject: 'CN=okta signing 2027',
    notBefore: daysFromNow(-1),
    notAfter: daysFromNow(364),
  });
  encryption = await createSelfSigned({
    subject: 'CN=okta encryption',
    notBefore: daysFromNow(-10),
    notAfter: daysFromNow(700),
  });
});
afterAll(async () => {
  await tables.drop();
});
beforeEach(() => {
  iam.reset();
  cognito.reset();
  iot.reset();
  rds.reset();
  apigateway.reset();
  elb.reset();
  s3.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('iam-saml: IAM SAML identity providers', () => {
  it("reads every certificate of the provider's metadata, with its rollover and the provider's own expiry", async () => {
    const validUntil = daysFromNow(3000);
    iam.on(GetSAMLProviderCommand, { SAMLProviderArn: PROVIDER }).resolves({
      SAMLMetadataDocument: idp([
        { cert: expiring, use: 'signing' },
        { cert: successor, use: 'signing' },
        { cert: encryption, use: 'encryption' },
      ]),
      ValidUntil: validUntil,
      CreateDate: daysFromNow(-400),
    });
    const result = await check(`iam-saml:${PROVIDER}`);
    expect(result).toMatchObject({
      kind: 'iam-saml',
      target: `iam-saml:${PROVIDER}`,
      status: 'critical',
      certificateCount: 3,
      subject: 'CN=okta signing 2026',
      samlProvider: { validUntil: validUntil.toISOString() },
    });
    const byUse = (subject: string) => result.certificates.find((c) => c.subject === subject);
    expect(byUse('CN=okta signing 2026')).toMatchObject({
      entityId: 'https://example.okta.com/exk1',
      role: 'idp',
      use: 'signing',
      successor: byUse('CN=okta signing 2027')?.fingerprint256,
    });
    expect(byUse('CN=okta encryption')?.successor).toBeNull();
    expect(iam.commandCalls(GetSAMLProviderCommand)).toHaveLength(1);
  });

  it('says so when IAM refuses, or the document is not SAML metadata', async () => {
    iam
      .on(GetSAMLProviderCommand)
      .rejects(
        Object.assign(new Error('User is not authorized to perform: iam:GetSAMLProvider'), { name: 'AccessDenied' }),
      );
    const denied = await check(`iam-saml:${PROVIDER}`);
    expect(denied).toMatchObject({ status: 'error', error: { kind: 'aws' } });
    expect(denied.error?.message).toMatch(/^IAM GetSAMLProvider: AccessDenied: User is not authorized/);
    iam.reset();
    iam.on(GetSAMLProviderCommand).resolves({ SAMLMetadataDocument: '<html>not metadata</html>' });
    expect((await check(`iam-saml:${PROVIDER}`)).error?.kind).toBe('parse');
    iam.reset();
    iam.on(GetSAMLProviderCommand).resolves({ SAMLMetadataDocument: idp([]) });
    expect((await check(`iam-saml:${PROVIDER}`)).error?.kind).toBe('empty');
  });

  it('refuses a target that is not a SAML provider ARN, saying what one looks like', () => {
    expect(() => normalizeTarget({ host: 'iam-saml:okta' })).toThrow(
      /iam-saml target "okta" is not of the form iam-saml:arn:aws:iam::123456789012:saml-provider\/NAME/,
    );
    expect(normalizeTarget({ host: `iam-saml:${PROVIDER}` })).toMatchObject({
      id: `iam-saml:${PROVIDER}`,
      kind: 'iam-saml',
    });
  });

  it('announces the expiring signing certificate once, then its removal when the IdP drops it', async () => {
    const target = normalizeTarget({ host: `iam-saml:${PROVIDER}`, owner: 'identity' });
    await store.putTarget(target, new Date());
    iam.on(GetSAMLProviderCommand).resolves({
      SAMLMetadataDocument: idp([
        { cert: expiring, use: 'signing' },
        { cert: successor, use: 'signing' },
      ]),
    });
    await probeTarget(deps(), target);
    await probeTarget(deps(), target); // quiet: nothing new
    const first = published();
    expect(first.map((n) => [n.event, n.severity])).toEqual([['entered-window', 'critical']]);
    expect(first[0]?.text).toMatch(/a successor is published/);
    expect(first[0]?.text).toMatch(
      /Certificate: CN=okta signing 2026 \(idp signing, entity https:\/\/example\.okta\.com\/exk1\)/,
    );

    // The IdP's metadata was updated in IAM: the old certificate is gone, and that ends the alert.
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    iam.reset();
    iam.on(GetSAMLProviderCommand).resolves({ SAMLMetadataDocument: idp([{ cert: successor, use: 'signing' }]) });
    await probeTarget(deps(), target);
    await probeTarget(deps(), target);
    const after = published();
    expect(after.map((n) => n.event)).toEqual(['removed']);
    expect(after[0]?.resolves).toEqual([first[0]?.id]);
    expect((await store.getTarget(target.id))?.state?.result.status).toBe('ok');
  });
});

describe('cognito: user pools that federate with SAML', () => {
  it("reads the pool's own signing certificate (bare base64 DER, as Cognito gives it)", async () => {
    cognito.on(GetSigningCertificateCommand, { UserPoolId: 'eu-west-1_AbC123' }).resolves({
      Certificate: base64Der(expiring, false),
    });
    const result = await check(`cognito:${POOL}`);
    expect(result).toMatchObject({
      kind: 'cognito',
      status: 'critical',
      certificateCount: 1,
      subject: 'CN=okta signing 2026',
    });
    // The client was made for the pool's region.
    const [call] = cognito.commandCalls(GetSigningCertificateCommand);
    const client = call?.thisValue as { config: { region: () => Promise<string> } } | undefined;
    const region = await client?.config.region();
    expect(region).toBe('eu-west-1');
  });

  it("reads a SAML provider's metadata file, with its rollover", async () => {
    cognito
      .on(DescribeIdentityProviderCommand, { UserPoolId: 'eu-west-1_AbC123', ProviderName: 'PartnerIdP' })
      .resolves({
        IdentityProvider: {
          ProviderName: 'PartnerIdP',
          ProviderType: 'SAML',
          ProviderDetails: {
            MetadataFile: idp([
              { cert: expiring, use: 'signing' },
              { cert: successor, use: 'signing' },
            ]),
          },
        },
      });
    const result = await check(`cognito:${POOL}#PartnerIdP`);
    expect(result).toMatchObject({
      kind: 'cognito',
      target: `cognito:${POOL}#PartnerIdP`,
      status: 'critical',
      certificateCount: 2,
    });
    expect(result.certificates.find((c) => c.subject === 'CN=okta signing 2026')?.successor).toBe(
      result.certificates.find((c) => c.subject === 'CN=okta signing 2027')?.fingerprint256,
    );
  });

  it('says where to look when the provider reads its metadata from a URL, and when Cognito refuses', async () => {
    cognito.on(DescribeIdentityProviderCommand).resolves({
      IdentityProvider: { ProviderType: 'SAML', ProviderDetails: { MetadataURL: 'https://idp.example/metadata' } },
    });
    const byUrl = await check(`cognito:${POOL}#Okta`);
    expect(byUrl.error).toEqual({
      kind: 'empty',
      message: 'the provider keeps no metadata file in Cognito from https://idp.example/metadata: watch it as saml:URL',
    });
    cognito.reset();
    cognito.on(GetSigningCertificateCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: cognito-idp:GetSigningCertificate'), {
        name: 'AccessDeniedException',
      }),
    );
    const denied = await check(`cognito:${POOL}`);
    expect(denied.error?.message).toMatch(
      /^Cognito GetSigningCertificate: AccessDeniedException: User is not authorized/,
    );
    expect(() => normalizeTarget({ host: 'cognito:eu-west-1_AbC123' })).toThrow(
      /is not of the form cognito:arn:aws:cognito-idp:/,
    );
  });

  it('announces the expiring signing certificate once, and its replacement ends it', async () => {
    const target = normalizeTarget({ host: `cognito:${POOL}` });
    await store.putTarget(target, new Date());
    cognito.on(GetSigningCertificateCommand).resolves({ Certificate: base64Der(expiring, false) });
    await probeTarget(deps(), target);
    await probeTarget(deps(), target);
    const first = published();
    expect(first.map((n) => [n.event, n.severity])).toEqual([['entered-window', 'critical']]);
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    cognito.reset();
    cognito.on(GetSigningCertificateCommand).resolves({ Certificate: base64Der(successor, false) });
    await probeTarget(deps(), target);
    const after = published();
    expect(after.map((n) => n.event)).toEqual(expect.arrayContaining(['added', 'removed']));
    expect(after.find((n) => n.event === 'removed')?.resolves).toEqual([first[0]?.id]);
  });
});

describe('iot-ca: CA certificates registered with IoT Core', () => {
  it('reads the CA certificate and announces its window once', async () => {
    iot.on(DescribeCACertificateCommand, { certificateId: CA_ID }).resolves({
      certificateDescription: {
        certificateArn: IOT_CA,
        certificateId: CA_ID,
        status: 'ACTIVE',
        certificatePem: expiring.certPem,
      },
    });
    const result = await check(`iot-ca:${IOT_CA}`);
    expect(result).toMatchObject({
      kind: 'iot-ca',
      status: 'critical',
      certificateCount: 1,
      subject: 'CN=okta signing 2026',
    });
    const { target, events } = await enrolAndCheckTwice(`iot-ca:${IOT_CA}`, 'fleet');
    expect(events.map((n) => [n.event, n.severity, n.target])).toEqual([['entered-window', 'critical', target.id]]);
  });

  it('says so when IoT refuses, and refuses a target that is not a CA certificate ARN', async () => {
    iot.on(DescribeCACertificateCommand).rejects(
      Object.assign(new Error('not authorized to perform: iot:DescribeCACertificate'), {
        name: 'UnauthorizedException',
      }),
    );
    expect((await check(`iot-ca:${IOT_CA}`)).error?.message).toMatch(
      /^IoT DescribeCACertificate: UnauthorizedException/,
    );
    expect(() => normalizeTarget({ host: 'iot-ca:abc' })).toThrow(/is not of the form iot-ca:arn:aws:iot:/);
  });
});

describe('rds: RDS and Aurora DB instances (dates only: RDS gives no certificate)', () => {
  const day = 86_400_000;
  function instance(ca: string, serverDays: number) {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DB }).resolves({
      DBInstances: [
        {
          DBInstanceArn: DB,
          DBInstanceIdentifier: 'orders-1',
          CACertificateIdentifier: ca,
          CertificateDetails: { CAIdentifier: ca, ValidTill: new Date(Date.now() + serverDays * day) },
        },
      ],
    });
  }
  function ca(id: string, days: number, thumbprint = `${id}-thumb`) {
    rds.on(DescribeCertificatesCommand, { CertificateIdentifier: id }).resolves({
      Certificates: [
        {
          CertificateIdentifier: id,
          CertificateType: 'CA',
          Thumbprint: thumbprint,
          ValidFrom: new Date(Date.now() - 1800 * day),
          ValidTill: new Date(Date.now() + days * day),
        },
      ],
    });
  }

  it("reports the server certificate's end and the CA's, governed by the CA near its end", async () => {
    instance('rds-ca-2019', 300);
    ca('rds-ca-2019', 20);
    const result = await check(`rds:${DB}`);
    expect(result).toMatchObject({
      kind: 'rds',
      status: 'warning',
      daysLeft: 19,
      subject: 'RDS CA rds-ca-2019, still used by orders-1',
      issuer: 'Amazon RDS',
      certificateCount: 2,
      keyType: null,
    });
    const [caEntry, server] = result.certificates ?? [];
    expect(caEntry).toMatchObject({ status: 'warning', lifetimeDays: 1820, serialNumber: null });
    expect(server).toMatchObject({
      subject: 'RDS server certificate of orders-1',
      issuer: 'rds-ca-2019',
      status: 'ok',
      daysLeft: 299,
      notBefore: null,
      lifetimeDays: null,
    });
    // Fingerprints stand for identity and end: stable across checks, distinct per certificate.
    expect(server?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect((await check(`rds:${DB}`)).certificates?.map((c) => c.fingerprint256)).toEqual(
      result.certificates?.map((c) => c.fingerprint256),
    );
    // The CA's dates are read once for the many instances on it (kept an hour).
    expect(rds.commandCalls(DescribeCertificatesCommand)).toHaveLength(1);
    // An unknown start takes the caps: the server certificate warns in its last 30 days.
    rds.reset();
    instance('rds-ca-rsa4096-g1', 25);
    ca('rds-ca-rsa4096-g1', 1000);
    expect(await check(`rds:${DB}`)).toMatchObject({
      status: 'warning',
      subject: 'RDS server certificate of orders-1',
    });
  });

  it('announces an instance still on a CA near its end once; moving it to a new CA ends the alert', async () => {
    const target = normalizeTarget({ host: `rds:${DB}`, owner: 'payments' });
    await store.putTarget(target, new Date());
    instance('rds-ca-rsa2048-g0', 300);
    ca('rds-ca-rsa2048-g0', 5);
    await probeTarget(deps(), target);
    await probeTarget(deps(), target); // quiet
    const first = published();
    expect(first.map((n) => [n.event, n.severity])).toEqual([['entered-window', 'critical']]);
    expect(first[0]?.text).toMatch(/RDS CA rds-ca-rsa2048-g0, still used by orders-1/);

    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    rds.reset();
    instance('rds-ca-rsa2048-g1', 390);
    ca('rds-ca-rsa2048-g1', 14_000);
    await probeTarget(deps(), target);
    await probeTarget(deps(), target);
    const after = published();
    // The new server certificate and CA are news (info); the old CA's end no longer concerns
    // the instance, which resolves the alert.
    expect(after.map((n) => `${n.event} ${n.severity}`).sort()).toEqual([
      'added info',
      'added info',
      'removed info',
      'removed info',
    ]);
    expect(after.filter((n) => n.resolves?.includes(first[0]?.id ?? ''))).toHaveLength(1);
    expect((await store.getTarget(target.id))?.state?.result.status).toBe('ok');
  });

  it('says so when RDS refuses or knows no such instance, and refuses a target that is not an instance ARN', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(Object.assign(new Error('DBInstance orders-1 not found.'), { name: 'DBInstanceNotFoundFault' }));
    expect((await check(`rds:${DB}`)).error?.message).toBe(
      'RDS DescribeDBInstances: DBInstanceNotFoundFault: DBInstance orders-1 not found.',
    );
    rds.reset();
    instance('rds-ca-ecc384-g1', 300);
    rds
      .on(DescribeCertificatesCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform: rds:DescribeCertificates'), { name: 'AccessDenied' }),
      );
    expect((await check(`rds:${DB}`)).error?.message).toMatch(/^RDS DescribeCertificates: AccessDenied/);
    expect(() => normalizeTarget({ host: 'rds:orders-1' })).toThrow(/is not of the form rds:arn:aws:rds:/);
    expect(() => normalizeTarget({ host: 'rds:arn:aws:rds:eu-west-1:123456789012:cluster:orders' })).toThrow(
      /is not of the form/,
    );
  });
});

describe('apigw-client-cert: the client certificates API Gateway presents to backends', () => {
  it('reads the certificate and announces its window once, and its replacement ends it', async () => {
    apigateway
      .on(GetClientCertificateCommand, { clientCertificateId: 'a1b2c3' })
      .resolves({ clientCertificateId: 'a1b2c3', pemEncodedCertificate: expiring.certPem });
    expect(await check(`apigw-client-cert:${CLIENT_CERT}`)).toMatchObject({
      kind: 'apigw-client-cert',
      status: 'critical',
      daysLeft: 5,
      certificateCount: 1,
      subject: 'CN=okta signing 2026',
    });
    const { target, events: first } = await enrolAndCheckTwice(`apigw-client-cert:${CLIENT_CERT}`, 'api');
    expect(first.map((n) => [n.event, n.severity, n.target])).toEqual([['entered-window', 'critical', target.id]]);
    apigateway.reset();
    apigateway.on(GetClientCertificateCommand).resolves({ pemEncodedCertificate: successor.certPem });
    const after = await checkAgain(target);
    expect(after.find((n) => n.event === 'removed')?.resolves).toEqual([first[0]?.id]);
  });

  it('says so when API Gateway refuses or the certificate is gone, and refuses a target that is not its ARN', async () => {
    apigateway
      .on(GetClientCertificateCommand)
      .rejects(
        Object.assign(new Error('Invalid Client Certificate identifier specified'), { name: 'NotFoundException' }),
      );
    expect((await check(`apigw-client-cert:${CLIENT_CERT}`)).error?.message).toBe(
      'API Gateway GetClientCertificate: NotFoundException: Invalid Client Certificate identifier specified',
    );
    apigateway.reset();
    apigateway.on(GetClientCertificateCommand).resolves({ pemEncodedCertificate: 'not a certificate' });
    expect((await check(`apigw-client-cert:${CLIENT_CERT}`)).error?.kind).toBe('parse');
    expect(() => normalizeTarget({ host: 'apigw-client-cert:a1b2c3' })).toThrow(
      /is not of the form apigw-client-cert:arn:aws:apigateway:/,
    );
  });
});

describe('elb-truststore: the CA bundles load balancers verify client certificates against', () => {
  let s3: DocumentServer; // stands in for the short-lived S3 link ELB hands out
  const signature = 'X-Amz-Security-Token=session-secret&X-Amz-Signature=abc123';
  beforeAll(async () => {
    s3 = await startDocumentServer();
  });
  afterAll(async () => {
    await s3.close();
  });
  function bundle(...certs: Minted[]) {
    s3.serve('/truststores/partners.pem', certs.map((c) => c.certPem).join('\n'), 'application/x-pem-file');
    elb
      .on(GetTrustStoreCaCertificatesBundleCommand, { TrustStoreArn: TRUST_STORE })
      .resolves({ Location: `${s3.origin}/truststores/partners.pem?${signature}` });
  }

  it('reads every CA of the bundle through the link ELB gives, announces the one near its end once, and its removal ends it', async () => {
    bundle(expiring, encryption);
    expect(await check(`elb-truststore:${TRUST_STORE}`)).toMatchObject({
      kind: 'elb-truststore',
      status: 'critical',
      certificateCount: 2,
      subject: 'CN=okta signing 2026',
    });
    const { target, events: first } = await enrolAndCheckTwice(`elb-truststore:${TRUST_STORE}`, 'edge');
    expect(first.map((n) => [n.event, n.severity, n.target])).toEqual([['entered-window', 'critical', target.id]]);
    bundle(successor, encryption);
    const after = await checkAgain(target);
    expect(after.map((n) => n.event).sort()).toEqual(['added', 'removed']);
    expect(after.find((n) => n.event === 'removed')?.resolves).toEqual([first[0]?.id]);
  });

  it('says what failed without the link’s signature, and when ELB refuses', async () => {
    elb
      .on(GetTrustStoreCaCertificatesBundleCommand)
      .resolves({ Location: `${s3.origin}/truststores/expired-link.pem?${signature}` });
    s3.route('/truststores/expired-link.pem', (_req, res) => res.writeHead(403).end('<Error>AccessDenied</Error>'));
    const denied = await check(`elb-truststore:${TRUST_STORE}`);
    expect(denied.error).toMatchObject({ kind: 'http' });
    expect(denied.error?.message).toContain('403');
    expect(JSON.stringify(denied)).not.toMatch(/session-secret|X-Amz-Signature|abc123/);
    elb.reset();
    elb
      .on(GetTrustStoreCaCertificatesBundleCommand)
      .rejects(Object.assign(new Error('Trust store not found'), { name: 'TrustStoreNotFoundException' }));
    expect((await check(`elb-truststore:${TRUST_STORE}`)).error?.message).toBe(
      'ELB GetTrustStoreCaCertificatesBundle: TrustStoreNotFoundException: Trust store not found',
    );
    expect(() => normalizeTarget({ host: 'elb-truststore:partners' })).toThrow(
      /is not of the form elb-truststore:arn:aws:elasticloadbalancing:/,
    );
  });
});

describe('acm-pca: AWS Private CA certificate authorities (a signed stand-in on loopback)', () => {
  let pca: PrivateCaStandIn;
  let root: Minted;
  let subordinate: Minted;
  const SUB = 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab';
  const saved: Record<string, string | undefined> = {};
  const ENV = {
    AWS_ENDPOINT_URL_ACM_PCA: '',
    AWS_ACCESS_KEY_ID: PCA_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: PCA_CREDENTIALS.secretAccessKey,
  };
  beforeAll(async () => {
    pca = await startPrivateCaStandIn();
    ENV.AWS_ENDPOINT_URL_ACM_PCA = pca.url;
    for (const [key, value] of Object.entries(ENV)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    root = await createRootCa({ subject: 'CN=corp root, O=Example', notAfter: daysFromNow(3000) });
    subordinate = await issueCertificate(root, {
      ca: true,
      subject: 'CN=corp mesh issuing CA, O=Example',
      notBefore: daysFromNow(-1090),
      notAfter: daysFromNow(5),
    });
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await pca.close();
  });
  beforeEach(() => {
    pca.calls.length = 0;
    pca.cas = [{ arn: SUB, status: 'ACTIVE', certificate: subordinate.certPem, chain: root.certPem }];
  });

  it('reads the CA and the chain above it with a signed request, and announces the CA near its end once', async () => {
    const result = await check(`acm-pca:${SUB}`);
    expect(result).toMatchObject({
      kind: 'acm-pca',
      status: 'critical',
      daysLeft: 4,
      certificateCount: 2,
      subject: 'CN=corp mesh issuing CA, O=Example',
    });
    expect(result.certificates?.map((c) => [c.subject, c.status])).toEqual(
      expect.arrayContaining([
        ['CN=corp mesh issuing CA, O=Example', 'critical'],
        ['CN=corp root, O=Example', 'ok'],
      ]),
    );
    // The stand-in verified the signature: scoped to the CA's region and acm-pca.
    expect(pca.calls).toEqual([
      { action: 'GetCertificateAuthorityCertificate', region: 'eu-west-1', input: { CertificateAuthorityArn: SUB } },
    ]);
    const { target, events } = await enrolAndCheckTwice(`acm-pca:${SUB}`, 'pki');
    expect(events.map((n) => [n.event, n.severity, n.target])).toEqual([['entered-window', 'critical', target.id]]);
  });

  it('rides out a throttled call, and says what Private CA answered when it refuses', async () => {
    pca.fail('GetCertificateAuthorityCertificate', {
      status: 400,
      type: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    expect(await check(`acm-pca:${SUB}`)).toMatchObject({ status: 'critical', error: null });
    expect(pca.calls).toHaveLength(2);

    pca.cas = [{ arn: SUB, status: 'PENDING_CERTIFICATE' }];
    expect((await check(`acm-pca:${SUB}`)).error).toEqual({
      kind: 'aws',
      message: 'Private CA GetCertificateAuthorityCertificate: InvalidStateException: The CA is not in a valid state',
    });
    pca.cas = [];
    expect((await check(`acm-pca:${SUB}`)).error?.message).toMatch(
      /^Private CA GetCertificateAuthorityCertificate: ResourceNotFoundException: Could not find arn:aws:acm-pca:/,
    );
    pca.fail('GetCertificateAuthorityCertificate', {
      status: 400,
      type: 'AccessDeniedException',
      message: 'User is not authorized to perform: acm-pca:GetCertificateAuthorityCertificate',
    });
    expect((await check(`acm-pca:${SUB}`)).error?.message).toMatch(/: AccessDeniedException: User is not authorized/);
    expect(() => normalizeTarget({ host: 'acm-pca:corp-root' })).toThrow(/is not of the form acm-pca:arn:aws:acm-pca:/);
  });
});

describe('iot-cert: IoT Core device certificates', () => {
  const DEVICE = `arn:aws:iot:eu-west-1:123456789012:cert/${'b'.repeat(64)}`;
  it('reads the device certificate, announces its window once, and says so when IoT refuses', async () => {
    iot.on(DescribeCertificateCommand, { certificateId: 'b'.repeat(64) }).resolves({
      certificateDescription: { certificateArn: DEVICE, status: 'ACTIVE', certificatePem: expiring.certPem },
    });
    expect(await check(`iot-cert:${DEVICE}`)).toMatchObject({ kind: 'iot-cert', status: 'critical', daysLeft: 5 });
    const { target, events } = await enrolAndCheckTwice(`iot-cert:${DEVICE}`, 'fleet');
    expect(events.map((n) => [n.event, n.severity, n.target])).toEqual([['entered-window', 'critical', target.id]]);
    iot.reset();
    iot
      .on(DescribeCertificateCommand)
      .rejects(Object.assign(new Error('The certificate does not exist'), { name: 'ResourceNotFoundException' }));
    expect((await check(`iot-cert:${DEVICE}`)).error?.message).toBe(
      'IoT DescribeCertificate: ResourceNotFoundException: The certificate does not exist',
    );
    expect(() => normalizeTarget({ host: 'iot-cert:thing-1' })).toThrow(/is not of the form iot-cert:arn:aws:iot:/);
  });
});

describe('apigw-truststore: the mutual TLS trust store of an API Gateway custom domain (in S3)', () => {
  const DOMAIN = 'arn:aws:apigateway:eu-west-1::/domainnames/api.example.com';
  function trustStore(version: string, ...certs: Minted[]) {
    apigateway.on(GetDomainNameCommand, { domainName: 'api.example.com' }).resolves({
      domainName: 'api.example.com',
      mutualTlsAuthentication: { truststoreUri: 's3://partner-trust/api/truststore.pem', truststoreVersion: version },
    });
    const pem = Buffer.from(certs.map((c) => c.certPem).join('\n'));
    s3.on(GetObjectCommand, { Bucket: 'partner-trust', Key: 'api/truststore.pem', VersionId: version }).resolves({
      ContentLength: pem.length,
      Body: { transformToByteArray: async () => new Uint8Array(pem) } as never,
    });
  }

  it('reads the version of the trust store the domain names, announces the CA near its end once, and its removal ends it', async () => {
    trustStore('v1', expiring, encryption);
    expect(await check(`apigw-truststore:${DOMAIN}`)).toMatchObject({
      kind: 'apigw-truststore',
      status: 'critical',
      certificateCount: 2,
      subject: 'CN=okta signing 2026',
    });
    const { target, events: first } = await enrolAndCheckTwice(`apigw-truststore:${DOMAIN}`, 'api');
    expect(first.map((n) => [n.event, n.severity, n.target])).toEqual([['entered-window', 'critical', target.id]]);
    apigateway.reset();
    s3.reset();
    trustStore('v2', successor, encryption);
    const after = await checkAgain(target);
    expect(after.find((n) => n.event === 'removed')?.resolves).toEqual([first[0]?.id]);
  });

  it('says what to do when the object is not opted in, and when the domain has no trust store', async () => {
    apigateway.on(GetDomainNameCommand).resolves({
      domainName: 'api.example.com',
      mutualTlsAuthentication: { truststoreUri: 's3://partner-trust/api/truststore.pem' },
    });
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    expect((await check(`apigw-truststore:${DOMAIN}`)).error?.message).toBe(
      'S3 GetObject of the trust store: AccessDenied: Access Denied (reading a trust store is opt-in: tag the object with the source tag, certvigil by default)',
    );
    apigateway.reset();
    apigateway.on(GetDomainNameCommand).resolves({ domainName: 'api.example.com' });
    expect((await check(`apigw-truststore:${DOMAIN}`)).error).toEqual({
      kind: 'empty',
      message: 'api.example.com has no mutual TLS trust store in S3',
    });
    expect(() => normalizeTarget({ host: 'apigw-truststore:api.example.com' })).toThrow(
      /is not of the form apigw-truststore:arn:aws:apigateway:/,
    );
  });
});
