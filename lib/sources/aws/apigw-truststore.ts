// `apigw-truststore:arn:aws:apigateway:REGION:[ACCOUNT]:/domainnames/DOMAIN`: the mutual TLS trust
// store of an API Gateway custom domain, a PEM bundle in S3 (the domain names its URI and version).
// When a CA in it ends, API Gateway refuses every client whose certificate chains to it. Reading the
// object is opt-in, like secrets: only objects tagged with the source tag may be read.

import { APIGatewayClient, GetDomainNameCommand } from '@aws-sdk/client-api-gateway';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { certificatesIn } from '../../certificate/pem-blocks.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { boundText } from '../../text-bounds.ts';
import { bundleResult, documentDeadline, readOrFail } from '../document-result.ts';
import { MAX_PEM_BYTES } from '../documents/pem.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError, regionOf } from './clients.ts';
import type { Grant } from './kind-module.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const account = accountOf(arn);
    const domainName = arn.split('/domainnames/').pop() ?? '';
    const domain = await accountClient(APIGatewayClient, context.awsRoles, account, regionOf(arn))
      .send(new GetDomainNameCommand({ domainName }))
      .catch((error: unknown) => {
        throw awsError(error, 'API Gateway GetDomainName');
      });
    const uri = domain.mutualTlsAuthentication?.truststoreUri;
    const location = uri ? /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) : null;
    if (!location) throw new ProbeError('empty', `${boundText(domainName, 253)} has no mutual TLS trust store in S3`);
    const [, bucket = '', key = ''] = location;
    const object = await accountClient(S3Client, context.awsRoles, account, regionOf(arn), {
      followRegionRedirects: true,
    })
      .send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          VersionId: domain.mutualTlsAuthentication?.truststoreVersion,
        }),
        { abortSignal: documentDeadline(context) },
      )
      .catch((error: unknown) => {
        const failed = awsError(error, 'S3 GetObject of the trust store');
        if (!/AccessDenied|Forbidden/.test(String((error as Error).name))) throw failed;
        throw new ProbeError(
          'aws',
          `${failed.message} (reading a trust store is opt-in: tag the object with the source tag, certvigil by default)`,
        );
      });
    if ((object.ContentLength ?? 0) > MAX_PEM_BYTES) {
      // Not read at all: the stream is closed unread.
      (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new ProbeError('parse', `the trust store is larger than ${MAX_PEM_BYTES} bytes`);
    }
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    if (bytes.length > MAX_PEM_BYTES)
      throw new ProbeError('parse', `the trust store is larger than ${MAX_PEM_BYTES} bytes`);
    return bundleResult(request, context, await certificatesIn(bytes), 'the trust store');
  });
}

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadApiGatewayClientCertificatesAndTrustStores',
    actions: ['apigateway:GET'],
    resources: ['arn:{partition}:apigateway:*::/domainnames/*'],
    why: 'Custom domain names in any region (their mutual TLS trust store location); GET only.',
  },
  {
    sid: 'ReadTaggedTrustStoreObjects',
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resources: ['arn:{partition}:s3:::*/*'],
    conditions: {
      Null: { 's3:ExistingObjectTag/{sourceTag}': 'false' },
      StringEquals: { 'aws:ResourceAccount': '{account}' },
    },
    why: 'Only objects of this account carrying the certvigil tag (conditions): mutual TLS trust stores (public CA certificates); read-only.',
  },
];
