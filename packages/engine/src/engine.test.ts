import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryEngine } from './engine.js';
import type { IpcChunk } from './stream.js';
import { arrowColumn, collect, failure, openTestEngine } from './testing/fixtures.js';

// Runs until interrupted: the count of a 10^12-row cross join.
const ENDLESS_COUNT = 'SELECT count(*) FROM range(1000000) a, range(1000000) b';
// Streams chunks for a long time.
const ENDLESS_ROWS = 'SELECT i, i * 2 AS twice FROM range(10000000000) t(i)';

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function count(engine: QueryEngine, n: number): Promise<number> {
  const { table } = await collect(engine.stream(`SELECT i FROM range(${n}) t(i)`));
  return table.numRows;
}

describe('cancellation and deadlines (one connection, so a leak would block the next query)', () => {
  let engine: QueryEngine;
  before(async () => {
    engine = await openTestEngine({ maxConcurrentQueries: 1 });
  });
  after(async () => {
    assert.equal(engine.activeQueries, 0);
    await engine.close();
  });

  test('a timeout interrupts a long query quickly with DEADLINE_EXCEEDED', async () => {
    const started = Date.now();
    const error = await failure(collect(engine.stream(ENDLESS_COUNT, [], { timeoutMs: 300 })));
    assert.equal(error.code, 'DEADLINE_EXCEEDED');
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    await eventually(() => engine.activeQueries === 0, 'the connection to come back');
    assert.equal(await count(engine, 10), 10, 'the interrupted connection works again');
  });

  test('the engine default timeout applies when none is given', async () => {
    const short = await openTestEngine({ maxConcurrentQueries: 1, queryTimeoutMs: 200 });
    try {
      const error = await failure(collect(short.stream(ENDLESS_COUNT)));
      assert.equal(error.code, 'DEADLINE_EXCEEDED');
    } finally {
      await short.close();
    }
  });

  test('aborting the signal interrupts with CANCELLED', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const error = await failure(collect(engine.stream(ENDLESS_COUNT, [], { signal: controller.signal })));
    assert.equal(error.code, 'CANCELLED');
    assert.ok(Date.now() - started < 3000);
    assert.equal(await count(engine, 5), 5);
  });

  test('a query computing its whole result is interrupted by an abort and a deadline alike', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const cancelled = await failure(
      collect(engine.stream(ENDLESS_COUNT, [], { signal: controller.signal, whole: true })),
    );
    assert.equal(cancelled.code, 'CANCELLED');
    const late = await failure(collect(engine.stream(ENDLESS_COUNT, [], { timeoutMs: 200, whole: true })));
    assert.equal(late.code, 'DEADLINE_EXCEEDED');
    assert.equal(await count(engine, 5), 5);
  });

  test('an abort landing at any moment (queueing, prepare, execution start) is never lost', async () => {
    for (let delay = 0; delay < 12; delay++) {
      const controller = new AbortController();
      const started = Date.now();
      const outcome = failure(collect(engine.stream(ENDLESS_COUNT, [], { signal: controller.signal })));
      if (delay > 0) await sleep(delay % 6);
      else await new Promise(setImmediate);
      controller.abort();
      assert.equal((await outcome).code, 'CANCELLED');
      assert.ok(Date.now() - started < 2000, `abort after ${delay % 6} ms took ${Date.now() - started} ms`);
    }
    await eventually(() => engine.activeQueries === 0, 'the connection to come back');
  });

  test('an already aborted signal fails before running anything', async () => {
    const error = await failure(collect(engine.stream('SELECT 1', [], { signal: AbortSignal.abort() })));
    assert.equal(error.code, 'CANCELLED');
    assert.equal(engine.activeQueries, 0);
  });

  test('breaking out of for-await interrupts the query and releases the connection', async () => {
    for (const after of [0, 1, 3]) {
      let seen = 0;
      for await (const chunk of engine.stream(ENDLESS_ROWS, [], { batchRows: 10000 })) {
        if (chunk.rowCount > 0) seen++;
        if (seen >= after) break;
      }
      await eventually(() => engine.activeQueries === 0, 'the connection to come back');
    }
    for (let i = 0; i < 4; i++) assert.equal(await count(engine, 3000), 3000);
  });

  test('a consumer stuck between batches still loses its connection on abort or deadline', async () => {
    for (const stop of ['abort', 'deadline'] as const) {
      const controller = new AbortController();
      const options = stop === 'abort' ? { signal: controller.signal } : { timeoutMs: 300 };
      const iterator = engine.stream(ENDLESS_ROWS, [], options)[Symbol.asyncIterator]();
      await iterator.next(); // schema
      await iterator.next(); // a batch; now the consumer stalls
      assert.equal(engine.activeQueries, 1);
      if (stop === 'abort') controller.abort();
      await eventually(() => engine.activeQueries === 0, 'the stalled query to give its connection back');
      assert.equal(await count(engine, 7), 7, 'another query runs while the first is still unread');
      const error = await failure(iterator.next());
      assert.equal(error.code, stop === 'abort' ? 'CANCELLED' : 'DEADLINE_EXCEEDED');
    }
  });

  test('a query waiting for a connection can be cancelled or time out in the queue', async () => {
    const holder = engine.stream(ENDLESS_ROWS)[Symbol.asyncIterator]();
    await holder.next();
    assert.equal(engine.activeQueries, 1);

    const controller = new AbortController();
    const cancelled = failure(collect(engine.stream('SELECT 1', [], { signal: controller.signal })));
    const timedOut = failure(collect(engine.stream('SELECT 1', [], { timeoutMs: 150 })));
    await eventually(() => engine.queuedQueries === 2, 'two queued queries');
    controller.abort();
    assert.equal((await cancelled).code, 'CANCELLED');
    assert.equal((await timedOut).code, 'DEADLINE_EXCEEDED');
    assert.equal(engine.queuedQueries, 0);

    await holder.return();
    await eventually(() => engine.activeQueries === 0, 'the holder to release');
    assert.equal(await count(engine, 1), 1);
  });
});

