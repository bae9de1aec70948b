import { ConfigError, loadConfigFile, metricsConfigSchema, resolveFrom } from '@tributary/core';
import { z } from 'zod';

const address = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port');

const apiKeyEntry = z.object({
  /** Public identifier shown in logs and listings; never the secret. */
  id: z.string().min(1),
  /** Hex SHA-256 of the whole key (`trb_live_...`). Keys carry 256 bits of entropy, so a fast hash is the right one. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256'),
  subject: z.string().min(1),
  roles: z.array(z.string()).default([]),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  expires_at: z.iso.datetime().optional(),
});

const jwtConfig = z
  .object({
    jwks_file: z.string().optional(),
    jwks_url: z.url().optional(),
    issuer: z.string().min(1),
    audience: z.string().min(1),
    /** Asymmetric algorithms only: `none` and HMAC are never accepted. */
    algorithms: z
      .array(
        z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']),
      )
      .default(['RS256', 'ES256', 'EdDSA']),
    clock_tolerance_seconds: z.number().int().min(0).max(300).default(30),
    /**
     * A token whose `kid` is not in the cached JWKS triggers a refetch, at
     * most once per this interval, so a flood of forged `kid`s cannot hammer
     * the identity provider.
     */
    jwks_cooldown_ms: z.number().int().min(0).default(30_000),
    /** The cached JWKS is refetched when older than this. */
    jwks_cache_max_age_ms: z.number().int().min(1_000).default(600_000),
    /** Where claims are read from; dotted paths reach into nested objects (`realm_access.roles`). */
    claims: z
      .object({
        subject: z.string().default('sub'),
        tenant: z.string().default('tenant'),
        roles: z.string().default('roles'),
        /** Group names: a string array, or one string separated by spaces or commas. */
        groups: z.string().default('groups'),
        /** An object of scalar attributes for ABAC, e.g. `{ "region": "EU", "clearance": 3 }`. */
        attributes: z.string().default('attributes'),
      })
      .default({
        subject: 'sub',
        tenant: 'tenant',
        roles: 'roles',
        groups: 'groups',
        attributes: 'attributes',
      }),
  })
  .refine((j) => Boolean(j.jwks_file) !== Boolean(j.jwks_url), {
    message: 'set exactly one of jwks_file or jwks_url',
  });

const tierLimits = z.object({
  requests_per_minute: z.number().int().positive(),
  concurrent_queries: z.number().int().positive(),
});

const DEFAULT_TIERS: Record<string, z.output<typeof tierLimits>> = {
  free: { requests_per_minute: 60, concurrent_queries: 5 },
  pro: { requests_per_minute: 600, concurrent_queries: 25 },
  enterprise: { requests_per_minute: 6_000, concurrent_queries: 100 },
};

const rateLimits = z
  .object({
    /** Off unless configured: then every request and query counts against its identity's tier. */
    enabled: z.boolean().default(false),
    /** The tier of a principal whose tenant names none and who carries no `tier` attribute. */
    default_tier: z.string().min(1).default('free'),
    /** Added to (or replacing) the built-in free, pro and enterprise tiers. */
    tiers: z.record(z.string().min(1), tierLimits).default({}),
    /** Per tenant: its tier, and limits that override the tier's (an enterprise contract). */
    tenants: z
      .record(
        z.string().min(1),
        z.object({
          tier: z.string().min(1).optional(),
          requests_per_minute: z.number().int().positive().optional(),
          concurrent_queries: z.number().int().positive().optional(),
        }),
      )
      .default({}),
  })
  .transform((limits) => ({ ...limits, tiers: { ...DEFAULT_TIERS, ...limits.tiers } }))
  .superRefine((limits, ctx) => {
    const known = (tier: string | undefined) => tier === undefined || Object.hasOwn(limits.tiers, tier);
    if (!known(limits.default_tier)) {
      ctx.addIssue({
        code: 'custom',
        message: `default_tier ${limits.default_tier} is not a configured tier`,
      });
    }
    for (const [tenant, entry] of Object.entries(limits.tenants)) {
      if (!known(entry.tier)) {
        ctx.addIssue({
          code: 'custom',
          message: `tenant ${tenant}: tier ${entry.tier} is not a configured tier`,
        });
      }
    }
  })
  .prefault({});

const resultCache = z
  .object({
    /** Off unless configured: cached results are governed data kept outside the sources. */
    enabled: z.boolean().default(false),
    /** How long an entry lives unless its sources say otherwise; 0 caches nothing. */
    ttl_ms: z.number().int().min(0).default(60_000),
    /** Results larger than this (Arrow IPC bytes) are not cached. */
    max_entry_bytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    /** What the in-process cache holds (the whole cache without Redis, the fallback with it). */
    max_local_bytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024),
    /** Per source: its own TTL (a query uses the shortest of its sources'); 0 never caches it. */
    sources: z.record(z.string().min(1), z.object({ ttl_ms: z.number().int().min(0) })).default({}),
  })
  .prefault({});

