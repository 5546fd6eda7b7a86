// Right after a deployment adds the lists index, DynamoDB refuses to read it until it is built from
// the table: the pages answer 503 saying so, not a 500.
import { describe, expect, it } from 'vitest';
import { type AdminDependencies, handleAdminRequest } from '../../lib/admin/admin-api.ts';

function depsWhoseIndexIsBuilding(): AdminDependencies {
  const refusal = Object.assign(new Error('Cannot read from backfilling global secondary index: lists'), {
    name: 'ValidationException',
  });
  const targets = {
    lists: {
      page: async () => {
        throw refusal;
      },
    },
  };
  return { targets, probe: async () => ({}), guard: undefined } as unknown as AdminDependencies;
}

describe('the admin API while an index is being built', () => {
  it('answers the pages with a 503 that says why and to try again', async () => {
    for (const path of ['/targets', '/report', '/events']) {
      const answer = await handleAdminRequest(
        {
          method: 'GET',
          path,
          query: new URLSearchParams(path === '/targets' ? '' : 'limit=5'),
          headers: {},
          body: undefined,
        },
        depsWhoseIndexIsBuilding(),
      );
      expect(answer.status, path).toBe(503);
      expect(JSON.parse(answer.body).detail, path).toMatch(/being built after an upgrade.*try again/);
    }
  });

  it('still fails loudly on any other store error', async () => {
    const deps = depsWhoseIndexIsBuilding();
    (deps.targets.lists as unknown as { page: () => Promise<never> }).page = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(
      handleAdminRequest(
        { method: 'GET', path: '/targets', query: new URLSearchParams(), headers: {}, body: undefined },
        deps,
      ),
    ).rejects.toThrow('ProvisionedThroughput');
  });
});
