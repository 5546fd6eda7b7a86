// Reads a target's certificates with the reader registered for its kind. The readers are passed
// in, so that each function bundles only the kinds it serves (the probe function: tls; the
// documents function: the document kinds); the CLI and local mode pass them all (registry.ts).
import type { CheckResult } from '../policy/check-result.ts';
import type { SourceKind } from '../targets/kinds.ts';
import type { SourceContext, SourceRequest } from './source-context.ts';

export type SourceReader = (request: SourceRequest, context: SourceContext) => Promise<CheckResult>;
export type SourceReaders = Partial<Record<SourceKind, SourceReader>>;

/** Reads and judges a target's certificates. Never throws for trouble at the source. */
export function checkSource(
  request: SourceRequest,
  context: SourceContext,
  readers: SourceReaders,
): Promise<CheckResult> {
  const read = readers[request.kind];
  // A target routed to a function that does not read its kind: a wiring bug, so it fails loudly.
  if (!read) throw new Error(`this function does not read ${request.kind} targets (${request.id})`);
  return read(request, context);
}
