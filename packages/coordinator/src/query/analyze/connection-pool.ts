/**
 * A fixed set of resources handed out one caller at a time: a DuckDB
 * connection runs one statement at a time, so each analysis borrows one.
 * Waiters are served in arrival order.
 */
export class ResourcePool<T> {
  private readonly idle: T[];
  private readonly waiters: ((resource: T) => void)[] = [];

  constructor(private readonly all: readonly T[]) {
    this.idle = [...all];
  }

  get size(): number {
    return this.all.length;
  }

  async use<R>(work: (resource: T) => Promise<R>): Promise<R> {
    const resource = this.idle.pop() ?? (await new Promise<T>((resolve) => this.waiters.push(resolve)));
    try {
      return await work(resource);
    } finally {
      const waiter = this.waiters.shift();
      if (waiter) waiter(resource);
      else this.idle.push(resource);
    }
  }

  /** Every resource, for closing once no caller holds one. */
  resources(): readonly T[] {
    return this.all;
  }
}
