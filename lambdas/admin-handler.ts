// Admin API behind a Lambda function URL (AWS_IAM auth): targets, import, report, check now.

import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { type AdminDependencies, handleAdminRequest } from '../lib/admin/admin-api.ts';
import { problem } from '../lib/admin/problem.ts';
import { functionUrlRequest } from './function-url-handler.ts';

const logger = new Logger({ serviceName: 'certvigil-admin' });

export function createHandler(deps: AdminDependencies) {
  return async (event: LambdaFunctionURLEvent, context?: Context): Promise<LambdaFunctionURLResult> => {
    if (context) logger.addContext(context);
    const request = functionUrlRequest(event);
    const { method, path } = request;
    let response: Awaited<ReturnType<typeof handleAdminRequest>>;
    try {
      response = await handleAdminRequest(
        {
          ...request,
          // Function URLs with AWS_IAM auth name the signed caller here.
          caller: (event.requestContext as { authorizer?: { iam?: { userArn?: string } } } | undefined)?.authorizer?.iam
            ?.userArn,
        },
        deps,
      );
    } catch (error) {
      logger.error('admin request failed', { method, path, error: error as Error });
      response = problem(500, 'the request failed inside certvigil; see the admin function logs and try again');
    }
    logger.info('admin request', { method, path, status: response.status });
    return {
      statusCode: response.status,
      headers: response.headers,
      body: response.body,
      isBase64Encoded: response.base64 ?? false,
    };
  };
}
