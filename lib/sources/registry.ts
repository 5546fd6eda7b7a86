// One registry: a target's kind -> the reader of its certificates. Every reader returns the same
// check result (DESIGN.md). Each function group has its table: tls-readers.ts, document-readers.ts
// and the AWS kinds' registry (aws/registry.ts, one module per kind).

import { AWS_KINDS, type SourceKind, URL_KINDS } from '../targets/kinds.ts';
import type { SourceReader, SourceReaders } from './check-source.ts';
import { TLS_READERS } from './tls/readers.ts';

export { checkSource, type SourceReader, type SourceReaders } from './check-source.ts';

/**
 * A reader loaded on first use: the document readers (an XML parser) and the AWS readers (the
 * AWS SDK clients) cost start-up time and memory that `certvigil check host` never needs.
 */
function lazy(kind: SourceKind, load: () => Promise<SourceReaders>): SourceReader {
  return async (request, context) => {
    const reader = (await load())[kind];
    if (!reader) throw new Error(`no reader for kind ${kind}`);
    return reader(request, context);
  };
}

const documents = () => import('./documents/readers.ts').then((m) => m.DOCUMENT_READERS);
const aws = () => import('./aws/readers.ts').then((m) => m.AWS_READERS);

/** Every kind: for the CLI, local mode and the admin API (check now). */
export const ALL_READERS: SourceReaders = {
  ...TLS_READERS,
  ...Object.fromEntries(([...URL_KINDS, 'file'] as SourceKind[]).map((kind) => [kind, lazy(kind, documents)])),
  ...Object.fromEntries(AWS_KINDS.map((kind) => [kind, lazy(kind, aws)])),
};
