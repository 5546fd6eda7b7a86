import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { HistoryStore } from '../../lib/store/history-store.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';

let tables: TestTables;
let store: TargetStore;
const NOW = new Date('2026-06-01T00:00:00Z');

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
});
afterAll(async () => {
  await tables.drop();
});

describe('target store (DynamoDB Local)', () => {
  it('creates a target due at once, and updating its settings keeps its state', async () => {
    const target = normalizeTarget({ host: 'keep.example', tags: ['a'], owner: 'web' });
    expect(await store.putTarget(target, NOW)).toEqual({ created: true });
    const created = await store.getTarget(target.id);
    expect(created).toMatchObject({
      id: 'keep.example:443',
      version: 0,
      nextCheckAt: NOW.getTime(),
      pending: {},
      sent: {},
      owner: 'web',
    });

    const { state } = decideTransition(undefined, checkResult({ target: target.id }));
    expect(await store.recordCheck(target.id, 0, { state, pending: {}, nextCheckAt: NOW.getTime() + 1000 })).toBe(true);
    expect(await store.putTarget({ ...target, owner: undefined, tags: ['b'] }, new Date(NOW.getTime() + 5))).toEqual({
      created: false,
    });
    const updated = await store.getTarget(target.id);
    expect(updated?.state?.result.target).toBe(target.id);
    expect(updated).toMatchObject({ version: 1, tags: ['b'], createdAt: NOW.toISOString() });
    expect(updated?.owner).toBeUndefined();
  });

  it('refuses a state write from a reader that is behind (conditional on version)', async () => {
    const target = normalizeTarget({ host: 'race.example' });
    await store.putTarget(target, NOW);
    const { state } = decideTransition(undefined, checkResult({ target: target.id }));
    expect(await store.recordCheck(target.id, 0, { state, pending: {}, nextCheckAt: 1 })).toBe(true);
    expect(await store.recordCheck(target.id, 0, { state, pending: {}, nextCheckAt: 2 })).toBe(false);
    expect((await store.getTarget(target.id))?.nextCheckAt).toBe(1);
  });

  it('lets only one of many concurrent claims on an event win', async () => {
    const target = normalizeTarget({ host: 'claim.example' });
    await store.putTarget(target, NOW);
    const { state, events } = decideTransition(undefined, checkResult({ target: target.id, status: 'warning' }));
    const [event] = events;
    if (!event) throw new Error('expected an event');
    await store.recordCheck(target.id, 0, { state, pending: { [event.id]: { event } }, nextCheckAt: 1 });
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.outbox.claim(target.id, 1, event.id, { token: `t${i}`, at: 1 })),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = `t${claims.indexOf(true)}`;
    expect(await store.outbox.complete(target.id, event.id, event.key, 'someone-else', NOW)).toBe(false);
    expect(await store.outbox.complete(target.id, event.id, event.key, winner, NOW)).toBe(true);
    const after = await store.getTarget(target.id);
    expect(after?.pending).toEqual({});
    expect(after?.sent).toEqual({ [event.key]: NOW.toISOString() });
  });

  it('scans only enabled, due targets, page by page, across parallel segments', async () => {
    const due = Array.from({ length: 25 }, (_, i) => normalizeTarget({ host: `due-${i}.scan.example` }));
    const later = normalizeTarget({ host: 'later.scan.example' });
    const off = normalizeTarget({ host: 'off.scan.example', enabled: false });
    for (const t of [...due, later, off]) await store.putTarget(t, NOW);
    const laterState = decideTransition(undefined, checkResult({ target: later.id })).state;
    await store.recordCheck(later.id, 0, { state: laterState, pending: {}, nextCheckAt: NOW.getTime() + 86_400_000 });

    const seen: string[] = [];
    for (let segment = 0; segment < 3; segment++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await store.scans.due({
          segment,
          totalSegments: 3,
          dueBy: NOW.getTime() + 1,
          startKey,
          pageSize: 4,
        });
        seen.push(...page.targets.map((t) => t.id));
        expect(page.targets.every((t) => !('state' in t) && !('pending' in t))).toBe(true);
        startKey = page.nextKey;
      } while (startKey);
    }
    const scanSeen = seen.filter((id) => id.endsWith('.scan.example:443'));
    expect(scanSeen.sort()).toEqual(due.map((t) => t.id).sort());
  });

  it('writes history records that expire after the TTL', async () => {
    const history = new HistoryStore(tables.doc, tables.names.history, 400);
    const result = checkResult({ target: 'hist.example:443', at: '2026-06-01T00:00:00.000Z' });
    await history.append(result);
    await history.append({ ...result, checkedAt: '2026-06-02T00:00:00.000Z', status: 'warning' });
    const records = await history.recent('hist.example:443');
    expect(records.map((r) => [r.checkedAt, r.status])).toEqual([
      ['2026-06-02T00:00:00.000Z', 'warning'],
      ['2026-06-01T00:00:00.000Z', 'ok'],
    ]);
    expect(records[1]?.expiresAt).toBe(Date.parse('2026-06-01T00:00:00Z') / 1000 + 400 * 86_400);
  });
});
