// The CDK app: `npx cdk synth` / `npx cdk deploy`. Settings: infra/config.ts (and the README).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CertvigilStack } from './certvigil-stack.ts';
import { readConfig } from './config.ts';

const app = new App();
new CertvigilStack(app, app.node.tryGetContext('stackName') ?? 'Certvigil', {
  config: readConfig(app),
  description: 'certvigil: certificate-expiry monitor',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
