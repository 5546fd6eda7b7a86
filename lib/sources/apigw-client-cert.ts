// `apigw-client-cert:arn:aws:apigateway:REGION:[ACCOUNT]:/clientcertificates/ID`: the client
// certificate API Gateway presents to an HTTP backend. API Gateway issues it for 365 days and never
// renews it; when it ends, backends that verify it refuse every request the API forwards.
import { GetClientCertificateCommand } from '@aws-sdk/client-api-gateway';
import type { CheckResult } from '../policy/check-result.ts';
import { regionOf } from './aws-clients.ts';
import { readAwsPem } from './aws-pem-source.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readApiGatewayClientCertificate(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  // API Gateway's own ARNs name no account; discovery writes it in for a member account's.
  return readAwsPem(
    request,
    context,
    'API Gateway GetClientCertificate',
    'the API Gateway client certificate',
    async (arn, clients) => {
      const answer = await clients
        .apigateway(regionOf(arn))
        .send(new GetClientCertificateCommand({ clientCertificateId: arn.split('/').pop() ?? '' }));
      return answer.pemEncodedCertificate;
    },
  );
}
