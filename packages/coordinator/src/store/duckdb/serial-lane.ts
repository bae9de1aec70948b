/**
 * Runs work one piece at a time, in arrival order: the store's single writer.
 * A failure of one piece does not stop the ones queued after it.
 */
export class SerialLane {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    // `tail` never rejects: each piece's failure is its own caller's.
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
