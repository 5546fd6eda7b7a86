// `iam-saml:ARN`: an IAM SAML identity provider (federated sign-in to the AWS console and APIs).
// IAM keeps the IdP's metadata document; when its signing certificate expires or rolls over
// without the document being updated, sign-in breaks and AWS says nothing beforehand.
import { Readable } from 'node:stream';
import { GetSAMLProviderCommand } from '@aws-sdk/client-iam';
import { ProbeError } from '../net/probe-error.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { accountOf, awsClientsFor, awsError } from './aws-clients.ts';
import { judgedResult, judgeFor, readOrFail } from './document-result.ts';
import { MAX_SAML_BYTES, parseSamlMetadata, samlPurpose } from './saml.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export function readIamSaml(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const answer = await awsClientsFor(context.awsRoles, accountOf(arn))
      .iam()
      .send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))
      .catch((error: unknown) => {
        throw awsError(error, 'IAM GetSAMLProvider');
      });
    const document = answer.SAMLMetadataDocument ?? '';
    if (Buffer.byteLength(document) > MAX_SAML_BYTES) {
      throw new ProbeError('parse', `the provider's metadata is larger than ${MAX_SAML_BYTES} bytes`);
    }
    // The same reading and rollover awareness as a saml: target (successors per entity, role, use).
    const judge = judgeFor(request, context, samlPurpose);
    await parseSamlMetadata(Readable.from([Buffer.from(document)]), (item) => judge.add(item));
    const result = judgedResult(request, context, judge, "the provider's metadata");
    const validUntil = answer.ValidUntil instanceof Date ? answer.ValidUntil.toISOString() : null;
    return { ...result, samlProvider: { validUntil } };
  });
}
