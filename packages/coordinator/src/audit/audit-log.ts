import type { Logger } from '@tributary/core';
import type {
  AdminAuditEntry,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  AuditRepository,
  Page,
  QueryAuditEntry,
} from '../store/index.js';
import { withoutSecrets } from './redact.js';

/** What the query path reports about one query; the time is added on recording. */
export type QueryAuditEvent = Omit<QueryAuditEntry, 'kind' | 'time'>;
/** What an admin change reports; before/after have their secrets removed on recording. */
export type AdminAuditEvent = Omit<AdminAuditEntry, 'kind' | 'time'>;

export interface AuditLogOptions {
  logger: Logger;
  /** Query records waiting to be written beyond this many are dropped (and counted). */
  maxQueue?: number;
  /** Records per write transaction. */
  batchSize?: number;
  /** A partial batch waits at most this long. */
  flushIntervalMs?: number;
  clock?: () => number;
}

/** How often a run of drops is reported, so an overload does not also flood the log. */
const DROP_REPORT_INTERVAL_MS = 10_000;

/**
 * The audit trail, written in batches off the request path. Recording only
 * appends to a bounded in-memory queue: a query never waits for the store.
 * If the store falls behind and the queue fills, query records are dropped,
 * counted and reported; admin records are rare and always kept. `stop()`
 * writes whatever is queued.
 */
export class AuditLog {
  private queue: AuditEntry[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private droppedCount = 0;
  private droppedSinceReport = 0;
  private lastDropReport = 0;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly clock: () => number;

  constructor(
    private readonly sink: Pick<AuditRepository, 'append' | 'list'>,
    private readonly options: AuditLogOptions,
  ) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.batchSize = options.batchSize ?? 500;
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Records lost to a full queue or a failed write since start. */
  get dropped(): number {
    return this.droppedCount;
  }

  get pending(): number {
    return this.queue.length;
  }

  recordQuery(event: QueryAuditEvent): void {
    if (this.stopped || this.queue.length >= this.maxQueue) {
      this.drop(1, this.stopped ? 'audit log stopped' : 'audit queue full');
      return;
    }
    this.queue.push({ ...event, kind: 'query', time: this.clock() });
    if (this.queue.length >= this.batchSize) void this.flush();
  }

  recordAdmin(event: AdminAuditEvent): void {
    if (this.stopped) {
      this.drop(1, 'audit log stopped');
      return;
    }
    this.queue.push({
      ...event,
      kind: 'admin',
      time: this.clock(),
      before: withoutSecrets(event.before),
      after: withoutSecrets(event.after),
    });
    // Admin changes are few and matter: write them without waiting for a batch.
    void this.flush();
  }

  /** Writes everything queued so far; resolves when it is stored (or reported lost). */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  /** Reads the log, after writing what is queued, so an admin sees every change made before the call. */
  async list(tenant: string, query: AuditQuery): Promise<Page<AuditRecord>> {
    await this.flush();
    return this.sink.list(tenant, query);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.sink.append(batch);
      } catch (error) {
        // Retrying would keep a broken store's backlog growing; the loss is reported instead.
        this.options.logger.error(
          { err: error, records: batch.length },
          'audit records could not be written',
        );
        this.drop(batch.length);
      }
    }
  }

  private drop(count: number, reason?: string): void {
    this.droppedCount += count;
    this.droppedSinceReport += count;
    const now = Date.now();
    if (reason && now - this.lastDropReport >= DROP_REPORT_INTERVAL_MS) {
      this.options.logger.warn(
        { event: 'audit_dropped', dropped: this.droppedSinceReport, total: this.droppedCount, reason },
        'audit records dropped',
      );
      this.lastDropReport = now;
      this.droppedSinceReport = 0;
    }
  }
}
