// `iot-ca:arn:aws:iot:REGION:ACCOUNT:cacert/ID`: a CA certificate registered with AWS IoT Core.
// Devices present certificates this CA signed; when it expires, just-in-time registration and
// (with its verification) device sign-in under it stop, and IoT Core says nothing beforehand.
import { DescribeCACertificateCommand } from '@aws-sdk/client-iot';
import type { CheckResult } from '../probe/check-result.ts';
import { accountOf, awsClientsFor, awsError, regionOf } from './aws-clients.ts';
import { certificatesIn } from './certificate-blocks.ts';
import { bundleResult, readOrFail } from './document-result.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readIotCa(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const answer = await awsClientsFor(context.awsRoles, accountOf(arn))
      .iot(regionOf(arn))
      .send(new DescribeCACertificateCommand({ certificateId: arn.split('/').pop() ?? '' }))
      .catch((error: unknown) => {
        throw awsError(error, 'IoT DescribeCACertificate');
      });
    const pem = answer.certificateDescription?.certificatePem ?? '';
    const [certificate] = await certificatesIn(Buffer.from(pem));
    return bundleResult(request, context, certificate ? [certificate] : [], 'the IoT CA certificate');
  });
}