describe('connection pool', () => {
  let engine: QueryEngine;
  before(async () => {
    engine = await openTestEngine({ maxConcurrentQueries: 2 });
  });
  after(async () => {
    assert.equal(engine.activeQueries, 0);
    await engine.close();
  });

  test('more queries than connections all complete, never more than the pool at once', async () => {
    let peakActive = 0;
    let peakQueued = 0;
    const sizes = [50_000, 120_000, 10, 70_000, 0, 200_000, 3, 90_000];
    const results = await Promise.all(
      sizes.map(async (size) => {
        const chunks: IpcChunk[] = [];
        for await (const chunk of engine.stream(`SELECT i, 'row ' || i AS s FROM range(${size}) t(i)`)) {
          peakActive = Math.max(peakActive, engine.activeQueries);
          peakQueued = Math.max(peakQueued, engine.queuedQueries);
          chunks.push(chunk);
          await sleep(1);
        }
        return chunks.reduce((rows, chunk) => rows + chunk.rowCount, 0);
      }),
    );
    assert.deepEqual(results, sizes);
    assert.equal(peakActive, 2);
    assert.ok(peakQueued > 0, 'some queries had to wait');
  });

  test('runTrusted returns rows as objects and takes parameters', async () => {
    const rows = await engine.runTrusted<{ i: bigint; label: string }>(
      `SELECT i, 'n' || i AS label FROM range(3) t(i) WHERE i >= $1`,
      [1],
    );
    assert.deepEqual(rows, [
      { i: 1n, label: 'n1' },
      { i: 2n, label: 'n2' },
    ]);
  });

  test('runTrusted errors are translated', async () => {
    const error = await failure(engine.runTrusted('SELECT * FROM nowhere'));
    assert.equal(error.code, 'NOT_FOUND');
  });
});

describe('close', () => {
  test('close stops running queries with UNAVAILABLE and refuses new ones', async () => {
    const engine = await openTestEngine({ maxConcurrentQueries: 1 });
    const running = failure(collect(engine.stream(ENDLESS_COUNT)));
    const queued = failure(collect(engine.stream('SELECT 1')));
    await eventually(
      () => engine.activeQueries === 1 && engine.queuedQueries === 1,
      'one running, one queued',
    );
    await engine.close();
    assert.equal((await running).code, 'UNAVAILABLE');
    assert.equal((await queued).code, 'UNAVAILABLE');
    assert.equal((await failure(collect(engine.stream('SELECT 1')))).code, 'UNAVAILABLE');
    assert.equal((await failure(engine.runTrusted('SELECT 1'))).code, 'UNAVAILABLE');
  });

  test('values read from a stream outlive the engine', async () => {
    const engine = await openTestEngine();
    const { table } = await collect(engine.stream(`SELECT 'kept ' || i AS s FROM range(3000) t(i)`));
    await engine.close();
    assert.equal(arrowColumn(table, 0)[2999], 'kept 2999');
  });
});
