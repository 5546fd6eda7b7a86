// `file:PATH`: PEM, DER or PKCS#7 files, for the CLI and local mode (the deployed API refuses
// them). A file that also holds a private key is read for its certificates only.
import { open } from 'node:fs/promises';
import { certificatesIn, pkcs7Certificates } from '../../certificate/pem-blocks.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { bundleResult, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export function readFileSource(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    if (!context.allowFiles) {
      throw new ProbeError('refused', 'file targets are read by the CLI and local mode only, not in AWS');
    }
    const path = request.source as string;
    let data: Buffer;
    try {
      const handle = await open(path, 'r');
      try {
        const { size } = await handle.stat();
        if (size > MAX_FILE_BYTES) throw new ProbeError('parse', `${path} is larger than 5 MiB`);
        data = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof ProbeError) throw error;
      // The code only (ENOENT, EACCES…): nothing of the file's content.
      throw new ProbeError('refused', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const certificates = await certificatesIn(data, { pkcs7: pkcs7Certificates });
    return bundleResult(request, context, certificates, 'the file');
  });
}
