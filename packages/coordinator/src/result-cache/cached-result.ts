import type { QueryResultChunk__Input } from '@tributary/core';

/**
 * A result as it is kept in the cache: a small JSON header (rows, whether
 * the edge truncated it, each IPC message's row count and length), then the
 * Arrow IPC messages themselves, back to back, exactly as the edge sent
 * them — the schema message first. Concatenated, they are the IPC stream.
 */
export interface CachedResult {
  rows: number;
  truncated: boolean;
  /** [rows, bytes] of each IPC message, in order. */
  messages: [number, number][];
  ipc: Buffer;
}

const MAGIC = 0x54524331; // "TRC1"

export function encodeCachedResult(result: CachedResult): Buffer {
  const header = Buffer.from(
    JSON.stringify({ rows: result.rows, truncated: result.truncated, messages: result.messages }),
    'utf8',
  );
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(MAGIC, 0);
  prefix.writeUInt32BE(header.byteLength, 4);
  return Buffer.concat([prefix, header, result.ipc]);
}

/** Undefined for anything that is not a well-formed entry (it is then treated as a miss). */
export function decodeCachedResult(bytes: Buffer): CachedResult | undefined {
  if (bytes.byteLength < 8 || bytes.readUInt32BE(0) !== MAGIC) return undefined;
  const headerLength = bytes.readUInt32BE(4);
  if (8 + headerLength > bytes.byteLength) return undefined;
  try {
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Omit<
      CachedResult,
      'ipc'
    >;
    const ipc = bytes.subarray(8 + headerLength);
    const total = header.messages.reduce((sum, [, length]) => sum + length, 0);
    if (total !== ipc.byteLength) return undefined;
    return { rows: header.rows, truncated: header.truncated, messages: header.messages, ipc };
  } catch {
    return undefined;
  }
}

/** The result's chunks as the edge relay produces them, without the metadata chunk. */
export function* cachedChunks(result: CachedResult): Generator<QueryResultChunk__Input> {
  let offset = 0;
  for (const [rows, length] of result.messages) {
    yield { arrow: { ipc: result.ipc.subarray(offset, offset + length), row_count: rows } };
    offset += length;
  }
}
