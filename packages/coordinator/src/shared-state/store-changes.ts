import { randomUUID } from 'node:crypto';
import type { SharedSettings } from './shared-state.js';

const TOPIC = 'store-changed';
const POLL_MS = 100;

/**
 * Store changes announced to every replica. Identity reads (API keys,
 * users) and policies are cached between changes of the store's
 * generation; a change made through this coordinator moves it at once, one
 * made through another would only show when the cached reads expire. This
 * feed publishes each local move and counts the others' into `generation`,
 * so a revocation made on any replica takes effect on all of them as soon
 * as the announcement arrives (replicas whose stores hold the same records).
 */
export class StoreChangeFeed {
  private readonly origin = randomUUID();
  private remote = 0;
  private seen: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: { readonly generation: number },
    private readonly settings: SharedSettings,
    onRemoteChange: () => void = () => {},
  ) {
    this.seen = store.generation;
    settings.subscribe(TOPIC, (origin) => {
      if (origin === this.origin) return;
      this.remote++;
      onRemoteChange();
    });
  }

  /** The store's generation, moved also by changes other replicas announced. */
  get generation(): number {
    return this.store.generation + this.remote;
  }

  /** Announces a local change now (otherwise noticed within POLL_MS). */
  check(): void {
    const current = this.store.generation;
    if (current === this.seen) return;
    this.seen = current;
    this.settings.publish(TOPIC, this.origin).catch(() => undefined);
  }

  start(): void {
    this.timer ??= setInterval(() => this.check(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
