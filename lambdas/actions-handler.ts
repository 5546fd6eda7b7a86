// The action links' function URL (auth NONE, issue 31): every request goes to handleActionRequest,
// which believes nothing before a token's signature holds. Logs one line per request (never the token).
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { type ActionDependencies, handleActionRequest } from '../lib/actions/action-handler.ts';
import { refusalPage } from '../lib/actions/action-pages.ts';
import { functionUrlRequest } from './function-url-handler.ts';

const logger = new Logger({ serviceName: 'certvigil-actions' });

export function createActionsHandler(deps: Omit<ActionDependencies, 'log'> & Partial<Pick<ActionDependencies, 'log'>>) {
  const log = deps.log ?? ((entry: Record<string, unknown>) => logger.info('action link', entry));
  return async (event: LambdaFunctionURLEvent, context?: Context): Promise<LambdaFunctionURLResult> => {
    if (context) logger.addContext(context);
    let response: Awaited<ReturnType<typeof handleActionRequest>>;
    try {
      response = await handleActionRequest(
        {
          ...functionUrlRequest(event),
          sourceIp: event.requestContext?.http?.sourceIp ?? 'unknown',
        },
        { ...deps, log },
      );
    } catch (error) {
      logger.error('action request failed', {
        path: (event.rawPath ?? '').slice(0, 120),
        error: (error as Error).name,
      });
      response = refusalPage('failed');
    }
    return { statusCode: response.status, headers: response.headers, body: response.body, isBase64Encoded: false };
  };
}
