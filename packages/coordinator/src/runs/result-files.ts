import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError, WritableByteSink } from '@tributary/core';
import { type RecordBatch, RecordBatchFileWriter, RecordBatchReader, type Schema } from 'apache-arrow';

/** What the result directory keeps per run beside the Arrow file: rows per record batch, for seeking. */
interface ResultIndex {
  batchRows: number[];
}

export interface StoredResult {
  rows: number;
  bytes: number;
}

/** A run of rows read from a stored result. */
export interface ResultSlice {
  schema: Schema;
  /** The result's total rows. */
  totalRows: number;
  /** Record batches holding exactly the requested rows; the file closes when they end. */
  batches: AsyncGenerator<RecordBatch>;
  /** Closes the file; for a reader that stops before the end (or never starts). */
  close(): Promise<void>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Query results on disk, one Arrow IPC file per run (random-access format,
 * so a page is read by seeking to its record batches) plus a small index of
 * rows per batch. Files appear under their final name only once complete.
 */
export class ResultFiles {
  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<ResultFiles> {
    await mkdir(dir, { recursive: true });
    return new ResultFiles(dir);
  }

  private paths(id: string) {
    if (!ID.test(id)) throw new Error(`not a result id: ${id}`);
    const base = join(this.dir, id);
    return { file: `${base}.arrow`, index: `${base}.index.json`, partial: `${base}.arrow.partial` };
  }

  /**
   * Writes a result from an Arrow IPC stream. Fails with PAYLOAD_TOO_LARGE
   * (and stops reading, which cancels the query) past `maxBytes`; leaves no
   * file behind on any failure.
   */
  async write(id: string, ipc: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredResult> {
    const paths = this.paths(id);
    const out = createWriteStream(paths.partial);
    const closed = once(out, 'close');
    closed.catch(() => undefined);
    const writer = new RecordBatchFileWriter();
    const batchRows: number[] = [];
    try {
      const reader = await RecordBatchReader.from(ipc);
      await reader.open();
      // An empty result still has its schema.
      writer.reset(new WritableByteSink(out), reader.schema);
      for await (const batch of reader) {
        if (batch.numRows === 0) continue;
        writer.write(batch);
        batchRows.push(batch.numRows);
        if (out.bytesWritten + out.writableLength > maxBytes) {
          throw new TributaryError(
            'PAYLOAD_TOO_LARGE',
            `the result is larger than ${maxBytes} bytes, the most a query run keeps; add a LIMIT or run the query synchronously`,
            { max_result_bytes: maxBytes },
          );
        }
        if (out.writableNeedDrain) await once(out, 'drain');
      }
      writer.finish();
      out.end();
      await closed;
      await writeFile(paths.index, JSON.stringify({ batchRows } satisfies ResultIndex));
      await rename(paths.partial, paths.file);
      const { size } = await stat(paths.file);
      return { rows: batchRows.reduce((a, b) => a + b, 0), bytes: size };
    } catch (error) {
      out.destroy();
      // The file may still be opening: removed before the stream closes, it would reappear.
      await closed.catch(() => undefined);
      await this.remove(id);
      throw error;
    }
  }

  /** `limit` rows from row `offset` (every remaining row when undefined). */
  async read(id: string, offset: number, limit: number | undefined): Promise<ResultSlice> {
    const paths = this.paths(id);
    let index: ResultIndex;
    try {
      index = JSON.parse(await readFile(paths.index, 'utf8')) as ResultIndex;
    } catch {
      throw TributaryError.notFound('the result is no longer available');
    }
    const handle = await open(paths.file).catch(() => {
      throw TributaryError.notFound('the result is no longer available');
    });
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= handle.close();
      return closing;
    };
    try {
      const reader = await RecordBatchReader.from(handle);
      await reader.open();
      if (!reader.isFile()) throw new Error(`result ${id} is not an Arrow IPC file`);
      const totalRows = index.batchRows.reduce((a, b) => a + b, 0);
      const end = limit === undefined ? totalRows : Math.min(totalRows, offset + limit);
      async function* batches(): AsyncGenerator<RecordBatch> {
        try {
          let start = 0;
          for (let i = 0; i < index.batchRows.length && start < end; i++) {
            const rows = index.batchRows[i] as number;
            if (start + rows > offset) {
              const batch = await reader.readRecordBatch(i);
              if (!batch) throw new Error(`result ${id} has no record batch ${i}`);
              const from = Math.max(0, offset - start);
              const to = Math.min(rows, end - start);
              yield from === 0 && to === rows ? batch : batch.slice(from, to);
            }
            start += rows;
          }
        } finally {
          await close();
        }
      }
      return { schema: reader.schema, totalRows, batches: batches(), close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  async remove(id: string): Promise<void> {
    const paths = this.paths(id);
    await Promise.all([paths.file, paths.index, paths.partial].map((path) => rm(path, { force: true })));
  }

  /** Ids with anything on disk, complete or not. */
  async ids(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const ids = names.map((name) => name.split('.')[0] as string).filter((id) => ID.test(id));
    return [...new Set(ids)];
  }
}
