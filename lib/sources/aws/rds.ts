// `rds:arn:aws:rds:REGION:ACCOUNT:db:NAME`: an RDS or Aurora DB instance's TLS certificates. RDS
// gives no certificate, only dates: the server certificate's end (`CertificateDetails.ValidTill`)
// and, through DescribeCertificates, the dates of the CA it chains to. When the CA ends, clients
// that verify the server (sslmode=verify-full, the JDBC/Go/Python defaults of many teams) refuse
// every connection: an instance still on a CA near its end is the event to have early.
//
// Discovery: RDS and Aurora DB instances (each `rds:ARN`: its server certificate's end and its CA's). The
// listing carries the tags, so an account of any size costs one call per 100 instances.
import { DescribeCertificatesCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceCertificate } from '../../policy/judge-certificates.ts';
import { boundText } from '../../text-bounds.ts';
import { documentResult, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError, regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { eachPage } from './pages.ts';
import { tagRecord } from './tags.ts';

/** How long a CA's dates are kept (one container reads many instances on the same few CAs). */
const CA_CACHE_MS = 60 * 60_000;
const caDates = new WeakMap<RDSClient, Map<string, { at: number; answer: Promise<CaDates | undefined> }>>();

interface CaDates {
  validFrom: Date | undefined;
  validTill: Date;
  thumbprint: string;
}

/** The dates of one of RDS's CAs, read once an hour per client (a region and account). */
function caDatesOf(rds: RDSClient, identifier: string, now: number): Promise<CaDates | undefined> {
  let byId = caDates.get(rds);
  if (!byId) {
    byId = new Map();
    caDates.set(rds, byId);
  }
  const cached = byId.get(identifier);
  if (cached && now - cached.at < CA_CACHE_MS) return cached.answer;
  const answer = rds.send(new DescribeCertificatesCommand({ CertificateIdentifier: identifier })).then((page) => {
    const ca = page.Certificates?.find((c) => c.CertificateIdentifier === identifier);
    return ca?.ValidTill
      ? { validFrom: ca.ValidFrom, validTill: ca.ValidTill, thumbprint: ca.Thumbprint ?? '' }
      : undefined;
  });
  byId.set(identifier, { at: now, answer });
  answer.catch(() => byId.delete(identifier));
  return answer;
}

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const name = boundText(arn.split(':').pop() ?? '', 63);
    const rds = accountClient(RDSClient, context.awsRoles, accountOf(arn), regionOf(arn));
    const answer = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: arn })).catch((error) => {
      throw awsError(error, 'RDS DescribeDBInstances');
    });
    const instance = answer.DBInstances?.[0];
    if (!instance) throw new ProbeError('empty', 'RDS describes no such DB instance');
    const caId = instance.CertificateDetails?.CAIdentifier ?? instance.CACertificateIdentifier;
    const items: SourceCertificate[] = [];
    const validTill = instance.CertificateDetails?.ValidTill;
    if (validTill) {
      items.push({
        cert: null,
        placeKey: 'rds-server',
        dated: {
          identity: `rds-server:${arn}`,
          subject: `RDS server certificate of ${name}`,
          issuer: caId ? boundText(caId, 64) : null,
          notBefore: null,
          notAfter: validTill,
        },
      });
    }
    if (caId) {
      const ca = await caDatesOf(rds, caId, context.now().getTime()).catch((error) => {
        throw awsError(error, 'RDS DescribeCertificates');
      });
      if (ca) {
        items.push({
          cert: null,
          placeKey: 'rds-ca',
          dated: {
            // The thumbprint tells a reissued CA of the same name from the old one.
            identity: `rds-ca:${caId}:${ca.thumbprint}`,
            subject: `RDS CA ${boundText(caId, 64)}, still used by ${name}`,
            issuer: 'Amazon RDS',
            notBefore: ca.validFrom ?? null,
            notAfter: ca.validTill,
          },
        });
      }
    }
    if (!items.length) throw new ProbeError('empty', 'RDS reports no certificate dates for this instance');
    return documentResult(request, context, items, (item) => item.placeKey ?? '', 'the DB instance');
  });
}

export const finder: Finder = {
  service: 'rds',
  async find(context) {
    const rds = context.client(RDSClient);
    const found: DiscoveredResource[] = [];
    await eachPage(
      (token) =>
        context.call('RDS DescribeDBInstances', () =>
          rds.send(new DescribeDBInstancesCommand({ MaxRecords: 100, Marker: token })),
        ),
      (page) => page.Marker,
      (page) => {
        for (const instance of page.DBInstances ?? []) {
          const arn = instance.DBInstanceArn;
          if (!arn) continue;
          if (instance.DBInstanceStatus === 'deleting') context.skip('RDS instance being deleted');
          else found.push({ target: `rds:${arn}`, service: 'rds', resource: arn, tags: tagRecord(instance.TagList) });
        }
      },
    );
    return found;
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadRdsInstanceCertificates',
    actions: ['rds:DescribeDBInstances'],
    resources: ['arn:{partition}:rds:*:{account}:db:*'],
    why: "Any RDS or Aurora DB instance of this account, any region: its certificate's end and CA (no data, no credentials); read-only.",
  },
  {
    sid: 'ReadRdsCaDates',
    actions: ['rds:DescribeCertificates'],
    resources: ['*'],
    why: "rds:DescribeCertificates: the dates of Amazon RDS's own CAs, which are not resources of the account; read-only.",
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['rds:DescribeDBInstances'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
];
