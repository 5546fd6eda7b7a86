// The read-only access certvigil needs to an AWS account's certificates and endpoints, built from
// the grants each AWS kind's module declares beside the calls that need them
// (lib/sources/aws/<kind>.ts: `grants` to read, `findGrants` to list) and those of the endpoint
// finders (lib/discovery/finders). The account function and the admin function (reading targets),
// discovery (listing), and the member-account role (both, for another account) use it.
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { ENDPOINT_FINDER_MODULES } from '../../lib/discovery/finders/index.ts';
import type { AwsKindModule, Grant } from '../../lib/sources/aws/kind-module.ts';
import { AWS_KIND_MODULES } from '../../lib/sources/aws/registry.ts';

export interface ReadScope {
  partition: string;
  account: string;
  /** Tag a secret or parameter must carry to be read. */
  sourceTag: string;
}

const KINDS: readonly AwsKindModule[] = Object.values(AWS_KIND_MODULES);

/** What reading every kind's certificates needs. */
export function sourceGrants(kinds: readonly AwsKindModule[] = KINDS): Grant[] {
  return kinds.flatMap((kind) => kind.grants);
}

/** What listing every kind and every endpoint discovery finds needs. */
export function discoveryGrants(kinds: readonly AwsKindModule[] = KINDS): Grant[] {
  return [
    ...kinds.flatMap((kind) => kind.findGrants ?? []),
    ...Object.values(ENDPOINT_FINDER_MODULES).flatMap((finder) => finder.findGrants),
  ];
}

/**
 * Grants of the same sid as one statement, in the order their sids first appear: actions and
 * resources joined, each once. Two grants of one sid with different conditions are an error.
 */
export function mergeGrants(grants: readonly Grant[]): Grant[] {
  const bySid = new Map<string, Grant>();
  for (const grant of grants) {
    const seen = bySid.get(grant.sid);
    if (!seen) {
      bySid.set(grant.sid, { ...grant });
      continue;
    }
    if (JSON.stringify(seen.conditions) !== JSON.stringify(grant.conditions)) {
      throw new Error(`grants named ${grant.sid} differ in their conditions; give one of them another sid`);
    }
    bySid.set(grant.sid, {
      ...seen,
      actions: [...new Set([...seen.actions, ...grant.actions])],
      resources: [...new Set([...seen.resources, ...grant.resources])],
      why: seen.why === grant.why ? seen.why : `${seen.why} ${grant.why}`,
    });
  }
  return [...bySid.values()];
}

function fill(text: string, scope: ReadScope): string {
  return text
    .replaceAll('{partition}', scope.partition)
    .replaceAll('{account}', scope.account)
    .replaceAll('{sourceTag}', scope.sourceTag);
}

function fillConditions(conditions: Grant['conditions'], scope: ReadScope): Record<string, unknown> | undefined {
  if (!conditions) return undefined;
  return Object.fromEntries(
    Object.entries(conditions).map(([operator, tests]) => [
      operator,
      Object.fromEntries(
        Object.entries(tests).map(([key, value]) => [
          fill(key, scope),
          typeof value === 'string' ? fill(value, scope) : value.map((v) => fill(v, scope)),
        ]),
      ),
    ]),
  );
}

/** The grants as IAM statements for one account. */
export function grantStatements(grants: readonly Grant[], scope: ReadScope): iam.PolicyStatement[] {
  return mergeGrants(grants).map(
    (grant) =>
      new iam.PolicyStatement({
        sid: grant.sid,
        actions: [...grant.actions],
        resources: grant.resources.map((resource) => fill(resource, scope)),
        ...(grant.conditions ? { conditions: fillConditions(grant.conditions, scope) } : {}),
      }),
  );
}

/**
 * Reading the certificates targets name: ACM and IAM server certificates of the account; secrets
 * and parameters only when they carry the tag (their values are certificates, perhaps beside
 * private keys, so reading is opt-in per item); KMS decryption only through Secrets Manager and SSM.
 */
export function sourceReadStatements(scope: ReadScope): iam.PolicyStatement[] {
  return grantStatements(sourceGrants(), scope);
}

/**
 * Listing what the account holds and serves. List and describe actions only; none of them
 * returns a secret value or a private key. The list actions support no resource-level
 * restriction, hence `*`; tag reads are limited to this account's resources where IAM allows it.
 */
export function discoveryReadStatements(scope: ReadScope): iam.PolicyStatement[] {
  return grantStatements(discoveryGrants(), scope);
}

/** The cdk-nag acknowledgements of the grants' wildcard resources, each with its grants' reasons. */
export function grantAcknowledgements(grants: readonly Grant[]): Map<string, string> {
  const placeholders = { partition: '<AWS::Partition>', account: '<AWS::AccountId>', sourceTag: '' };
  const reasons = new Map<string, string[]>();
  for (const grant of grants) {
    for (const resource of grant.resources) {
      if (!resource.includes('*')) continue;
      const key = `Resource::${fill(resource, placeholders)}`;
      const whys = reasons.get(key) ?? [];
      if (!whys.includes(grant.why)) whys.push(grant.why);
      reasons.set(key, whys);
    }
  }
  return new Map([...reasons].map(([key, whys]) => [key, whys.join(' ')]));
}

/** cdk-nag acknowledgements of the wildcards above, each with its reason. */
export function acknowledgeReadAccess(role: IConstruct, which: { sources?: boolean; discovery?: boolean }): void {
  const grants = [...(which.sources ? sourceGrants() : []), ...(which.discovery ? discoveryGrants() : [])];
  for (const [resource, reason] of grantAcknowledgements(grants)) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${resource}]`, reason });
  }
}
