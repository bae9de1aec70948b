import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ARROW_EOS, type TributaryError } from '@tributary/core';
import { Field, Int32, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct } from 'apache-arrow';
import { InProcessQueryRunStore } from './in-process-run-store.js';
import { ResultFiles } from './result-files.js';
import type { QueryRunRecord } from './run-record.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-runs-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const schema = new Schema([new Field('n', new Int32(), false)]);

function batch(from: number, count: number): RecordBatch {
  const values = Int32Array.from({ length: count }, (_, i) => from + i);
  const n = makeData({ type: new Int32(), length: count, data: values });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: count, children: [n] }));
}

/** An IPC stream of batches of the given sizes, numbering rows from 0. */
async function* ipc(sizes: number[]): AsyncGenerator<Uint8Array> {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  let next = 0;
  for (const size of sizes) {
    writer.write(batch(next, size));
    next += size;
  }
  yield writer.toUint8Array(true);
  yield ARROW_EOS;
}

async function read(files: ResultFiles, id: string, offset: number, limit?: number): Promise<number[]> {
  const slice = await files.read(id, offset, limit);
  const out: number[] = [];
  for await (const b of slice.batches) out.push(...(b.getChild('n')?.toArray() ?? []));
  return out;
}

describe('result files', () => {
  test('pages across record batches return exactly the asked rows', async () => {
    const files = await ResultFiles.open(dir);
    const stored = await files.write('run_pages', ipc([3, 4, 5]), 1 << 20);
    assert.equal(stored.rows, 12);
    assert.deepEqual(await read(files, 'run_pages', 0), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(await read(files, 'run_pages', 2, 4), [2, 3, 4, 5]);
    assert.deepEqual(await read(files, 'run_pages', 7, 100), [7, 8, 9, 10, 11]);
    assert.deepEqual(await read(files, 'run_pages', 12, 5), []);
    await files.remove('run_pages');
    await assert.rejects(files.read('run_pages', 0, 1), (e: TributaryError) => e.code === 'NOT_FOUND');
  });

  test('a result over the byte limit fails and leaves nothing behind', async () => {
    const files = await ResultFiles.open(dir);
    await assert.rejects(
      files.write('run_big', ipc([50_000, 50_000]), 100_000),
      (e: TributaryError) => e.code === 'PAYLOAD_TOO_LARGE',
    );
    assert.ok(!readdirSync(dir).some((name) => name.startsWith('run_big')));
  });
});

function record(id: string, createdAt: number, owner = 'alice'): QueryRunRecord {
  return { id, tenant: 't', owner, status: 'queued', sql: 'SELECT 1', requestId: 'r', createdAt };
}

describe('in-process query run store', () => {
  test('transitions are compare-and-set and announced', async () => {
    const store = new InProcessQueryRunStore();
    const seen: string[] = [];
    store.watch((run) => seen.push(run.status));
    await store.create(record('a', 1));
    assert.equal((await store.transition('a', ['queued'], { status: 'running' }))?.status, 'running');
    assert.equal((await store.transition('a', ['running'], { status: 'cancelled' }))?.status, 'cancelled');
    assert.equal(await store.transition('a', ['running'], { status: 'succeeded' }), undefined);
    assert.equal((await store.get('a'))?.status, 'cancelled');
    assert.deepEqual(seen, ['running', 'cancelled']);
  });

  test('lists newest first in pages, by owner and status', async () => {
    const store = new InProcessQueryRunStore();
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
    assert.equal((await store.list('t', { status: 'running', limit: 10 })).items.length, 0);
    assert.equal((await store.list('other', { limit: 10 })).items.length, 0);
    await assert.rejects(
      store.list('t', { limit: 2, cursor: 'nope' }),
      (e: TributaryError) => e.code === 'INVALID_ARGUMENT',
    );
  });
});
