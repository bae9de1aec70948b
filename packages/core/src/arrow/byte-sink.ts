import type { Writable } from 'node:stream';
import { AsyncByteQueue } from 'apache-arrow';

/**
 * apache-arrow's IPC writers push bytes into an AsyncByteQueue and offer
 * only pipe() onward, which cannot make the producer wait for a slow
 * consumer. Given as a writer's sink (`writer.reset(sink, schema)`), this
 * queue hands every chunk straight to a Node stream instead, so the loop
 * writing record batches can honour that stream's backpressure
 * (`writableNeedDrain`). Ending the stream stays the caller's decision.
 */
export class WritableByteSink extends AsyncByteQueue {
  constructor(private readonly out: Writable) {
    super();
  }

  override write(value: Uint8Array): void {
    if (value.byteLength > 0 && !this.out.destroyed) this.out.write(value);
  }

  override close(): void {}

  override abort(): void {}
}
