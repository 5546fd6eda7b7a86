// Lambda entry of the probe: TLS endpoints. Document targets go to the documents function and
// AWS account targets to the account function, so each bundle holds only its own readers.
import { TLS_READERS } from '../lib/sources/tls/readers.ts';
import { probeFunction } from './probe-handler.ts';

export const handler = probeFunction(TLS_READERS);
