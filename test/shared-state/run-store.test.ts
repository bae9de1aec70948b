// The QueryRunStore contract, held by the in-process store and the Redis
// store alike; and what only a shared store does: two coordinators' stores
// on one Redis see each other's runs and transitions (a cancel made on one
// reaches the other), and racing transitions have exactly one winner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger, type TributaryError } from '@tributary/core';
import {
  InProcessQueryRunStore,
  type QueryRunRecord,
  type QueryRunStore,
} from '../../packages/coordinator/src/runs/index.js';
import { RedisState } from '../../packages/coordinator/src/shared-state/index.js';
import { eventually } from '../support/assertions.js';
import { RedisServer } from '../support/redis.js';

function record(id: string, createdAt: number, owner = 'alice', tenant = 't'): QueryRunRecord {
  return { id, tenant, owner, status: 'queued', sql: 'SELECT 1', requestId: 'r', createdAt };
}

let redis: RedisServer;
const opened: { close(): Promise<void> }[] = [];

before(async () => {
  redis = await RedisServer.start();
});

after(async () => {
  for (const state of opened) await state.close();
  await redis?.stop();
});

let prefix = 0;
async function redisStore(shared = `runs-${++prefix}:`): Promise<QueryRunStore> {
  const state = await RedisState.connect({
    url: redis.url,
    keyPrefix: shared,
    commandTimeoutMs: 1_000,
    connectTimeoutMs: 2_000,
    maxFallbackBlobBytes: 1024,
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  opened.push(state);
  return state.runs;
}

const implementations: [string, () => Promise<QueryRunStore>][] = [
  ['in-process', async () => new InProcessQueryRunStore()],
  ['redis', () => redisStore()],
];

for (const [name, open] of implementations) {
  describe(`${name} query run store`, () => {
    test('transitions are compare-and-set and announced', async () => {
      const store = await open();
      const seen: string[] = [];
      store.watch((run) => seen.push(run.status));
      await store.create(record('a', 1));
      await assert.rejects(store.create(record('a', 2)));
      assert.equal((await store.transition('a', ['queued'], { status: 'running' }))?.status, 'running');
      assert.equal((await store.transition('a', ['running'], { status: 'cancelled' }))?.status, 'cancelled');
      assert.equal(await store.transition('a', ['running'], { status: 'succeeded' }), undefined);
      assert.equal(await store.transition('missing', ['queued'], { status: 'running' }), undefined);
      assert.equal((await store.get('a'))?.status, 'cancelled');
      assert.deepEqual(seen, ['running', 'cancelled']);
    });

    test('lists newest first in pages, by owner and status', async () => {
      const store = await open();
      for (let i = 0; i < 5; i++) await store.create(record(`r${i}`, 100 + i, i % 2 ? 'bob' : 'alice'));
      const first = await store.list('t', { owner: 'alice', limit: 2 });
      assert.deepEqual(
        first.items.map((r) => r.id),
        ['r4', 'r2'],
      );
      const second = await store.list('t', { owner: 'alice', limit: 2, cursor: first.nextCursor });
      assert.deepEqual(
        second.items.map((r) => r.id),
        ['r0'],
      );
      assert.equal(second.nextCursor, undefined);
      assert.equal((await store.list('t', { limit: 10 })).items.length, 5);
      assert.equal((await store.list('t', { status: 'running', limit: 10 })).items.length, 0);
      assert.equal((await store.list('other', { limit: 10 })).items.length, 0);
      await assert.rejects(
        store.list('t', { limit: 2, cursor: 'nope' }),
        (e: TributaryError) => e.code === 'INVALID_ARGUMENT',
      );
    });

    test('finished runs expire and are deleted', async () => {
      const store = await open();
      await store.create(record('x', 1));
      await store.create(record('y', 2));
      await store.transition('x', ['queued'], { status: 'succeeded', finishedAt: 10, expiresAt: 1_000 });
      assert.deepEqual(await store.expired(999), []);
      assert.deepEqual(await store.expired(1_000), ['x']);
      await store.delete('x');
      assert.equal(await store.get('x'), undefined);
      assert.deepEqual(await store.expired(5_000), []);
      assert.deepEqual(
        (await store.list('t', { limit: 10 })).items.map((r) => r.id),
        ['y'],
      );
    });
  });
}

describe('a query run store shared through Redis', () => {
  test("one coordinator's store sees the other's runs and transitions", async () => {
    const a = await redisStore('shared-runs:');
    const b = await redisStore('shared-runs:');
    const seenOnA: string[] = [];
    a.watch((run) => seenOnA.push(`${run.id}:${run.status}`));
    await a.create(record('run-1', 1));
    assert.equal((await b.get('run-1'))?.status, 'queued');
    await a.transition('run-1', ['queued'], { status: 'running' });
    // A cancel through B reaches A, which runs the query.
    assert.equal(
      (await b.transition('run-1', ['queued', 'running'], { status: 'cancelled' }))?.status,
      'cancelled',
    );
    await eventually(() => seenOnA.includes('run-1:cancelled'), 5_000, 'A told of the cancel');
    assert.deepEqual(
      (await b.list('t', { limit: 10 })).items.map((r) => r.id),
      ['run-1'],
    );
  });

  test('racing transitions from two coordinators: exactly one wins', async () => {
    const a = await redisStore('race-runs:');
    const b = await redisStore('race-runs:');
    for (let i = 0; i < 20; i++) {
      const id = `race-${i}`;
      await a.create(record(id, i));
      const outcomes = await Promise.all([
        a.transition(id, ['queued'], { status: 'cancelled' }),
        b.transition(id, ['queued'], { status: 'running', startedAt: i }),
      ]);
      assert.equal(outcomes.filter(Boolean).length, 1, `one winner for ${id}`);
      const final = await a.get(id);
      assert.equal(final?.status, outcomes.find(Boolean)?.status);
    }
  });
});
