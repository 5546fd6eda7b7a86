// `iot-cert:arn:aws:iot:REGION:ACCOUNT:cert/ID`: one IoT Core device certificate. A device whose
// certificate ends can no longer connect, and nothing brings it back but a new certificate put on
// the device itself: the warning has to come while the device still connects to receive one.
import { DescribeCertificateCommand } from '@aws-sdk/client-iot';
import type { CheckResult } from '../policy/check-result.ts';
import { regionOf } from './aws-clients.ts';
import { readAwsPem } from './aws-pem-source.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readIotDeviceCertificate(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readAwsPem(request, context, 'IoT DescribeCertificate', 'the IoT device certificate', async (arn, clients) => {
    const answer = await clients
      .iot(regionOf(arn))
      .send(new DescribeCertificateCommand({ certificateId: arn.split('/').pop() ?? '' }));
    return answer.certificateDescription?.certificatePem;
  });
}
