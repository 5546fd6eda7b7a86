// Roles that read certificates and inventory in other AWS accounts (the `accountRoleArns`
// setting). Apart from the clients so that configuration does not pull the SDK into every bundle.
import { boundText } from '../../text-bounds.ts';

/** Read-only roles in other accounts, by account id (the `accountRoleArns` setting). */
export type AccountRoles = ReadonlyMap<string, string>;

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** The account roles of a list of role ARNs; throws naming an ARN that is not a role's. */
export function accountRoles(arns: readonly string[]): AccountRoles {
  const roles = new Map<string, string>();
  for (const arn of arns) {
    const account = ROLE_ARN.exec(arn)?.[1];
    if (!account) throw new Error(`"${boundText(arn, 200)}" is not the ARN of an IAM role`);
    if (roles.has(account)) throw new Error(`two roles are given for account ${account}`);
    roles.set(account, arn);
  }
  return roles;
}
