// The shape most AWS kinds share: one API call returns the certificate (and perhaps its chain) as
// PEM. The call's failure is the check's error (`aws`, with the API's error name); every certificate
// in the answer stands for itself.

import { certificatesIn } from '../../certificate/pem-blocks.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { bundleResult, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { type AccountClients, accountClient, accountOf, awsError } from './clients.ts';

/**
 * Reads a target whose source is an ARN: `read` makes the one call (with the clients of the
 * account the ARN names) and returns the PEM text, or undefined when the answer holds none.
 */
export function readAwsPem(
  request: SourceRequest,
  context: SourceContext,
  api: string,
  describe: string,
  read: (arn: string, client: AccountClients) => Promise<string | undefined>,
): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const account = accountOf(arn);
    const client: AccountClients = (Client, region, extra) =>
      accountClient(Client, context.awsRoles, account, region, extra);
    const pem = await read(arn, client).catch((error: unknown) => {
      throw awsError(error, api);
    });
    return bundleResult(request, context, await certificatesIn(Buffer.from(pem ?? '')), describe);
  });
}
