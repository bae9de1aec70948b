import { TributaryError } from '@tributary/core';

/**
 * One query's stop conditions — the caller's signal, its deadline, engine
 * shutdown — folded into a single signal whose reason is the TributaryError
 * the query must end with.
 */
export class QueryControl {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly external: AbortSignal | undefined;
  private readonly onExternalAbort = () => {
    this.abort(new TributaryError('CANCELLED', 'the query was cancelled'));
  };

  constructor(external: AbortSignal | undefined, timeoutMs: number) {
    this.external = external;
    if (external?.aborted) this.onExternalAbort();
    else external?.addEventListener('abort', this.onExternalAbort, { once: true });
    if (!this.aborted && Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.abort(
          new TributaryError('DEADLINE_EXCEEDED', `the query exceeded its ${timeoutMs} ms deadline`),
        );
      }, timeoutMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  get reason(): TributaryError {
    return this.controller.signal.reason as TributaryError;
  }

  abort(reason: TributaryError): void {
    if (!this.aborted) this.controller.abort(reason);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Runs `listener` on abort (at once if already aborted). */
  onAbort(listener: () => void): void {
    if (this.aborted) listener();
    else this.controller.signal.addEventListener('abort', listener, { once: true });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.external?.removeEventListener('abort', this.onExternalAbort);
  }
}