export const coordinatorConfigSchema = z.object({
  /** The tenant every principal belongs to unless its token names another. */
  tenant: z.string().min(1).default('default'),
  grpc: z.object({ listen: address.default('0.0.0.0:50051') }).default({ listen: '0.0.0.0:50051' }),
  http: z
    .object({
      listen: address.default('0.0.0.0:8000'),
      max_body_bytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
    })
    .default({ listen: '0.0.0.0:8000', max_body_bytes: 1024 * 1024 }),
  /** `GET /metrics` on the HTTP port (Prometheus text format); optionally behind a bearer token. */
  metrics: metricsConfigSchema,
  /** The MCP (Model Context Protocol) server for AI assistants: Streamable HTTP at `/mcp`. */
  mcp: z
    .object({
      listen: address.default('0.0.0.0:8002'),
      max_body_bytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
    })
    .default({ listen: '0.0.0.0:8002', max_body_bytes: 1024 * 1024 }),
  /** gRPC-Web for browsers (off unless configured); forwards to the gRPC port's own handlers. */
  grpc_web: z
    .object({
      listen: address.default('0.0.0.0:8001'),
      allowed_origins: z.array(z.string().min(1)).default(['*']),
      max_request_bytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
    })
    .optional(),
  /** The web console at `/console` on the HTTP port; it talks to the coordinator over gRPC-Web. */
  console: z
    .object({
      enabled: z.boolean().default(true),
      /** The gRPC-Web URL browsers use, when not this host on grpc_web's port (e.g. behind a proxy). */
      grpc_web_url: z.url().optional(),
    })
    .default({ enabled: true }),
  auth: z.object({
    jwt: jwtConfig.optional(),
    api_keys: z.array(apiKeyEntry).default([]),
  }),
  edges: z.object({
    join_token: z.string().min(16, 'join_token must be at least 16 characters'),
    heartbeat_interval_ms: z.number().int().min(100).default(5_000),
    /** An edge that misses heartbeats for this long is dropped. */
    expiry_ms: z.number().int().min(300).default(15_000),
    /** Deadline for reaching an edge before a query fails with UNAVAILABLE. */
    connect_timeout_ms: z.number().int().min(100).default(3_000),
    /** Every this often the edges rediscover every source's schema; 0 (the default) only on request. */
    schema_refresh_interval_ms: z.number().int().min(0).default(0),
  }),
  /** The coordinator's own state: identities, keys, policies, tags, audit. */
  store: z
    .object({
      /**
       * A DuckDB database file, created when missing, relative to the
       * configuration file. `:memory:` keeps nothing across restarts.
       */
      path: z.string().min(1).default(':memory:'),
      memory_limit: z.string().default('256MB'),
    })
    .default({ path: ':memory:', memory_limit: '256MB' }),
  /**
   * A policy document (JSON or YAML file) published as the tenant's first
   * policy version when it has none. Without one, a new tenant reads nothing
   * until an admin publishes policies: deny by default.
   */
  policies: z.object({ bootstrap_file: z.string().optional() }).default({}),
  audit: z
    .object({
      /** Query records waiting to be written beyond this many are dropped and counted. */
      queue_size: z.number().int().min(100).default(10_000),
      batch_size: z.number().int().min(1).default(500),
      flush_interval_ms: z.number().int().min(10).default(1_000),
    })
    .default({ queue_size: 10_000, batch_size: 500, flush_interval_ms: 1_000 }),
  query: z
    .object({
      timeout_ms: z.number().int().positive().default(300_000),
      max_sql_bytes: z
        .number()
        .int()
        .positive()
        .default(256 * 1024),
      /**
       * Tries of one query across the replicas serving it (the first
       * included), while nothing of the result has reached the caller.
       */
      max_attempts: z.number().int().min(1).max(10).default(3),
    })
    .default({ timeout_ms: 300_000, max_sql_bytes: 256 * 1024, max_attempts: 3 }),
  /**
   * The coordinator's own DuckDB, which joins the fragments of queries
   * spanning edges. It reads no files; it spills to `temp_directory`
   * (default: a temporary directory removed on stop) once `memory_limit`
   * is reached, up to `max_temp_directory_size`.
   */
  federation: z
    .object({
      memory_limit: z.string().min(1).default('2GB'),
      temp_directory: z.string().min(1).optional(),
      max_temp_directory_size: z.string().min(1).default('20GB'),
      /** DuckDB worker threads; the core count when unset. */
      threads: z.number().int().min(1).optional(),
      /** Fragment loads and coordinator queries running at once; more wait. */
      max_concurrent: z.number().int().min(1).default(8),
      /**
       * How long a fragment's measured size is trusted when planning later
       * queries (query/execute/fragment-sizes.ts); 0 measures every time.
       */
      fragment_sizes_ttl_ms: z.number().int().min(0).default(300_000),
    })
    .default({
      memory_limit: '2GB',
      max_temp_directory_size: '20GB',
      max_concurrent: 8,
      fragment_sizes_ttl_ms: 300_000,
    }),
  /**
   * Every tenant's query limits (0: none). A tenant's `limits.*` settings
   * (UpdateTenant) override them for that tenant.
   */
  limits: z
    .object({
      max_rows: z.number().int().min(0).default(0),
      max_bytes: z.number().int().min(0).default(0),
      /** At most query.timeout_ms, which bounds every query. */
      max_execution_ms: z.number().int().min(0).default(0),
      max_concurrent_queries_per_edge: z.number().int().min(0).default(0),
    })
    .default({ max_rows: 0, max_bytes: 0, max_execution_ms: 0, max_concurrent_queries_per_edge: 0 }),
  /**
   * On SIGTERM, how long running queries may take to finish while new ones
   * are refused with UNAVAILABLE; the rest are then cancelled.
   */
  shutdown_grace_ms: z.number().int().min(0).default(10_000),
  /**
   * Agents: run limits (each agent's own limits may only lower them) and the
   * model providers agents may use. A provider's key is read from an
   * environment variable or a file when a run needs it; it is never stored.
   */
  agents: z
    .object({
      max_steps: z.number().int().min(1).default(20),
      max_run_time_ms: z.number().int().min(100).default(300_000),
      max_rows_per_step: z.number().int().min(1).default(1_000),
      /** Rows of each result shown in run events and to a model. */
      preview_rows: z.number().int().min(0).max(1_000).default(20),
      providers: z
        .array(
          z
            .object({
              name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
              /** The tenant whose agents may use it; the configuration's tenant when absent. */
              tenant: z.string().min(1).optional(),
              /** An OpenAI-compatible base URL, e.g. `https://api.openai.com/v1`. */
              url: z.url(),
              model: z.string().min(1),
              api_key_env: z.string().min(1).optional(),
              api_key_file: z.string().min(1).optional(),
              timeout_ms: z.number().int().min(100).default(60_000),
            })
            .strict(),
        )
        .default([]),
    })
    .default({
      max_steps: 20,
      max_run_time_ms: 300_000,
      max_rows_per_step: 1_000,
      preview_rows: 20,
      providers: [],
    }),
  /** Query runs (asynchronous queries) and their stored results. */
  query_runs: z
    .object({
      /**
       * Where results are written, one Arrow IPC file per run. Default: a
       * `query-results` directory beside the store file, or a temporary
       * directory (removed on stop) when the store is `:memory:`.
       */
      results_dir: z.string().min(1).optional(),
      /** How long a finished run and its result are kept. */
      result_ttl_ms: z.number().int().min(1_000).default(3_600_000),
      /** A run whose result file would grow past this fails with PAYLOAD_TOO_LARGE. */
      max_result_bytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024 * 1024),
      /** Runs executing at once per coordinator; more wait as `queued`. */
      max_concurrent: z.number().int().min(1).default(8),
    })
    .default({ result_ttl_ms: 3_600_000, max_result_bytes: 1024 * 1024 * 1024, max_concurrent: 8 }),
  /**
   * Shared state for replicas (rate limits, result cache, edge registry).
   * Without it (and without REDIS_URL) everything is kept in this process.
   */
  redis: z
    .object({
      url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
      key_prefix: z.string().default('tributary:'),
      command_timeout_ms: z.number().int().min(10).default(500),
      connect_timeout_ms: z.number().int().min(100).default(5_000),
    })
    .optional(),
  rate_limits: rateLimits,
  result_cache: resultCache,
});

