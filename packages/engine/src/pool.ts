import type { DuckDBConnection } from '@duckdb/node-api';
import { TributaryError } from '@tributary/core';

interface Waiter {
  resolve: (lease: Lease) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A fixed set of connections, one per concurrent query: a DuckDB connection
 * runs one statement at a time, and a second statement on it would cut a
 * streaming read short. Callers beyond the pool size wait in FIFO order.
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiters: Waiter[] = [];
  private leased = 0;
  private closing = false;
  private onDrained: (() => void) | undefined;

  constructor(private readonly connections: readonly DuckDBConnection[]) {
    this.idle = [...connections];
  }

  get active(): number {
    return this.leased;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with a lease once a connection is free; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<Lease> {
    if (this.closing) return Promise.reject(TributaryError.unavailable('the query engine is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const connection = this.idle.pop();
    if (connection) return Promise.resolve(this.lease(connection));
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Refuses new work, fails waiters, waits for every lease to come back, then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(TributaryError.unavailable('the query engine is closed'));
    }
    if (this.leased > 0) {
      await new Promise<void>((resolve) => {
        this.onDrained = resolve;
      });
    }
    for (const connection of this.connections) connection.closeSync();
  }

  private lease(connection: DuckDBConnection): Lease {
    this.leased++;
    return new Lease(connection, () => this.giveBack(connection));
  }

  private giveBack(connection: DuckDBConnection): void {
    this.leased--;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.lease(connection));
      return;
    }
    this.idle.push(connection);
    if (this.leased === 0) this.onDrained?.();
  }
}

/**
 * One query's hold on a connection. Native calls go through `run`, so the
 * connection is returned only once DuckDB is done with it: a release that
 * arrives while a call is in flight (an abort, or a consumer that stops
 * reading while the next chunk is being fetched) waits for that call.
 */
export class Lease {
  private inFlight = 0;
  private released = false;
  private returned = false;
  private stopReason: unknown;
  private interrupter: NodeJS.Timeout | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly connection: DuckDBConnection,
    private readonly giveBack: () => void,
  ) {}

  get isReleased(): boolean {
    return this.released;
  }

  async run<T>(call: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.stopReason !== undefined) throw this.stopReason;
    if (this.released) throw new Error('the connection lease has been released');
    this.inFlight++;
    try {
      return await call(this.connection);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idle();
    }
  }

  /** Registers work (freeing a prepared statement) to do just before the connection goes back. */
  defer(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /**
   * Interrupts what the connection is running and refuses further calls
   * (they throw `reason`). DuckDB clears the interrupt flag when a query
   * begins, so an interrupt that lands between submitting a call and DuckDB
   * starting it would be lost: it is repeated until the call returns.
   */
  stop(reason: unknown): void {
    if (this.returned) return;
    this.stopReason ??= reason;
    this.connection.interrupt();
    if (this.inFlight > 0 && !this.interrupter) {
      this.interrupter = setInterval(() => this.connection.interrupt(), INTERRUPT_RETRY_MS);
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.inFlight === 0) this.idle();
  }

  private idle(): void {
    clearInterval(this.interrupter);
    this.interrupter = undefined;
    if (!this.released || this.returned) return;
    this.returned = true;
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // Freeing native handles must not keep the connection from the pool.
      }
    }
    this.giveBack();
  }
}

const INTERRUPT_RETRY_MS = 25;
