import { ConfigError, loadConfigFile, metricsConfigSchema, resolveFrom } from '@tributary/core';
import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier (letters, digits, _)');

const fileTable = z.object({
  name: identifier,
  /** A file or glob relative to the source directory, e.g. `events/*.parquet`. */
  path: z.string().min(1),
  format: z.enum(['parquet', 'csv', 'json']).optional(),
  hive_partitioning: z.boolean().default(false),
});

const filesSource = z.object({
  name: identifier,
  type: z.literal('files'),
  path: z.string().min(1),
  /** Explicit tables; without them every file (and every sub-directory of files) becomes a table. */
  tables: z.array(fileTable).optional(),
});

const duckdbSource = z.object({
  name: identifier,
  type: z.literal('duckdb'),
  path: z.string().min(1),
});

/**
 * A PostgreSQL database. The password never sits in this file: it comes from
 * an environment variable or a secret file, so configuration dumps and logs
 * cannot carry it.
 */
const postgresSource = z
  .object({
    name: identifier,
    type: z.literal('postgres'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65_535).default(5432),
    database: z.string().min(1),
    user: z.string().min(1),
    /** Name of the environment variable holding the password. */
    password_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    /** File holding the password (trailing newline ignored). */
    password_file: z.string().min(1).optional(),
    sslmode: z.enum(['disable', 'require', 'verify-full']).default('disable'),
    /** PostgreSQL schemas whose tables and views are exposed. */
    schemas: z.array(z.string().min(1)).min(1).default(['public']),
    /** Send portable single-source queries to PostgreSQL whole; off: always read rows into DuckDB. */
    pushdown: z.boolean().default(true),
    /** When a query runs in DuckDB, read only the rows its simple filters on one table keep. */
    pushdown_filters: z.boolean().default(true),
    /** Rows fetched from a server-side cursor at a time. */
    fetch_rows: z.number().int().positive().max(1_000_000).default(10_000),
  })
  .refine((s) => !(s.password_env && s.password_file), {
    message: 'set password_env or password_file, not both',
  });

const source = z.discriminatedUnion('type', [filesSource, duckdbSource, postgresSource]);

const address = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port');

const edgeName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _, . or -');

export const edgeConfigSchema = z.object({
  name: edgeName,
  listen: address.default('127.0.0.1:50061'),
  /** Host the coordinator dials; defaults to the listen host. */
  advertise_host: z.string().optional(),
  coordinator: z.object({
    address,
    join_token: z.string().min(16, 'join_token must be at least 16 characters'),
  }),
  sources: z.array(source).min(1, 'an edge serves at least one source'),
  /**
   * The operational HTTP listener (`/metrics`, `/health/live`, `/health/ready`).
   * Off unless configured, so several edges on one host never compete for a port.
   */
  http: z.object({ listen: address }).optional(),
  /** `GET /metrics` on the `http` listener; optionally behind a bearer token. */
  metrics: metricsConfigSchema,
  engine: z
    .object({
      memory_limit: z.string().default('1GB'),
      threads: z.number().int().positive().optional(),
      query_timeout_ms: z.number().int().positive().default(300_000),
      max_concurrent_queries: z.number().int().positive().max(256).default(8),
      temp_directory: z.string().optional(),
    })
    .default({ memory_limit: '1GB', query_timeout_ms: 300_000, max_concurrent_queries: 8 }),
  /**
   * On SIGTERM the edge deregisters, refuses new queries and gives running
   * ones this long to finish before cancelling them.
   */
  shutdown_grace_ms: z.number().int().min(0).default(10_000),
  /**
   * A source unreachable at start-up (PostgreSQL down) is retried after
   * `initial_ms`, doubling up to `max_ms` between attempts, until it is discovered.
   */
  discovery_retry: z
    .object({
      initial_ms: z.number().int().min(10).default(500),
      max_ms: z.number().int().min(10).default(30_000),
    })
    .default({ initial_ms: 500, max_ms: 30_000 }),
});

export type EdgeConfigInput = z.input<typeof edgeConfigSchema>;
export type EdgeSourceConfig = z.output<typeof source>;
export type PostgresSourceConfig = z.output<typeof postgresSource>;

export interface EdgeConfig extends z.output<typeof edgeConfigSchema> {
  /** Paths resolved against the configuration file's folder. */
  configPath: string;
}

export function loadEdgeConfig(path: string): EdgeConfig {
  const parsed = loadConfigFile(path, edgeConfigSchema);
  const names = new Set<string>();
  for (const s of parsed.sources) {
    if (names.has(s.name.toLowerCase())) throw new ConfigError(`source ${s.name} is configured twice`);
    names.add(s.name.toLowerCase());
    if (s.type === 'postgres') {
      if (s.password_file) s.password_file = resolveFrom(path, s.password_file);
    } else s.path = resolveFrom(path, s.path);
  }
  if (parsed.engine.temp_directory)
    parsed.engine.temp_directory = resolveFrom(path, parsed.engine.temp_directory);
  return { ...parsed, configPath: path };
}
