// Builds a function's bundle as the stack does (infra/constructs/certvigil-function.ts), so that
// the benchmarks measure what runs in Lambda.
import { join } from 'node:path';
import { build } from 'esbuild';
import { externalModulesOf, LAMBDA_BUNDLING } from '../infra/constructs/certvigil-function.ts';

/** Bundles lambdas/NAME.ts into DIR/NAME.cjs and returns that path. */
export async function bundleLambda(name: string, dir: string): Promise<string> {
  const outfile = join(dir, `${name}.cjs`);
  await build({
    entryPoints: [new URL(`../lambdas/${name}.ts`, import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    minify: LAMBDA_BUNDLING.minify,
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    external: externalModulesOf(name),
    logLevel: 'warning',
  });
  return outfile;
}
