/**
 * A small async queue: messages pushed by transport callbacks, pulled by
 * `for await`. Hand-written because it is a dozen lines and must not pull
 * Node's streams into browser bundles.
 */
export class Inbox<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private error: unknown;
  private done = false;
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  /** Ends the queue once; later ends (a cancel after completion) change nothing. */
  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
