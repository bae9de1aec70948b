/**
 * Counts each tenant's queries running on each edge, so one tenant cannot
 * take every connection of a shared edge. Counts are this coordinator's own.
 */
export class EdgeSlots {
  private readonly running = new Map<string, number>();

  /** Takes a slot unless the tenant already runs `max` queries there (0: no limit); returns its release. */
  tryAcquire(tenant: string, edgeId: string, max: number): (() => void) | undefined {
    const key = `${tenant}\u0000${edgeId}`;
    const current = this.running.get(key) ?? 0;
    if (max > 0 && current >= max) return undefined;
    this.running.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left <= 0) this.running.delete(key);
      else this.running.set(key, left);
    };
  }

  /** Queries the tenant runs on the edge now. */
  count(tenant: string, edgeId: string): number {
    return this.running.get(`${tenant}\u0000${edgeId}`) ?? 0;
  }
}
