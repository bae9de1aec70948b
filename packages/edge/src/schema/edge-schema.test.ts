import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger, type Source__Input, TributaryError } from '@tributary/core';
import type { SourceConnector, TableName } from '../sources/index.js';
import { EdgeSchema, parseTableName } from './edge-schema.js';

/** A source that cannot be reached until `reachable` is set, as a PostgreSQL that starts late. */
class LateSource implements SourceConnector {
  readonly kind = 'late';
  readonly readablePaths: string[] = [];
  reachable = false;
  refreshed: (TableName | undefined)[] = [];
  private failure: string | undefined = 'connection refused';

  constructor(readonly name: string) {}

  async attach(): Promise<void> {}

  async refresh(_run: (sql: string) => Promise<unknown>, only?: TableName): Promise<void> {
    this.refreshed.push(only);
    if (!this.reachable) throw TributaryError.unavailable(`${this.name} is unreachable`);
    this.failure = undefined;
  }

  unavailable(): string | undefined {
    return this.failure;
  }

  async probe(): Promise<void> {}
}

function open(connectors: SourceConnector[], onDiscovered: () => void = () => undefined) {
  const discover = async (): Promise<Source__Input[]> =>
    connectors.map((c) => ({
      name: c.name,
      kind: c.kind,
      schemas: [],
      unavailable: c.unavailable?.() ?? '',
    }));
  return EdgeSchema.open({
    connectors,
    discover,
    run: async () => undefined,
    onDiscovered,
    retry: { initialMs: 10, maxMs: 20 },
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
}

describe('parseTableName', () => {
  test('schema.table or table', () => {
    assert.deepEqual(parseTableName('public.orders'), { schema: 'public', table: 'orders' });
    assert.deepEqual(parseTableName('orders'), { schema: undefined, table: 'orders' });
  });

  test('anything else is INVALID_ARGUMENT', () => {
    for (const bad of ['a.b.c', '.orders', 'public.', ''])
      assert.throws(() => parseTableName(bad), { code: 'INVALID_ARGUMENT' }, bad);
  });
});

describe('EdgeSchema', () => {
  test('an unavailable source is retried until it is discovered, then the coordinator is told', async () => {
    const late = new LateSource('late');
    let discovered!: () => void;
    const told = new Promise<void>((resolve) => {
      discovered = resolve;
    });
    const schema = await open([late], () => discovered());
    // The retry timer does not hold the process open; this keeps it alive while the test waits.
    const alive = setInterval(() => undefined, 1_000);
    try {
      assert.equal(schema.sources[0]?.unavailable, 'connection refused');
      await new Promise((resolve) => setImmediate(resolve));
      late.reachable = true;
      await told;
      assert.equal(schema.sources[0]?.unavailable, '');
      assert.ok(late.refreshed.length >= 1);
    } finally {
      clearInterval(alive);
      schema.stop();
    }
  });

  test('a failed refresh still updates the schema, then throws; a table refresh names one source', async () => {
    const a = new LateSource('a');
    const b = new LateSource('b');
    const schema = await open([a, b]);
    schema.stop();
    await assert.rejects(schema.refresh(['a']), { code: 'UNAVAILABLE' });
    assert.equal(schema.sources[0]?.unavailable, 'connection refused');
    await assert.rejects(schema.refresh([], 'public.t'), { code: 'INVALID_ARGUMENT' });
    a.reachable = true;
    await schema.refresh(['A'], 'public.t');
    assert.deepEqual(a.refreshed.at(-1), { schema: 'public', table: 't' });
    assert.equal(b.refreshed.length, 0);
  });
});
