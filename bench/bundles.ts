// Lambda bundle sizes and a cold-start proxy: synthesises the stack exactly as `cdk synth` does
// (same NodejsFunction bundling, local esbuild), then for each function prints the size of its
// minified index.js and the median time to load it (require) in a fresh Node process.
// Usage: npm run bench:bundles -- [RUNS=10]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CertvigilStack } from '../infra/certvigil-stack.ts';
import { readConfig } from '../infra/config.ts';

const runs = Number(process.argv[2] ?? 10);
const outdir = mkdtempSync(join(tmpdir(), 'certvigil-bundles-'));
const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
const stack = new CertvigilStack(app, 'Certvigil', { config: readConfig(app) });
const assembly = app.synth();
const template = JSON.parse(
  readFileSync(join(assembly.directory, assembly.getStackByName(stack.stackName).templateFile), 'utf8'),
);

// What the functions read at cold start; nothing is called.
const env = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TARGETS_TABLE: 't',
  HISTORY_TABLE: 'h',
  EXPORT_BUCKET: 'e',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:000000000000:t',
  PROBE_FUNCTION_NAME: 'p',
  SLACK_SECRET_ID: 's',
  POWERTOOLS_METRICS_DISABLED: 'true',
};
const loader =
  'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

console.log(`node ${process.version}, ${runs} fresh processes per bundle`);
console.log('function     bundle (min.)   load median   load max');
for (const [id, resource] of Object.entries(
  template.Resources as Record<string, { Type: string; Metadata?: Record<string, string> }>,
)) {
  if (resource.Type !== 'AWS::Lambda::Function') continue;
  const asset = resource.Metadata?.['aws:asset:path'];
  if (!asset) continue;
  const file = join(assembly.directory, asset, 'index.js');
  const times = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, ['-e', loader, file], { env }).toString()),
  );
  times.sort((a, b) => a - b);
  const name = id.replace(/[0-9A-F]{8}$/, '').replace(/^(Probes|Dispatch|AdminApi|Alerts)/, '');
  console.log(
    `${name.padEnd(12)} ${`${(statSync(file).size / 1024).toFixed(1)} KiB`.padStart(13)}   ${`${times[Math.floor(runs / 2)]?.toFixed(1)} ms`.padStart(11)}   ${`${times.at(-1)?.toFixed(1)} ms`.padStart(8)}`,
  );
}
console.log('targets: probe bundle < 400 KB minified, load < 150 ms');
rmSync(outdir, { recursive: true, force: true });
