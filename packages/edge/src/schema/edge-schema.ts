import { type Logger, type Source__Input, TributaryError } from '@tributary/core';
import type { SourceConnector, TableName } from '../sources/index.js';

export interface EdgeSchemaOptions {
  connectors: readonly SourceConnector[];
  /** Discovers every source as the locked engine sees it now. */
  discover: () => Promise<Source__Input[]>;
  /** Trusted SQL on the locked engine, for connectors redeclaring their tables. */
  run: (sql: string) => Promise<unknown>;
  /** Told when a retry discovered a source that was unavailable, so the coordinator hears of it. */
  onDiscovered: () => void;
  retry: { initialMs: number; maxMs: number };
  logger: Logger;
}

/** `schema.table` or `table`, as a refresh request names a table. */
export function parseTableName(name: string): TableName {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((p) => p.trim() === ''))
    throw TributaryError.invalid(`table must be written schema.table or table, not ${JSON.stringify(name)}`);
  const [schema, table] = parts.length === 2 ? parts : [undefined, parts[0]];
  return { schema: schema?.trim(), table: String(table).trim() };
}

/**
 * The edge's schema: what it registered and serves to GetSchema. Refreshes
 * (requested by the coordinator, or retries of a source that was unreachable
 * at start-up) run one at a time, since each redeclares tables in the one
 * engine. A retry that finally discovers a source tells `onDiscovered`.
 */
export class EdgeSchema {
  private current: Source__Input[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;

  private constructor(private readonly options: EdgeSchemaOptions) {}

  static async open(options: EdgeSchemaOptions): Promise<EdgeSchema> {
    const schema = new EdgeSchema(options);
    schema.current = await options.discover();
    for (const connector of options.connectors) {
      const reason = connector.unavailable?.();
      if (reason)
        options.logger.warn({ source: connector.name, err: reason }, 'source unavailable; retrying');
    }
    schema.retryUnavailable();
    return schema;
  }

  get sources(): Source__Input[] {
    return this.current;
  }

  /** Rediscovers the named sources (all when none are named), or only `table` of the one source named. */
  refresh(sources: readonly string[], table?: string): Promise<Source__Input[]> {
    const run = this.queue.then(() => this.rediscover(sources, table));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rediscover(sources: readonly string[], table?: string): Promise<Source__Input[]> {
    const wanted = new Set(sources.map((s) => s.toLowerCase()));
    const targets = this.options.connectors.filter(
      (c) => wanted.size === 0 || wanted.has(c.name.toLowerCase()),
    );
    if (table !== undefined && targets.length !== 1)
      throw TributaryError.invalid('a table refresh names exactly one source the edge serves');
    const only = table === undefined ? undefined : parseTableName(table);
    let failure: unknown;
    for (const connector of targets) {
      try {
        await connector.refresh?.(this.options.run, only);
      } catch (error) {
        failure ??= error;
      }
    }
    // Also after a failure: the schema then says which source is unavailable and why.
    this.current = await this.options.discover();
    if (failure !== undefined) throw failure;
    return this.current;
  }

  private unavailable(): SourceConnector[] {
    return this.options.connectors.filter((c) => c.unavailable?.() !== undefined);
  }

  /** Retries the sources that could not be discovered, with capped exponential backoff. */
  private retryUnavailable(): void {
    if (this.stopped || this.timer || this.unavailable().length === 0) return;
    const { initialMs, maxMs } = this.options.retry;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    this.timer = setTimeout(() => void this.retry(), delay);
    this.timer.unref();
  }

  private async retry(): Promise<void> {
    this.timer = undefined;
    let discovered = false;
    for (const connector of this.unavailable()) {
      if (this.stopped) return;
      try {
        await this.refresh([connector.name]);
        discovered = true;
        this.options.logger.info({ source: connector.name }, 'source discovered');
      } catch (error) {
        this.options.logger.warn(
          { source: connector.name, err: (error as Error).message },
          'source still unavailable',
        );
      }
    }
    if (discovered) this.options.onDiscovered();
    if (this.unavailable().length === 0) this.attempt = 0;
    else this.retryUnavailable();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
