import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TributaryError } from '@tributary/core';
import {
  backoffDelay,
  DEFAULT_RETRY,
  type FailureVerdict,
  parsePushback,
  parseRetryAfter,
  type RetryEvent,
  retrying,
  retryingStream,
  retryPolicy,
} from './index.js';

const unavailable = () => new TributaryError('UNAVAILABLE', 'away');
const passing = (error: unknown): FailureVerdict =>
  error instanceof TributaryError && error.code === 'UNAVAILABLE'
    ? { retry: true, afterMs: 0 }
    : { retry: false };

/** An operation that fails `failures` times, then answers with the attempt number. */
function flaky(failures: number, error: () => unknown = unavailable) {
  const attempts: number[] = [];
  return {
    attempts,
    run: async (n: number) => {
      attempts.push(n);
      if (attempts.length <= failures) throw error();
      return n;
    },
  };
}

describe('retry policy', () => {
  test('layers override in order and false turns retries off', () => {
    assert.deepEqual(retryPolicy(), DEFAULT_RETRY);
    assert.equal(retryPolicy({ maxAttempts: 7 }, { initialBackoffMs: 5 }).maxAttempts, 7);
    assert.equal(retryPolicy({ maxAttempts: 7 }, { maxAttempts: undefined }).maxAttempts, 7);
    assert.equal(retryPolicy({ maxAttempts: 7 }, false).maxAttempts, 1);
    assert.equal(retryPolicy(false, { maxAttempts: 3 }).maxAttempts, 3);
  });

  const INVALID = [{ maxAttempts: 0 }, { maxAttempts: 1.5 }, { initialBackoffMs: -1 }, { multiplier: 0.5 }];
  for (const options of INVALID) {
    test(`refuses ${JSON.stringify(options)}`, () => {
      assert.throws(
        () => retryPolicy(options),
        (error: TributaryError) => error.code === 'INVALID_ARGUMENT',
      );
    });
  }

  test('full jitter: between 0 and the capped exponential backoff', () => {
    const policy = retryPolicy({ initialBackoffMs: 100, multiplier: 2, maxBackoffMs: 1_000 });
    const caps = [100, 200, 400, 800, 1_000, 1_000];
    caps.forEach((cap, i) => {
      assert.equal(
        backoffDelay(policy, i + 1, () => 0),
        0,
      );
      assert.equal(
        backoffDelay(policy, i + 1, () => 0.999_999),
        cap - 1,
      );
      assert.equal(
        backoffDelay(policy, i + 1, () => 0.5),
        cap / 2,
      );
    });
  });
});

