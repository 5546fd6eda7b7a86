import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeReadAccess, discoveryReadStatements, sourceReadStatements } from './aws-read-access.ts';

/** The tag certvigil's reading roles carry; member accounts trust roles with it. */
export const READER_TAG = { key: 'certvigil-reader', value: 'true' } as const;
/** The member role's name, so its ARN is known before it exists: arn:aws:iam::MEMBER:role/certvigil-read. */
export const MEMBER_ROLE_NAME = 'certvigil-read';

export interface MemberReadRoleProps {
  /** The account certvigil is deployed in. */
  monitoringAccount: string;
  /** Tag a secret or parameter must carry to be read (the monitoring stack's awsSourceTag). */
  sourceTag: string;
}

/**
 * The read-only role certvigil assumes in a member account: the same reads as in its own account
 * (certificates, tagged secrets and parameters, listing for discovery), trusted only by roles of
 * the monitoring account that carry the certvigil reader tag (discovery, the account function and
 * the admin function).
 */
export class MemberReadRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberReadRoleProps) {
    super(scope, id);
    const { partition, account } = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: MEMBER_ROLE_NAME,
      description: 'certvigil: read-only access to the certificates and endpoints of this account',
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.AccountPrincipal(props.monitoringAccount).withConditions({
        StringEquals: { [`aws:PrincipalTag/${READER_TAG.key}`]: READER_TAG.value },
      }),
    });
    const scopeOf = { partition, account, sourceTag: props.sourceTag };
    for (const statement of [...sourceReadStatements(scopeOf), ...discoveryReadStatements(scopeOf)]) {
      this.role.addToPolicy(statement);
    }
    acknowledgeReadAccess(this.role, { sources: true, discovery: true });
    new CfnOutput(Stack.of(this), 'MemberRoleArn', {
      value: this.role.roleArn,
      description: 'Add to the accountRoleArns setting of the monitoring stack',
    });
  }
}
