// The readers of documents and files (the documents function, the CLI, local mode).
import type { SourceReaders } from '../check-source.ts';
import { readFileSource } from './file.ts';
import { readJwks } from './jwks.ts';
import { readPem } from './pem.ts';
import { readSaml } from './saml.ts';

export const DOCUMENT_READERS: SourceReaders = {
  saml: readSaml,
  jwks: readJwks,
  pem: readPem,
  file: readFileSource,
};
