// The AWS account sources (ACM, IAM, Secrets Manager, SSM) with aws-sdk-client-mock answering
// with real certificates the fixtures mint, and the events only ACM can tell.
import { ACMClient, DescribeCertificateCommand, GetCertificateCommand } from '@aws-sdk/client-acm';
import { GetServerCertificateCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createRootCa, daysFromNow, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { checkTarget } from '../fixtures/check-source.ts';

const acm = mockClient(ACMClient);
const iam = mockClient(IAMClient);
const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab';
let intermediate: Minted;
let expiring: Minted;
let healthy: Minted;

const check = checkTarget;

function acmAnswers(cert: Minted, detail: Record<string, unknown>) {
  acm.on(DescribeCertificateCommand).resolves({
    Certificate: { CertificateArn: ARN, Status: 'ISSUED', ...detail },
  });
  acm.on(GetCertificateCommand).resolves({ Certificate: cert.certPem, CertificateChain: intermediate.certPem });
}

beforeAll(async () => {
  const root = await createRootCa();
  intermediate = await issueCertificate(root, { ca: true, notAfter: daysFromNow(1000) });
  expiring = await issueCertificate(intermediate, {
    sans: ['shop.example.com'],
    notBefore: daysFromNow(-80),
    notAfter: daysFromNow(6),
  });
  healthy = await issueCertificate(intermediate, { sans: ['api.example.com'], notAfter: daysFromNow(300) });
});
beforeEach(() => {
  for (const m of [acm, iam, secrets, ssm]) m.reset();
});

describe('acm: certificates', () => {
  it('reads an imported certificate with its ACM facts, and says ACM will not renew it', async () => {
    acmAnswers(expiring, {
      Type: 'IMPORTED',
      RenewalEligibility: 'INELIGIBLE',
      InUseBy: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/1'],
    });
    const result = await check(`acm:${ARN}`);
    expect(result).toMatchObject({
      kind: 'acm',
      target: `acm:${ARN}`,
      status: 'critical',
      acm: { type: 'IMPORTED', renewalEligibility: 'INELIGIBLE', inUseCount: 1 },
    });
    expect(acm.commandCalls(DescribeCertificateCommand)[0]?.args[0].input).toEqual({ CertificateArn: ARN });
    const [event] = decideTransition(undefined, result).events;
    expect(event).toMatchObject({ event: 'imported-expiring', severity: 'critical' });
    const text = renderNotification(event as never).text;
    expect(text).toMatch(/imported certificate expires in 5 days .*ACM will not renew it/);
    expect(text).toMatch(/re-import it into ACM/);
    expect(text).toMatch(/In use by 1: arn:aws:elasticloadbalancing/);
  });

  it.each([
    ['PENDING_AUTO_RENEWAL', []],
    ['SUCCESS', []],
    ['PENDING_VALIDATION', ['renewal-stuck']],
    ['FAILED', ['renewal-stuck']],
  ])(
    'with an amazon-issued certificate in its window and renewal %s, announces %j besides the window',
    async (status, extra) => {
      acmAnswers(expiring, {
        Type: 'AMAZON_ISSUED',
        RenewalEligibility: 'ELIGIBLE',
        RenewalSummary: { RenewalStatus: status, RenewalStatusReason: status === 'FAILED' ? 'CAA_ERROR' : undefined },
      });
      const result = await check(`acm:${ARN}`);
      // Seen before while still healthy: this check is the one that enters the window.
      const healthyBefore = {
        ...result,
        status: 'ok' as const,
        certificates: result.certificates.map((c) => ({ ...c, status: 'ok' as const })),
      };
      const previous = decideTransition(undefined, healthyBefore).state;
      const events = decideTransition(previous, result).events.map((e) => e.event);
      expect(events.sort()).toEqual(['entered-window', ...extra].sort());
      if (status === 'FAILED') {
        const stuck = decideTransition(previous, result).events.find((e) => e.event === 'renewal-stuck');
        expect(renderNotification(stuck as never).text).toMatch(/renewal FAILED \(CAA_ERROR\)/);
      }
    },
  );

  it('reads a private certificate and judges the chain ACM serves with it', async () => {
    acmAnswers(healthy, { Type: 'PRIVATE', RenewalEligibility: 'ELIGIBLE' });
    const result = await check(`acm:${ARN}`);
    expect(result).toMatchObject({ status: 'ok', acm: { type: 'PRIVATE' } });
    expect(result.chainNotAfter).toBe(healthy.cert.notAfter.toISOString());
  });

  it('reports a certificate still pending its first validation, and access denied, as errors', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, Status: 'PENDING_VALIDATION' } });
    expect((await check(`acm:${ARN}`)).error).toEqual({
      kind: 'empty',
      message: 'ACM certificate is PENDING_VALIDATION, not issued',
    });
    acm.on(DescribeCertificateCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: acm:DescribeCertificate'), {
        name: 'AccessDeniedException',
      }),
    );
    const denied = await check(`acm:${ARN}`);
    expect(denied.error?.kind).toBe('aws');
    expect(denied.error?.message).toMatch(/^ACM DescribeCertificate: AccessDeniedException: User is not authorized/);
  });
});

