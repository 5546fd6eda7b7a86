import type { FieldProblem } from '../targets/target-schema.ts';

/** An HTTP answer of the admin API, independent of Lambda or node:http. */
export interface AdminResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when `body` is base64 of binary content (gzip). */
  base64?: boolean;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem response: one sentence saying what was wrong and what to do. */
export function problem(status: number, detail: string, errors?: FieldProblem[]): AdminResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      ...(errors ? { errors } : {}),
    }),
  };
}

export function json(status: number, value: unknown): AdminResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** A failure the API answers with a problem response. */
export class ProblemError extends Error {
  readonly status: number;
  readonly errors: FieldProblem[] | undefined;
  constructor(status: number, detail: string, errors?: FieldProblem[]) {
    super(detail);
    this.status = status;
    this.errors = errors;
  }
}
