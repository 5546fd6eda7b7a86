// `iam:NAME`: an IAM server certificate (still used by some load balancers and CloudFront), which
// has no expiry alerting of its own.
import { GetServerCertificateCommand } from '@aws-sdk/client-iam';
import { certificatesIn } from '../certificate/pem-blocks.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { accountOf, awsClientsFor, awsError } from './aws-clients.ts';
import { bundleResult, readOrFail } from './document-result.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readIam(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    // `iam:NAME` in this account, or `iam:arn:aws:iam::ACCOUNT:server-certificate/path/NAME` in another.
    const source = request.source as string;
    const name = source.startsWith('arn:') ? (source.split('/').pop() ?? '') : source;
    const answer = await awsClientsFor(context.awsRoles, accountOf(source))
      .iam()
      .send(new GetServerCertificateCommand({ ServerCertificateName: name }))
      .catch((error: unknown) => {
        throw awsError(error, 'IAM GetServerCertificate');
      });
    const body = answer.ServerCertificate?.CertificateBody ?? '';
    const [leaf] = await certificatesIn(Buffer.from(body));
    return bundleResult(request, context, leaf ? [leaf] : [], 'the IAM server certificate');
  });
}
