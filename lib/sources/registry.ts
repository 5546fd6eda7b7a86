// One registry: a target's kind -> the reader of its certificates. Every reader returns the same
// check result (DESIGN.md); adding a kind is a file in this folder and a line in the readers of
// the function that serves it (tls-readers.ts or document-readers.ts).
import { AWS_READERS } from './aws-readers.ts';
import type { SourceReaders } from './check-source.ts';
import { DOCUMENT_READERS } from './document-readers.ts';
import { TLS_READERS } from './tls-readers.ts';

export { checkSource, type SourceReader, type SourceReaders } from './check-source.ts';

/** Every kind: for the CLI, local mode and the admin API (check now). */
export const ALL_READERS: SourceReaders = { ...TLS_READERS, ...DOCUMENT_READERS, ...AWS_READERS };
