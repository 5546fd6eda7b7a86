// Lambda entry of the documents function: SAML metadata, JWKS and PEM documents.
import { DOCUMENT_READERS } from '../lib/sources/documents/readers.ts';
import { probeFunction } from './probe-handler.ts';

export const handler = probeFunction(DOCUMENT_READERS);
