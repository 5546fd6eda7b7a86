// A function URL's event (payload 2.0) as the transport-free request the admin API and the action
// links read: method, path, query, lower-case headers, the body decoded.
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import type { AdminRequest } from '../lib/admin/admin-types.ts';

export function functionUrlRequest(event: LambdaFunctionURLEvent): AdminRequest {
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '/',
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers: Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    body:
      event.body === undefined
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body,
  };
}
