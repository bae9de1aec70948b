import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { createLogger } from '@tributary/core';
import type { AuditEntry, AuditQuery, AuditRecord, Page } from '../store/index.js';
import { AuditLog, type QueryAuditEvent } from './audit-log.js';

/** A logger whose lines are kept for inspection. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service: 'test', level: 'info', destination }), lines };
}

/** An audit repository in memory whose writes can be held back. */
class FakeSink {
  readonly batches: AuditEntry[][] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  failNext = false;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open();
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.batches.push([...entries]);
  }

  async list(_tenant: string, _query: AuditQuery): Promise<Page<AuditRecord>> {
    return { items: this.batches.flat().map((entry, i) => ({ ...entry, id: String(i) })) };
  }

  get written(): AuditEntry[] {
    return this.batches.flat();
  }
}

function queryEvent(i: number): QueryAuditEvent {
  return {
    requestId: `r${i}`,
    queryId: `q${i}`,
    tenant: 'acme',
    subject: 'alice',
    protocol: 'grpc',
    sql: 'SELECT 1',
    tables: [],
    columns: [],
    decision: 'allowed',
    durationMs: 1,
  };
}

describe('AuditLog', () => {
  test('records are written in batches, in order, with their time', async () => {
    const sink = new FakeSink();
    const log = new AuditLog(sink, { logger: capturingLogger().logger, batchSize: 4, clock: () => 1234 });
    for (let i = 0; i < 10; i++) log.recordQuery(queryEvent(i));
    await log.flush();
    assert.deepEqual(
      sink.batches.map((b) => b.length),
      [4, 4, 2],
    );
    assert.deepEqual(
      sink.written.map((e) => e.requestId),
      Array.from({ length: 10 }, (_, i) => `r${i}`),
    );
    assert.equal(sink.written[0]?.time, 1234);
    assert.equal(sink.written[0]?.kind, 'query');
  });

  test('recording never waits for the store; a full queue drops query records, counts and reports them', async () => {
    const sink = new FakeSink();
    sink.hold();
    const { logger, lines } = capturingLogger();
    const log = new AuditLog(sink, { logger, maxQueue: 100, batchSize: 50 });
    const started = performance.now();
    for (let i = 0; i < 250; i++) log.recordQuery(queryEvent(i));
    assert.ok(performance.now() - started < 200, 'recording is synchronous and cheap');
    // The queue holds 100; the rest of the burst is dropped.
    assert.equal(log.pending, 100);
    assert.equal(log.dropped, 150);
    const report = lines.find((line) => line.event === 'audit_dropped');
    assert.ok(report, 'the drop is logged');
    assert.equal(report.level, 'warn');
    assert.equal(lines.filter((line) => line.event === 'audit_dropped').length, 1, 'reports are throttled');

    // Admin records are kept even when the queue is full.
    log.recordAdmin({
      requestId: 'ra',
      tenant: 'acme',
      subject: 'root',
      action: 'user.delete',
      target: 'usr_1',
    });
    sink.release();
    await log.stop();
    assert.equal(sink.written.length, 101);
    assert.equal(sink.written.at(-1)?.kind, 'admin');
  });

  test('stop writes what is queued, and later records are dropped', async () => {
    const sink = new FakeSink();
    const log = new AuditLog(sink, {
      logger: capturingLogger().logger,
      batchSize: 1_000,
      flushIntervalMs: 60_000,
    });
    log.start();
    log.recordQuery(queryEvent(1));
    log.recordQuery(queryEvent(2));
    assert.equal(sink.written.length, 0, 'a partial batch waits');
    await log.stop();
    assert.equal(sink.written.length, 2);
    log.recordQuery(queryEvent(3));
    assert.equal(log.dropped, 1);
  });

  test('a partial batch is written after the flush interval', async () => {
    const sink = new FakeSink();
    const log = new AuditLog(sink, {
      logger: capturingLogger().logger,
      batchSize: 1_000,
      flushIntervalMs: 20,
    });
    log.start();
    log.recordQuery(queryEvent(1));
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(sink.written.length, 1);
    await log.stop();
  });

  test('a failed write is counted and logged, and later writes go on', async () => {
    const sink = new FakeSink();
    const { logger, lines } = capturingLogger();
    const log = new AuditLog(sink, { logger, batchSize: 10 });
    sink.failNext = true;
    log.recordQuery(queryEvent(1));
    await log.flush();
    assert.equal(log.dropped, 1);
    assert.ok(lines.some((line) => line.msg === 'audit records could not be written'));
    log.recordQuery(queryEvent(2));
    await log.flush();
    assert.deepEqual(
      sink.written.map((e) => e.requestId),
      ['r2'],
    );
  });

  test('admin before/after states lose their secrets', async () => {
    const sink = new FakeSink();
    const log = new AuditLog(sink, { logger: capturingLogger().logger });
    log.recordAdmin({
      requestId: 'r',
      tenant: 'acme',
      subject: 'root',
      action: 'tenant.update',
      target: 'acme',
      before: { display_name: 'A', hash_salt: 'very-secret', nested: [{ secret: 'trb_live_x' }] },
      after: { display_name: 'B', hash_salt: 'very-secret' },
    });
    const page = await log.list('acme', { limit: 10 });
    const record = page.items[0];
    assert.equal(record?.kind, 'admin');
    if (record?.kind !== 'admin') return;
    assert.deepEqual(record.before, {
      display_name: 'A',
      hash_salt: '[redacted]',
      nested: [{ secret: '[redacted]' }],
    });
    assert.doesNotMatch(JSON.stringify(record), /very-secret|trb_live_x/);
  });
});
