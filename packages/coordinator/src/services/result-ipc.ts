import { ARROW_EOS, type QueryMetadata__Input } from '@tributary/core';
import type { QueryExecution } from './query-service.js';

/**
 * A query's result as one Arrow IPC byte stream (EOS marker included), with
 * the metadata chunk, which comes last, set aside once the stream has been
 * read. Every transport that decodes or forwards results reads them this way.
 */
export function resultIpc(execution: QueryExecution): {
  ipc: AsyncGenerator<Uint8Array>;
  metadata: () => QueryMetadata__Input | undefined;
} {
  let metadata: QueryMetadata__Input | undefined;
  async function* ipc(): AsyncGenerator<Uint8Array> {
    for await (const chunk of execution.chunks) {
      if (chunk.arrow?.ipc) yield chunk.arrow.ipc as Uint8Array;
      else if (chunk.metadata) metadata = chunk.metadata;
    }
    yield ARROW_EOS;
  }
  return { ipc: ipc(), metadata: () => metadata };
}

/** Query metadata as the JSON APIs (HTTP, MCP) present it. */
export function metadataJson(metadata: QueryMetadata__Input) {
  return {
    query_id: String(metadata.query_id ?? ''),
    row_count: Number(metadata.row_count ?? 0),
    execution_time_ms: Number(metadata.execution_time_ms ?? 0),
    from_cache: Boolean(metadata.from_cache),
    bytes: Number(metadata.bytes ?? 0),
    batch_count: Number(metadata.batch_count ?? 0),
    truncated: Boolean(metadata.truncated),
    edges: metadata.edges ?? [],
  };
}
