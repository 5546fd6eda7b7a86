// The CDK app: `npx cdk synth` / `npx cdk deploy`. Settings: infra/config.ts (and docs/deploy.md).
// With `-c memberOf=ACCOUNT` it also holds the member-account stack (CertvigilMember).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CertvigilStack } from './certvigil-stack.ts';
import { readConfig } from './config.ts';
import { CertvigilMemberStack } from './member-stack.ts';

const app = new App();
const config = readConfig(app);
new CertvigilStack(app, app.node.tryGetContext('stackName') ?? 'Certvigil', {
  config,
  description: 'certvigil: certificate-expiry monitor',
});
const memberOf = app.node.tryGetContext('memberOf') as string | undefined;
if (memberOf !== undefined) {
  if (!/^\d{12}$/.test(String(memberOf))) throw new Error('memberOf must be the 12-digit id of the monitoring account');
  new CertvigilMemberStack(app, 'CertvigilMember', {
    monitoringAccount: String(memberOf),
    sourceTag: config.awsSourceTag,
    description: 'certvigil: read-only role for the monitoring account',
  });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
