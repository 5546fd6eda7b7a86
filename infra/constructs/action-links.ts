import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../../lib/doctor/stack-outputs.ts';
import { ENV } from '../../lib/env-names.ts';
import { CertvigilFunction } from './certvigil-function.ts';

export interface ActionLinksProps {
  targets: TableV2;
  history: TableV2;
  /** The ledger: used tokens and the per-caller counts. */
  directory: TableV2;
  historyTtlDays: number;
  /** How long a link works (days). */
  linkDays: number;
  logRetention: RetentionDays;
}

/**
 * Signed action links (issue 31, opt-in stack setting `actionLinks`): the signing key in Secrets
 * Manager, and the function that acts on the links behind a function URL without AWS auth. It
 * accepts only tokens signed with that key; publishers that may sign are given the key and the URL
 * by `signs`.
 */
export class ActionLinks extends Construct {
  readonly fn: CertvigilFunction;
  readonly key: secrets.Secret;
  readonly url: string;
  private readonly linkDays: number;

  constructor(scope: Construct, id: string, props: ActionLinksProps) {
    super(scope, id);
    this.linkDays = props.linkDays;
    this.key = new secrets.Secret(this, 'Key', {
      description:
        'certvigil: the key that signs acknowledge and snooze links (a new value voids every link made before)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.key).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the action-link key voids every link already sent in alerts; it is rotated by hand (put-secret-value) when a link may have leaked, as docs/action-links.md says.',
    });
    this.fn = new CertvigilFunction(this, 'Actions', {
      name: 'actions',
      description: 'certvigil: acknowledge and snooze from signed links in alerts (function URL, no AWS auth)',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        [ENV.targetsTable]: props.targets.tableName,
        [ENV.historyTable]: props.history.tableName,
        [ENV.historyTtlDays]: String(props.historyTtlDays),
        [ENV.directoryTable]: props.directory.tableName,
        [ENV.actionKeySecret]: this.key.secretArn,
      },
      logRetention: props.logRetention,
    });
    // Acknowledging reads the target and updates its acknowledgements; the timeline gets a row;
    // the ledger claims, settles and gives back tokens, and counts callers.
    props.targets.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.history.grant(this.fn, 'dynamodb:PutItem');
    props.directory.grant(
      this.fn,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    this.key.grantRead(this.fn);
    this.url = this.fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE }).url;
    new CfnOutput(Stack.of(this), STACK_OUTPUTS.actionLinksUrl, {
      value: this.url,
      description: 'certvigil action links (public; accepts only tokens signed with the ActionLinks key)',
    });
  }

  /** A publisher puts signed links in its messages: it is told the URL and may read the key. */
  signs(fn: CertvigilFunction): void {
    fn.addEnvironment(ENV.actionLinksUrl, this.url);
    fn.addEnvironment(ENV.actionKeySecret, this.key.secretArn);
    fn.addEnvironment(ENV.actionLinkDays, String(this.linkDays));
    this.key.grantRead(fn);
  }
}
