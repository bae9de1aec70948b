import { digestOf, type Logger, type QueryResultChunk__Input, type SqlValue } from '@tributary/core';
import type { ResultCacheConfig } from '../config/coordinator-config.js';
import type { BlobCache } from '../shared-state/index.js';
import { type CachedResult, decodeCachedResult, encodeCachedResult } from './cached-result.js';

/** Everything a result depends on; two queries share an entry only when all of it is equal. */
export interface ResultKeyParts {
  tenant: string;
  /** The tenant's policy version and tags: any policy change is a new key. */
  policyStamp: string;
  /**
   * The query as it will run: DuckDB's printing of the rewritten parse tree
   * (so spelling and whitespace do not matter) with the principal's filters
   * and masks in it, and every bound value, the caller's and the policies'.
   */
  sql: string;
  params: readonly SqlValue[];
  limit: number;
  /** Per source read: which edge registrations serve it (a re-registration is a new schema, new data). */
  sources: Record<string, string>;
}

export type CacheOutcome = 'hit' | 'miss' | 'stored' | 'skipped';

/**
 * The result cache: results of governed queries, kept as Arrow IPC bytes in
 * the shared state for a TTL that the sources read decide. Keys are hashes
 * of everything the result depends on (see ResultKeyParts), so a policy
 * change or a source's new registration leaves old entries unreachable
 * until they expire.
 */
export class ResultCache {
  private readonly listeners: ((outcome: CacheOutcome) => void)[] = [];

  constructor(
    private readonly config: ResultCacheConfig,
    private readonly blobs: BlobCache,
    private readonly logger: Logger,
  ) {}

  onOutcome(listener: (outcome: CacheOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** How long a result over these sources may be kept; 0 when it must not be cached. */
  ttlFor(sources: readonly string[]): number {
    if (!this.config.enabled) return 0;
    let ttl = this.config.ttl_ms;
    for (const source of sources) {
      const own = Object.entries(this.config.sources).find(
        ([name]) => name.toLowerCase() === source.toLowerCase(),
      )?.[1];
      if (own) ttl = Math.min(ttl, own.ttl_ms);
    }
    return ttl;
  }

  keyFor(parts: ResultKeyParts): string {
    const sources = Object.entries(parts.sources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return digestOf([1, parts.tenant, parts.policyStamp, parts.sql, parts.params, parts.limit, sources]);
  }

  async lookup(key: string): Promise<CachedResult | undefined> {
    let bytes: Buffer | undefined;
    try {
      bytes = await this.blobs.get(`result:${key}`);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'result cache unreadable');
    }
    const result = bytes ? decodeCachedResult(bytes) : undefined;
    this.emit(result ? 'hit' : 'miss');
    return result;
  }

  /**
   * Passes a result through, keeping a copy; when it completes within
   * `max_entry_bytes` the copy is stored (off the response path). A result
   * that fails or is abandoned is never stored.
   */
  async *recording(
    key: string,
    ttlMs: number,
    chunks: AsyncIterable<QueryResultChunk__Input>,
  ): AsyncGenerator<QueryResultChunk__Input> {
    const parts: Buffer[] = [];
    const messages: [number, number][] = [];
    let size = 0;
    let rows = 0;
    let keeping = true;
    for await (const chunk of chunks) {
      if (chunk.arrow?.ipc && keeping) {
        const ipc = chunk.arrow.ipc as Uint8Array;
        size += ipc.byteLength;
        if (size > this.config.max_entry_bytes) {
          keeping = false;
          parts.length = 0;
        } else {
          const count = Number(chunk.arrow.row_count ?? 0);
          parts.push(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength));
          messages.push([count, ipc.byteLength]);
          rows += count;
        }
      } else if (chunk.metadata && keeping) {
        const entry = encodeCachedResult({
          rows,
          truncated: Boolean(chunk.metadata.truncated),
          messages,
          ipc: Buffer.concat(parts),
        });
        this.blobs.set(`result:${key}`, entry, ttlMs).then(
          () => this.emit('stored'),
          (error: unknown) => this.logger.warn({ err: (error as Error).message }, 'result not cached'),
        );
      }
      yield chunk;
    }
    if (!keeping) this.emit('skipped');
  }

  private emit(outcome: CacheOutcome): void {
    for (const listener of this.listeners) listener(outcome);
  }
}