describe('iam:, secret: and ssm:', () => {
  it('reads an IAM server certificate', async () => {
    iam.on(GetServerCertificateCommand, { ServerCertificateName: 'legacy-elb' }).resolves({
      ServerCertificate: {
        ServerCertificateMetadata: {
          Path: '/',
          ServerCertificateName: 'legacy-elb',
          ServerCertificateId: 'ASCA',
          Arn: 'arn:aws:iam::123456789012:server-certificate/legacy-elb',
        },
        CertificateBody: expiring.certPem,
        CertificateChain: intermediate.certPem,
      },
    });
    expect(await check('iam:legacy-elb')).toMatchObject({ kind: 'iam', status: 'critical', certificateCount: 1 });
  });

  it('reads a secret holding a certificate and its private key, never the key', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/mtls-AbCdEf';
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: `${healthy.keyPem}\n${healthy.certPem}` });
    const result = await check(`secret:${arn}`);
    expect(result).toMatchObject({ kind: 'secret', status: 'ok', certificateCount: 1 });
    expect(JSON.stringify(result)).not.toContain(healthy.keyPem.split('\n')[1] as string);
  });

  it('reads a field of a JSON secret, and says which field is missing without quoting the secret', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/json-AbCdEf';
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({
      SecretString: JSON.stringify({ cert: expiring.certPem, key: 'super-secret-key-material' }),
    });
    expect(await check(`secret:${arn}#cert`)).toMatchObject({ status: 'critical', target: `secret:${arn}#cert` });
    const missing = await check(`secret:${arn}#certificate`);
    expect(missing.error).toEqual({ kind: 'empty', message: 'the secret has no text field "certificate"' });
    expect(JSON.stringify(missing)).not.toContain('super-secret');
  });

  it('reads an SSM parameter (decrypted), PEM or base64 DER', async () => {
    ssm.on(GetParameterCommand, { Name: '/certs/partner', WithDecryption: true }).resolves({
      Parameter: { Name: '/certs/partner', Value: healthy.certPem },
    });
    expect(await check('ssm:/certs/partner')).toMatchObject({ kind: 'ssm', status: 'ok' });
    ssm.on(GetParameterCommand, { Name: '/certs/der', WithDecryption: true }).resolves({
      Parameter: { Name: '/certs/der', Value: Buffer.from(expiring.cert.rawData).toString('base64') },
    });
    expect(await check('ssm:/certs/der')).toMatchObject({ status: 'critical' });
  });

  it.each([
    ['acm:not-an-arn', /acm target "not-an-arn" is not of the form/],
    ['secret:arn:aws:s3:::bucket', /secret target .* is not of the form/],
    ['iam:has space', /iam target .* is not of the form/],
  ])('refuses the target %s', (target, message) => {
    expect(() => normalizeTarget({ host: target })).toThrow(message);
  });
});
