import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MemberReadRole } from './constructs/member-read-role.ts';

export interface CertvigilMemberStackProps extends StackProps {
  monitoringAccount: string;
  sourceTag: string;
}

/**
 * Deployed in each member account (`npx cdk deploy CertvigilMember -c memberOf=MONITORING_ACCOUNT`
 * with that account's credentials): the read-only role certvigil assumes there.
 */
export class CertvigilMemberStack extends Stack {
  readonly readRole: MemberReadRole;

  constructor(scope: Construct, id: string, props: CertvigilMemberStackProps) {
    super(scope, id, props);
    this.readRole = new MemberReadRole(this, 'Read', {
      monitoringAccount: props.monitoringAccount,
      sourceTag: props.sourceTag,
    });
  }
}
