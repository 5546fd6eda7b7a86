// `cognito:USER_POOL_ARN` and `cognito:USER_POOL_ARN#PROVIDER`: a Cognito user pool's own SAML
// signing certificate (GetSigningCertificate: the IdPs that trust the pool hold its public half),
// and the metadata of one of its SAML identity providers (DescribeIdentityProvider: MetadataFile).
// Either one expiring breaks sign-in through the pool, and Cognito warns of neither.
import { Readable } from 'node:stream';
import {
  DescribeIdentityProviderCommand,
  GetSigningCertificateCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { certificatesIn } from '../certificate/pem-blocks.ts';
import { ProbeError } from '../net/probe-error.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { boundText } from '../text-bounds.ts';
import { accountOf, awsClientsFor, awsError, regionOf } from './aws-clients.ts';
import { bundleResult, judgedResult, judgeFor, readOrFail } from './document-result.ts';
import { MAX_SAML_BYTES, parseSamlMetadata, samlPurpose } from './saml.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

/** `arn:…:userpool/eu-west-1_AbC123[#Provider]` → the pool's ARN, id and the provider's name. */
export function cognitoSource(source: string): { arn: string; poolId: string; provider: string | undefined } {
  const hash = source.indexOf('#');
  const arn = hash === -1 ? source : source.slice(0, hash);
  const provider = hash === -1 ? undefined : source.slice(hash + 1);
  return { arn, poolId: arn.split('/').pop() ?? '', provider: provider || undefined };
}

export function readCognito(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const { arn, poolId, provider } = cognitoSource(request.source as string);
    const cognito = awsClientsFor(context.awsRoles, accountOf(arn)).cognito(regionOf(arn));
    if (!provider) {
      const answer = await cognito.send(new GetSigningCertificateCommand({ UserPoolId: poolId })).catch((error) => {
        throw awsError(error, 'Cognito GetSigningCertificate');
      });
      // The certificate comes as bare base64 DER (no PEM armour).
      const body = (answer.Certificate ?? '').trim();
      const der = Buffer.from(body.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
      const certificates = await certificatesIn(der);
      return bundleResult(request, context, certificates.slice(0, 1), "the user pool's signing certificate");
    }
    const answer = await cognito
      .send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: provider }))
      .catch((error) => {
        throw awsError(error, 'Cognito DescribeIdentityProvider');
      });
    const details = answer.IdentityProvider?.ProviderDetails ?? {};
    if (answer.IdentityProvider?.ProviderType !== 'SAML') {
      throw new ProbeError(
        'empty',
        `the identity provider is not a SAML one (${boundText(String(answer.IdentityProvider?.ProviderType), 32)})`,
      );
    }
    const document = details.MetadataFile;
    if (!document) {
      const url = details.MetadataURL ? ` from ${boundText(details.MetadataURL, 200)}: watch it as saml:URL` : '';
      throw new ProbeError('empty', `the provider keeps no metadata file in Cognito${url}`);
    }
    if (Buffer.byteLength(document) > MAX_SAML_BYTES) {
      throw new ProbeError('parse', `the provider's metadata is larger than ${MAX_SAML_BYTES} bytes`);
    }
    const judge = judgeFor(request, context, samlPurpose);
    await parseSamlMetadata(Readable.from([Buffer.from(document)]), (item) => judge.add(item));
    return judgedResult(request, context, judge, "the provider's metadata");
  });
}
