import { ByteBuffer, OffsetBuffer } from './buffers.js';
import { NullableWriter } from './column-writer.js';
import type { BatchBody } from './ipc.js';

/** The Utf8/Binary layout: validity, int32 offsets, value bytes. */
export abstract class VarBinaryWriter extends NullableWriter {
  protected readonly offsets = new OffsetBuffer();
  protected readonly data = new ByteBuffer(64 * 1024);

  override get byteLength(): number {
    return super.byteLength + this.offsets.count * 4 + this.data.length;
  }

  /** Appends one entry built in JS (fallback and computed strings). */
  protected appendEncoded(bytes: Uint8Array | null): void {
    const offsets = this.offsets.reserve(1);
    if (bytes === null) {
      this.validity.appendZeros(1);
    } else {
      this.validity.appendOnes(1);
      this.data.append(bytes);
    }
    offsets[this.offsets.count++] = this.data.length;
  }

  override emit(body: BatchBody): void {
    super.emit(body);
    body.buffers.push(this.offsets.view(), this.data.view());
  }

  override reset(): void {
    super.reset();
    this.offsets.reset();
    this.data.reset();
  }
}
