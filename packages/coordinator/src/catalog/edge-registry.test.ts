import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger, type Source } from '@tributary/core';
import { byPreference } from '../query/plan/route.js';
import { EdgeRegistry } from './edge-registry.js';
import { EdgeTokenSigner } from './edge-tokens.js';

function source(name: string, columns: [string, string][], table = 'events'): Source {
  return {
    name,
    kind: 'files',
    unavailable: '',
    schemas: [
      {
        name: 'main',
        tables: [
          {
            ref: { source: name, schema: 'main', table },
            kind: 'table',
            row_count_estimate: '-1',
            columns: columns.map(([n, t]) => ({
              name: n,
              sql_type: t,
              arrow_type: '',
              nullable: true,
              tags: [],
            })),
          },
        ],
      },
    ],
  };
}

const LAKE = source('lake', [
  ['id', 'BIGINT'],
  ['name', 'VARCHAR'],
]);

let registry: EdgeRegistry;

before(async () => {
  registry = new EdgeRegistry(
    await EdgeTokenSigner.create(),
    60_000,
    createLogger({ service: 'test', level: 'silent' }),
  );
});

after(() => registry.stop());

const register = (name: string, sources: Source[]) =>
  registry.register({ name, address: '127.0.0.1:1', version: 'test', sources });

describe('replicas', () => {
  test('edges serving the same source with the same tables are replicas', () => {
    register('edge-a', [LAKE]);
    register('edge-b', [LAKE]);
    assert.deepEqual(
      registry.edgesFor('LAKE').map((e) => e.name),
      ['edge-b', 'edge-a'],
    );
  });

  test('a replica whose tables or columns differ is refused with CONFLICT naming the difference', () => {
    const cases: [Source, RegExp][] = [
      [
        source('lake', [
          ['id', 'INTEGER'],
          ['name', 'VARCHAR'],
        ]),
        /id INTEGER.*id BIGINT/,
      ],
      [source('lake', [['id', 'BIGINT']]), /events/],
      [
        source('lake', LAKE.schemas[0]?.tables[0]?.columns.map((c) => [c.name, c.sql_type]) ?? [], 'other'),
        /other/,
      ],
      [{ ...LAKE, kind: 'duckdb' }, /kind duckdb/],
    ];
    for (const [conflicting, pattern] of cases) {
      assert.throws(
        () => register('edge-c', [conflicting]),
        (error: { code?: string; message?: string; details?: Record<string, unknown> }) => {
          assert.equal(error.code, 'CONFLICT');
          assert.match(String(error.message), pattern);
          assert.match(String(error.message), /edge edge-c cannot serve source lake/);
          assert.equal(error.details?.source, 'lake');
          return true;
        },
      );
    }
    assert.equal(
      registry.list().some((e) => e.name === 'edge-c'),
      false,
      'a refused edge is not registered',
    );
  });

  test('an edge re-registering with a new shape replaces itself when it is the only one', () => {
    const solo = source('solo', [['x', 'INTEGER']]);
    register('edge-solo', [solo]);
    const changed = source('solo', [['x', 'BIGINT']]);
    const again = register('edge-solo', [changed]);
    assert.equal(registry.edgesFor('solo').length, 1);
    assert.equal(registry.edgesFor('solo')[0]?.id, again.id);
  });

  test('least busy first, then round-robin among equals; down edges last', () => {
    const [a, b] = ['edge-a', 'edge-b'].map((name) => registry.list().find((e) => e.name === name));
    assert.ok(a && b);
    const pick = () => {
      const first = registry.edgesFor('lake').sort(byPreference)[0];
      assert.ok(first);
      return first;
    };
    // Equal load: turns alternate.
    const picks: string[] = [];
    for (let i = 0; i < 4; i++) {
      const edge = pick();
      picks.push(edge.name);
      registry.track(edge)();
    }
    assert.notEqual(picks[0], picks[1]);
    assert.equal(picks[0], picks[2]);
    assert.equal(picks[1], picks[3]);
    // A busy edge is passed over while the other is idle.
    const release = registry.track(a);
    assert.equal(pick().name, 'edge-b');
    release();
    release(); // twice is harmless
    assert.equal(a.inFlight, 0);
    // A failed edge goes last until it is back up.
    registry.reportFailure(b.id);
    assert.equal(b.down, 'unreachable');
    registry.track(a);
    assert.equal(pick().name, 'edge-a', 'a busy healthy replica beats an idle down one');
    registry.heartbeat(b.id, 0);
    assert.equal(b.down, 'unreachable', 'a heartbeat does not prove the coordinator can reach the edge');
    registry.reportSuccess(b.id);
    assert.equal(b.down, undefined);
    assert.equal(pick().name, 'edge-b');
  });

  test('late heartbeats mark an edge down; the next heartbeat brings it back', () => {
    const edge = registry.list().find((e) => e.name === 'edge-a');
    assert.ok(edge);
    registry.sweep(edge.lastHeartbeat + 2 * 20_000 + 1);
    assert.equal(edge.down, 'heartbeat late');
    registry.heartbeat(edge.id, 0);
    assert.equal(edge.down, undefined);
  });
});
