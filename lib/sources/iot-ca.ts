// `iot-ca:arn:aws:iot:REGION:ACCOUNT:cacert/ID`: a CA certificate registered with AWS IoT Core.
// Devices present certificates this CA signed; when it expires, just-in-time registration and
// (with its verification) device sign-in under it stop, and IoT Core says nothing beforehand.
import { DescribeCACertificateCommand } from '@aws-sdk/client-iot';
import type { CheckResult } from '../policy/check-result.ts';
import { regionOf } from './aws-clients.ts';
import { readAwsPem } from './aws-pem-source.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readIotCa(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readAwsPem(request, context, 'IoT DescribeCACertificate', 'the IoT CA certificate', async (arn, clients) => {
    const answer = await clients
      .iot(regionOf(arn))
      .send(new DescribeCACertificateCommand({ certificateId: arn.split('/').pop() ?? '' }));
    return answer.certificateDescription?.certificatePem;
  });
}