export type CoordinatorConfig = z.output<typeof coordinatorConfigSchema>;
export type CoordinatorConfigInput = z.input<typeof coordinatorConfigSchema>;
export type ApiKeyEntry = z.output<typeof apiKeyEntry>;
export type JwtConfig = z.output<typeof jwtConfig>;

export type RateLimitsConfig = z.output<typeof rateLimits>;
export type ResultCacheConfig = z.output<typeof resultCache>;

export function loadCoordinatorConfig(path: string, env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  const config = loadConfigFile(path, coordinatorConfigSchema);
  if (!config.redis && env.REDIS_URL) {
    config.redis = coordinatorConfigSchema.shape.redis.parse({ url: env.REDIS_URL });
  }
  if (config.auth.jwt?.jwks_file) config.auth.jwt.jwks_file = resolveFrom(path, config.auth.jwt.jwks_file);
  if (config.store.path !== ':memory:') config.store.path = resolveFrom(path, config.store.path);
  if (config.query_runs.results_dir) {
    config.query_runs.results_dir = resolveFrom(path, config.query_runs.results_dir);
  }
  if (config.federation.temp_directory) {
    config.federation.temp_directory = resolveFrom(path, config.federation.temp_directory);
  }
  if (config.policies.bootstrap_file) {
    config.policies.bootstrap_file = resolveFrom(path, config.policies.bootstrap_file);
  }
  for (const provider of config.agents.providers) {
    if (provider.api_key_file) provider.api_key_file = resolveFrom(path, provider.api_key_file);
  }
  if (!config.auth.jwt && config.auth.api_keys.length === 0) {
    throw new ConfigError(`invalid configuration ${path}: auth needs a jwt section or at least one api key`);
  }
  if (config.edges.expiry_ms <= config.edges.heartbeat_interval_ms) {
    throw new ConfigError(`invalid configuration ${path}: edges.expiry_ms must exceed heartbeat_interval_ms`);
  }
  return config;
}
