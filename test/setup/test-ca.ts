// Mints one root CA for the whole run and trusts it the way an operator would: through
// NODE_EXTRA_CA_CERTS, set before the test workers start. Tests that need a publicly trusted
// chain issue from it (testRootCa() in cert-factory.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createRootCa } from '../fixtures/cert-factory.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testCa: { certPem: string; keyPem: string; file: string };
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'certvigil-test-ca-'));
  const root = await createRootCa({ subject: 'CN=certvigil test trusted root, O=certvigil tests' });
  const file = join(dir, 'trusted-root.pem');
  writeFileSync(file, root.certPem);
  process.env.NODE_EXTRA_CA_CERTS = file;
  project.provide('testCa', { certPem: root.certPem, keyPem: root.keyPem, file });
  return () => rmSync(dir, { recursive: true, force: true });
}