describe('retry hints', () => {
  const CASES: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['3', 3_000],
    ['0.25', 250],
    ['soon', undefined],
    ['Thu, 01 Jan 1970 00:00:05 GMT', 5_000],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
  ];
  for (const [value, expected] of CASES) {
    test(`Retry-After ${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(parseRetryAfter(value, 0), expected);
    });
  }

  test('grpc-retry-pushback-ms: a wait, or a request not to retry', () => {
    assert.equal(parsePushback(undefined), undefined);
    assert.equal(parsePushback('1500'), 1_500);
    assert.equal(parsePushback('-1'), 'stop');
    assert.equal(parsePushback('1.5'), 'stop');
  });
});

describe('retrying', () => {
  test('repeats a passing failure until it succeeds', async () => {
    const op = flaky(2);
    assert.equal(await retrying(op.run, { policy: DEFAULT_RETRY, classify: passing }), 3);
    assert.deepEqual(op.attempts, [1, 2, 3]);
  });

  test('gives up after maxAttempts with the last failure', async () => {
    const op = flaky(10);
    await assert.rejects(retrying(op.run, { policy: retryPolicy({ maxAttempts: 3 }), classify: passing }), {
      code: 'UNAVAILABLE',
    });
    assert.equal(op.attempts.length, 3);
  });

  test('never repeats a failure the classifier refuses', async () => {
    const op = flaky(1, () => TributaryError.notFound('gone'));
    await assert.rejects(retrying(op.run, { policy: DEFAULT_RETRY, classify: passing }), {
      code: 'NOT_FOUND',
    });
    assert.equal(op.attempts.length, 1);
  });

  test('a hint that ends past the deadline or maxElapsedMs ends the retries at once', async () => {
    const later = () => ({ retry: true as const, afterMs: 60_000 });
    for (const context of [
      { policy: DEFAULT_RETRY, deadline: Date.now() + 1_000 },
      { policy: retryPolicy({ maxElapsedMs: 1_000 }) },
    ]) {
      const op = flaky(10);
      await assert.rejects(retrying(op.run, { ...context, classify: later }), { code: 'UNAVAILABLE' });
      assert.equal(op.attempts.length, 1);
    }
  });

  test('the wait is the hint when there is one, else the jittered backoff', async () => {
    const events: RetryEvent[] = [];
    const hints = [7, undefined];
    const op = flaky(2);
    await retrying(op.run, {
      policy: retryPolicy({ initialBackoffMs: 40, multiplier: 2 }),
      classify: () => ({ retry: true, afterMs: hints.shift() }),
      random: () => 0.5,
      onRetry: (event) => events.push(event),
    });
    assert.deepEqual(
      events.map((e) => [e.attempt, e.delayMs]),
      [
        [1, 7],
        [2, 40],
      ],
    );
  });

  test('aborting during a wait ends it with CANCELLED and starts no further attempt', async () => {
    const controller = new AbortController();
    const op = flaky(10);
    const outcome = retrying(op.run, {
      policy: DEFAULT_RETRY,
      classify: () => ({ retry: true, afterMs: 20_000 }),
      signal: controller.signal,
      onRetry: () => queueMicrotask(() => controller.abort()),
    });
    await assert.rejects(outcome, { code: 'CANCELLED' });
    assert.equal(op.attempts.length, 1);
  });

  test('an aborted signal starts nothing', async () => {
    const op = flaky(0);
    const signal = AbortSignal.abort();
    await assert.rejects(retrying(op.run, { policy: DEFAULT_RETRY, classify: passing, signal }), {
      code: 'CANCELLED',
    });
    assert.equal(op.attempts.length, 0);
  });
});

describe('retryingStream', () => {
  /** A stream that fails before its first item `early` times, then yields 1, 2, 3 (failing after 1 when `late`). */
  function flakyStream(early: number, late = false) {
    let opened = 0;
    return {
      opened: () => opened,
      open: async function* () {
        opened++;
        if (opened <= early) throw unavailable();
        yield 1;
        if (late) throw unavailable();
        yield 2;
        yield 3;
      },
    };
  }

  async function collect(stream: AsyncIterable<number>): Promise<number[]> {
    const items: number[] = [];
    for await (const item of stream) items.push(item);
    return items;
  }

  test('reopens while the stream fails before its first item', async () => {
    const stream = flakyStream(2);
    assert.deepEqual(
      await collect(retryingStream(stream.open, { policy: DEFAULT_RETRY, classify: passing })),
      [1, 2, 3],
    );
    assert.equal(stream.opened(), 3);
  });

  test('never reopens once an item was delivered', async () => {
    const stream = flakyStream(0, true);
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const item of retryingStream(stream.open, { policy: DEFAULT_RETRY, classify: passing })) {
        seen.push(item);
      }
    }, /away/);
    assert.deepEqual(seen, [1]);
    assert.equal(stream.opened(), 1);
  });

  test('stopping early closes the underlying stream', async () => {
    let closed = false;
    async function* source() {
      try {
        yield 1;
        yield 2;
      } finally {
        closed = true;
      }
    }
    for await (const _ of retryingStream(source, { policy: DEFAULT_RETRY, classify: passing })) break;
    assert.equal(closed, true);
  });
});
