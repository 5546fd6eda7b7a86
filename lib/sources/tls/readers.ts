// The readers of the probe function: endpoints only (its bundle stays small).
import type { SourceReaders } from '../check-source.ts';
import { readTls } from './tls.ts';

export const TLS_READERS: SourceReaders = { tls: readTls };
