// One registry: a target's kind -> the reader of its certificates. Every reader returns the same
// check result (DESIGN.md); adding a kind is a file in this folder and a line here.
import type { CheckResult } from '../probe/check-result.ts';
import { readFileSource } from './file.ts';
import { readJwks } from './jwks.ts';
import type { SourceKind } from './kinds.ts';
import { readPem } from './pem.ts';
import { readSaml } from './saml.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';
import { readTls } from './tls.ts';

export type SourceReader = (request: SourceRequest, context: SourceContext) => Promise<CheckResult>;

const READERS: Record<SourceKind, SourceReader> = {
  tls: readTls,
  saml: readSaml,
  jwks: readJwks,
  pem: readPem,
  file: readFileSource,
};

/** Reads and judges a target's certificates, whatever its kind. Never throws for trouble at the source. */
export function checkSource(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return READERS[request.kind](request, context);
}
