// `acm-pca:arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID`: an AWS Private CA's own
// certificate and the chain above it. When a private CA's certificate ends, every certificate it
// issued stops validating at once (service meshes, internal mTLS, devices), and nothing in AWS
// warns beforehand; a subordinate CA also falls with the root above it, so the chain counts too.
import type { CheckResult } from '../policy/check-result.ts';
import { GetCertificateAuthorityCertificateCommand } from './acm-pca-client.ts';
import { regionOf } from './aws-clients.ts';
import { readAwsPem } from './aws-pem-source.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readPrivateCa(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readAwsPem(
    request,
    context,
    'Private CA GetCertificateAuthorityCertificate',
    'the private CA',
    async (arn, clients) => {
      const answer = await clients
        .pca(regionOf(arn))
        .send(new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: arn }));
      return [answer.Certificate, answer.CertificateChain].filter(Boolean).join('\n');
    },
  );
}
