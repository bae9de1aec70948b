import type { DuckDBType } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { Field, Schema } from 'apache-arrow';
import type { ColumnWriter } from './column-writer.js';
import { createColumnWriter } from './column-writers.js';
import { type BatchBody, encodeRecordBatchMessage, encodeSchemaMessage } from './ipc.js';

export interface BatchLimits {
  /** Cut a batch once it holds this many rows. */
  rows: number;
  /** Cut a batch once its buffers reach this many bytes. */
  bytes: number;
}

/**
 * Gathers DuckDB chunks (2,048 rows at most) into Arrow record batches of the
 * configured size and encodes each as an IPC message.
 */
export class RecordBatchAssembler {
  readonly schema: Schema;
  private readonly writers: ColumnWriter[];
  private rows = 0;

  constructor(
    names: readonly string[],
    types: readonly DuckDBType[],
    private readonly limits: BatchLimits,
  ) {
    this.writers = types.map(createColumnWriter);
    this.schema = new Schema(
      this.writers.map((writer, i) => new Field(names[i] as string, writer.type, true)),
    );
  }

  get rowCount(): number {
    return this.rows;
  }

  get byteLength(): number {
    let bytes = 0;
    for (const writer of this.writers) bytes += writer.byteLength;
    return bytes;
  }

  get isFull(): boolean {
    return this.rows >= this.limits.rows || this.byteLength >= this.limits.bytes;
  }

  schemaMessage(): Uint8Array {
    return encodeSchemaMessage(this.schema);
  }

  /** Binds every column to a new chunk; follow with `append` calls over its rows. */
  attach(chunk: duckdb.DataChunk, size: number): void {
    this.writers.forEach((writer, column) => {
      writer.attach(duckdb.data_chunk_get_vector(chunk, column), size);
    });
  }

  /**
   * Appends rows [offset, offset + count) of the attached chunk, stopping early
   * when the batch fills up. Returns how many rows were taken; the caller cuts
   * the batch and appends the rest.
   */
  append(offset: number, count: number): number {
    const take = Math.min(count, this.room(count));
    for (const writer of this.writers) writer.append(offset, take);
    this.rows += take;
    return take;
  }

  /** Encodes the rows gathered so far as one record batch message and starts a new batch. */
  flush(): Uint8Array {
    const body: BatchBody = { nodes: [], buffers: [] };
    for (const writer of this.writers) writer.emit(body);
    const message = encodeRecordBatchMessage(this.rows, body);
    for (const writer of this.writers) writer.reset();
    this.rows = 0;
    return message;
  }

  /**
   * How many of `wanted` rows still fit. The byte budget is estimated from the
   * average row size so far, so one chunk of wide rows cannot blow far past it
   * (gRPC refuses messages over 4 MiB by default); a batch's first rows are
   * taken in a small probe to get that average.
   */
  private room(wanted: number): number {
    const rowRoom = this.limits.rows - this.rows;
    if (this.rows === 0) return Math.max(1, Math.min(wanted, rowRoom, PROBE_ROWS));
    const bytes = this.byteLength;
    const byteRoom = bytes === 0 ? rowRoom : Math.floor(((this.limits.bytes - bytes) * this.rows) / bytes);
    // Multiples of 8 keep the validity bitmaps byte-aligned for the fast copy.
    const fit = Math.min(rowRoom, byteRoom);
    if (fit >= wanted) return wanted;
    return Math.max(1, fit > 8 ? fit & ~7 : fit);
  }
}

const PROBE_ROWS = 64;
