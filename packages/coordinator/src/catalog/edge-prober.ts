import type { Logger } from '@tributary/core';
import type { EdgeRegistry } from './edge-registry.js';

/**
 * Pings edges marked unreachable, once per interval: a heartbeat proves an
 * edge can reach the coordinator, only a ping proves the coordinator can
 * reach the edge, so only a ping brings an unreachable edge back up.
 */
export class EdgeProber {
  private timer: NodeJS.Timeout | undefined;
  private readonly probing = new Set<string>();

  constructor(
    private readonly registry: EdgeRegistry,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.probe(), this.intervalMs);
    this.timer.unref();
  }

  /** Pings every unreachable edge not already being pinged; resolves when all have answered or failed. */
  async probe(): Promise<void> {
    const down = this.registry.list().filter((e) => e.down === 'unreachable' && !this.probing.has(e.id));
    await Promise.all(
      down.map(async (edge) => {
        this.probing.add(edge.id);
        try {
          await edge.client.ping({
            requestId: `probe-${edge.id}`,
            deadline: Date.now() + Math.min(this.timeoutMs, this.intervalMs),
          });
          this.registry.reportSuccess(edge.id);
        } catch (error) {
          this.logger.debug({ edge: edge.name, err: (error as Error).message }, 'edge still unreachable');
        } finally {
          this.probing.delete(edge.id);
        }
      }),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
