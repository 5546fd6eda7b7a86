// The AWS kinds' registry holds together, and infra builds its IAM from it alone: every kind's
// module is in each view it belongs in, the docs list every action the grants give, and a kind
// known only to the registry gets its statements and acknowledgements with nothing else edited.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  discoveryGrants,
  grantAcknowledgements,
  grantStatements,
  mergeGrants,
  sourceGrants,
} from '../../infra/constructs/aws-read-access.ts';
import { FINDERS } from '../../lib/discovery/finders/index.ts';
import type { AwsKindModule, Grant } from '../../lib/sources/aws/kind-module.ts';
import { AWS_FINDERS, AWS_KIND_MODULES, AWS_READERS } from '../../lib/sources/aws/registry.ts';
import { AWS_KINDS } from '../../lib/targets/kinds.ts';

const MODULES: [string, AwsKindModule][] = Object.entries(AWS_KIND_MODULES);
const SCOPE = { partition: 'aws', account: '123456789012', sourceTag: 'certvigil' };
const docs = (page: string) => readFileSync(join(import.meta.dirname, '..', '..', 'docs', page), 'utf8');

/** The statements as plain JSON (sid, actions, resources, conditions). */
function statements(grants: readonly Grant[]) {
  return grantStatements(grants, SCOPE).map((s) => s.toStatementJson());
}

describe('the AWS kinds registry', () => {
  it('has one module per AWS kind, whose reader is the one the account function serves', () => {
    expect(MODULES.map(([kind]) => kind).sort()).toEqual([...AWS_KINDS].sort());
    for (const [kind, module] of MODULES) expect(AWS_READERS[kind as keyof typeof AWS_READERS], kind).toBe(module.read);
  });

  it("lists every kind's finder, and only those, for discovery", () => {
    const finders = MODULES.flatMap(([, module]) => (module.finder ? [module.finder] : []));
    expect(new Set(AWS_FINDERS)).toEqual(new Set(finders));
    expect(AWS_FINDERS).toHaveLength(finders.length);
    for (const finder of AWS_FINDERS) expect(FINDERS).toContain(finder);
  });

  it('gives every kind the grants its reader needs, and every finder what listing needs', () => {
    for (const [kind, module] of MODULES) {
      expect(module.grants.length, kind).toBeGreaterThan(0);
      if (module.finder) expect(module.findGrants?.length, kind).toBeGreaterThan(0);
      for (const grant of [...module.grants, ...(module.findGrants ?? [])]) {
        expect(grant.why.length, `${kind} ${grant.sid}`).toBeGreaterThan(10);
        for (const action of grant.actions) expect(action, kind).toMatch(/^[a-z0-9-]+:[A-Za-z*]+$/);
      }
    }
  });

  it('is what the docs list: every action read and discovery may take is in their tables', () => {
    const read = docs('sources.md');
    for (const action of new Set(sourceGrants().flatMap((g) => g.actions)))
      expect(read, action).toContain(`\`${action}\``);
    const found = docs('discovery.md');
    for (const action of new Set(discoveryGrants().flatMap((g) => g.actions)))
      expect(found, action).toContain(`\`${action}\``);
    for (const kind of AWS_KINDS) expect(read, kind).toContain(`| \`${kind}:`);
  });
});

describe('IAM from the registry alone', () => {
  const fake: AwsKindModule = {
    read: AWS_READERS.acm,
    grants: [
      {
        sid: 'ReadFakeThings',
        actions: ['fake:GetThing'],
        resources: ['arn:{partition}:fake:*:{account}:thing/*'],
        conditions: { Null: { 'aws:ResourceTag/{sourceTag}': 'false' } },
        why: 'Any tagged fake thing of this account; read-only.',
      },
    ],
    finder: { service: 'fake', find: async () => [] },
    findGrants: [{ sid: 'ListInventory', actions: ['fake:ListThings'], resources: ['*'], why: 'fake lists all.' }],
  };
  const kinds = [...Object.values(AWS_KIND_MODULES), fake];

  it("puts a new kind's read grant in the account policy, with the deployment's values filled in", () => {
    expect(statements(sourceGrants(kinds))).toContainEqual({
      Sid: 'ReadFakeThings',
      Effect: 'Allow',
      Action: 'fake:GetThing',
      Resource: 'arn:aws:fake:*:123456789012:thing/*',
      Condition: { Null: { 'aws:ResourceTag/certvigil': 'false' } },
    });
    expect(statements(sourceGrants())).not.toContainEqual(expect.objectContaining({ Sid: 'ReadFakeThings' }));
  });

  it("joins a new kind's list action to the one inventory statement discovery has", () => {
    const listing = statements(discoveryGrants(kinds)).filter((s) => s.Sid === 'ListInventory');
    expect(listing).toHaveLength(1);
    expect(listing[0]?.Action).toEqual(expect.arrayContaining(['fake:ListThings', 'acm:ListCertificates']));
    expect(listing[0]?.Resource).toBe('*');
  });

  it("acknowledges a new kind's wildcard with its own reason, beside the others'", () => {
    const reasons = grantAcknowledgements(sourceGrants(kinds));
    expect(reasons.get('Resource::arn:<AWS::Partition>:fake:*:<AWS::AccountId>:thing/*')).toBe(
      'Any tagged fake thing of this account; read-only.',
    );
    expect(grantAcknowledgements(discoveryGrants(kinds)).get('Resource::*')).toContain('fake lists all.');
  });

  it('holds a statement two kinds share once, and refuses one sid with two conditions', () => {
    const kms = statements(sourceGrants()).filter((s) => s.Sid === 'DecryptThroughSecretsAndParameters');
    expect(kms).toHaveLength(1);
    const grant: Grant = { sid: 'S', actions: ['a:B'], resources: ['*'], why: 'w' };
    expect(mergeGrants([grant, { ...grant, actions: ['a:C'] }])).toEqual([{ ...grant, actions: ['a:B', 'a:C'] }]);
    expect(() => mergeGrants([grant, { ...grant, conditions: { Bool: { 'aws:SecureTransport': 'true' } } }])).toThrow(
      /grants named S differ in their conditions/,
    );
  });
});
