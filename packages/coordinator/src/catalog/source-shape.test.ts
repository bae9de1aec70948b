import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Source } from '@tributary/core';
import { tableChanges } from './source-shape.js';

function source(tables: Record<string, [string, string][]>): Source {
  const schemas = new Map<string, Source['schemas'][number]['tables']>();
  for (const [qualified, columns] of Object.entries(tables)) {
    const [schema = 'main', table = ''] = qualified.split('.');
    const list = schemas.get(schema) ?? [];
    list.push({
      ref: { source: 'shop', schema, table },
      kind: 'table',
      row_count_estimate: '-1',
      columns: columns.map(([name, sql_type]) => ({
        name,
        sql_type,
        arrow_type: '',
        nullable: true,
        tags: [],
      })),
    });
    schemas.set(schema, list);
  }
  return {
    name: 'shop',
    kind: 'postgres',
    unavailable: '',
    schemas: [...schemas].map(([name, list]) => ({ name, tables: list })),
  };
}

describe('tableChanges', () => {
  test('names added, dropped and changed tables', () => {
    const before = source({
      'public.orders': [['id', 'INTEGER']],
      'public.old': [['id', 'INTEGER']],
      'public.same': [['id', 'INTEGER']],
    });
    const after = source({
      'public.orders': [
        ['id', 'INTEGER'],
        ['note', 'VARCHAR'],
      ],
      'public.items': [['sku', 'VARCHAR']],
      'public.same': [['id', 'INTEGER']],
    });
    assert.deepEqual(tableChanges(before, after), {
      added: ['public.items'],
      dropped: ['public.old'],
      changed: ['public.orders'],
    });
  });

  test('a changed type or column order is a change; the same shape is none', () => {
    const before = source({
      'public.t': [
        ['a', 'INTEGER'],
        ['b', 'VARCHAR'],
      ],
    });
    assert.deepEqual(
      tableChanges(
        before,
        source({
          'public.t': [
            ['a', 'BIGINT'],
            ['b', 'VARCHAR'],
          ],
        }),
      ).changed,
      ['public.t'],
    );
    assert.deepEqual(
      tableChanges(
        before,
        source({
          'public.t': [
            ['b', 'VARCHAR'],
            ['a', 'INTEGER'],
          ],
        }),
      ).changed,
      ['public.t'],
    );
    assert.deepEqual(tableChanges(before, before), { added: [], dropped: [], changed: [] });
  });

  test('a source never seen before has every table added', () => {
    assert.deepEqual(tableChanges(undefined, source({ 'main.a': [['x', 'INTEGER']] })).added, ['main.a']);
  });
});
