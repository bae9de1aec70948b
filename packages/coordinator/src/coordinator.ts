import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Server } from '@grpc/grpc-js';
import {
  bindServer,
  createLogger,
  GRPC_SERVER_OPTIONS,
  type Logger,
  ReadinessChecks,
  shutdownServer,
  splitHostPort,
  TributaryError,
} from '@tributary/core';
import { QueryEngine } from '@tributary/engine';
import { AdminService, type PolicyDocumentValidator, SourceAdmin } from './admin/index.js';
import { AgentService, AgentTools, ProviderDirectory } from './agents/index.js';
import { AuditLog } from './audit/index.js';
import { Authenticator, bootstrapConfiguredIdentities } from './auth/index.js';
import { Catalog, EdgeProber, EdgeRegistry, EdgeTokenSigner } from './catalog/index.js';
import type { CoordinatorConfig } from './config/coordinator-config.js';
import { sourcesCheck, storeCheck } from './health/index.js';
import { EdgeSlots, RateLimits, TenantLimits } from './limits/index.js';
import { CoordinatorMetrics } from './metrics/index.js';
import { SqlCodec } from './policy/index.js';
import { SqlAnalyzer } from './query/analyze/index.js';
import { FragmentSizes } from './query/execute/fragment-sizes.js';
import { PlanCache } from './query/plan/plan-cache.js';
import { ResultCache } from './result-cache/index.js';
import { ResultFiles } from './runs/index.js';
import { SavedQueryService } from './saved-queries/index.js';
import { bootstrapPolicies } from './services/bootstrap-policies.js';
import { Governance } from './services/governance.js';
import {
  CatalogService,
  type CoordinatorServices,
  QueryAnalysis,
  QueryRunService,
  QueryService,
  RegistryService,
  RequestAdmission,
} from './services/index.js';
import { openSharedState, StoreChangeFeed } from './shared-state/index.js';
import { openStore, type PolicyVersionRecord } from './store/index.js';
import { addCoordinatorServices } from './transport/grpc/services.js';
import { type RunningGrpcWeb, startGrpcWeb } from './transport/grpc-web/index.js';
import { createHttpApp } from './transport/http/app.js';
import { startMcpServer } from './transport/mcp/index.js';

/** The built web console (`@tributary/console`'s dist/), when it is installed. */
function consoleDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@tributary/console/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

export interface RunningCoordinator {
  grpcPort: number;
  httpPort: number;
  mcpPort: number;
  /** Set when `grpc_web` is configured. */
  grpcWebPort?: number;
  /**
   * Drains: new queries are refused with UNAVAILABLE while running ones get
   * `graceMs` (default `shutdown_grace_ms`) to finish; the rest are cancelled.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Hooks for what the coordinator does not decide itself. */
export interface CoordinatorHooks {
  /** Checks a policy document before AdminService stores it (default: a JSON object). */
  validatePolicyDocument?: PolicyDocumentValidator;
  /** Told after a tenant's new policy version is stored. */
  onPolicyPublished?: (tenant: string, version: PolicyVersionRecord) => void;
}

/** Wires the coordinator: store, auth, catalog, services, then the gRPC, HTTP and MCP transports over them. */
export async function startCoordinator(
  config: CoordinatorConfig,
  logger?: Logger,
  hooks: CoordinatorHooks = {},
): Promise<RunningCoordinator> {
  const log = logger ?? createLogger({ service: 'coordinator' });
  const startedAt = Date.now();
  const shared = await openSharedState(config, log);
  const store = await openStore({ path: config.store.path, memoryLimit: config.store.memory_limit });
  if (config.store.path === ':memory:') {
    log.warn('store.path is :memory: — users, API keys, policies and the audit log are lost on restart');
  }
  await bootstrapConfiguredIdentities(store, config.tenant, config.auth.api_keys, log);
  let onRemoteStoreChange = () => {};
  const storeChanges = new StoreChangeFeed(store, shared.settings, () => onRemoteStoreChange());
  storeChanges.start();
  const audit = new AuditLog(store.audit, {
    logger: log,
    maxQueue: config.audit.queue_size,
    batchSize: config.audit.batch_size,
    flushIntervalMs: config.audit.flush_interval_ms,
  });
  audit.start();
  const signer = await EdgeTokenSigner.create(shared.settings, log);
  const registry = new EdgeRegistry(
    signer,
    config.edges.expiry_ms,
    log,
    config.edges.connect_timeout_ms,
    config.edges.heartbeat_interval_ms,
    shared.edges,
  );
  registry.start();
  shared.onReconnect(() => {
    void signer.share(shared.settings).catch(() => undefined);
    void registry.restoreShared();
  });
  const prober = new EdgeProber(
    registry,
    config.edges.heartbeat_interval_ms,
    config.edges.connect_timeout_ms,
    log,
  );
  prober.start();
  const sourceAdmin = new SourceAdmin(registry, log);
  const schemaRefresh =
    config.edges.schema_refresh_interval_ms > 0
      ? setInterval(() => void sourceAdmin.refreshAll(), config.edges.schema_refresh_interval_ms)
      : undefined;
  schemaRefresh?.unref();
  const catalog = new Catalog(registry);
  const metrics = new CoordinatorMetrics({
    edges: () => registry.list().map((edge) => ({ ...edge, healthy: edge.down === undefined })),
    sources: () =>
      catalog.snapshot().sources.map((s) => ({ name: String(s.name), edges: s.edges?.length ?? 0 })),
    audit: () => ({ pending: audit.pending, dropped: audit.dropped }),
  });
  // Every dependency a coordinator needs before it takes traffic; a shared
  // cache or other backing service adds its own check here.
  const readiness = new ReadinessChecks()
    .add('store', storeCheck(store, config.tenant))
    .add('sources', sourcesCheck(catalog, registry));
  const analyzer = await SqlAnalyzer.create();
  const codec = await SqlCodec.open();
  const governance = new Governance(store, codec, catalog);
  onRemoteStoreChange = () => governance.invalidateAll();
  await bootstrapPolicies(
    store,
    config.tenant,
    config.policies.bootstrap_file,
    (document) => governance.validateDocument(document),
    log,
  );
  const rateLimits = new RateLimits(config.rate_limits, shared);
  const cache = new ResultCache(config.result_cache, shared.blobs, log);
  const federation = await openFederationEngine(config);
  const query = new QueryService({
    federation: {
      codec,
      engine: federation.engine,
      sizes: new FragmentSizes(config.federation.fragment_sizes_ttl_ms),
      plans: new PlanCache(codec),
    },
    analysis: new QueryAnalysis(analyzer, catalog),
    governance,
    catalog,
    registry,
    limits: new TenantLimits(
      store.tenants,
      {
        maxRows: config.limits.max_rows,
        maxBytes: config.limits.max_bytes,
        maxExecutionMs: config.limits.max_execution_ms,
        maxConcurrentPerEdge: config.limits.max_concurrent_queries_per_edge,
      },
      () => storeChanges.generation,
    ),
    slots: new EdgeSlots(),
    config: config.query,
    audit,
    metrics,
    rateLimits,
    cache,
  });
  const results = await openResultsDir(config);
  const runs = new QueryRunService({
    query,
    store: shared.runs,
    results: results.files,
    settings: {
      resultTtlMs: config.query_runs.result_ttl_ms,
      maxResultBytes: config.query_runs.max_result_bytes,
      maxConcurrent: config.query_runs.max_concurrent,
    },
    logger: log,
  });
  await runs.start();
  // Reported, but not required: without Redis this replica still serves,
  // counting limits and caching results in the process (status "degraded").
  if (shared.health().backend === 'redis') {
    readiness.addAdvisory('redis', () => {
      const health = shared.health();
      return { ok: health.ok, detail: health.detail };
    });
  }
  cache.onOutcome((outcome) => {
    if (outcome === 'hit' || outcome === 'miss') metrics.resultCacheRequests.inc({ outcome });
  });
  rateLimits.onRejection((tier) => metrics.rateLimitRejections.inc({ tier }));
  readiness.add('accepting', () =>
    query.accepting ? { ok: true, detail: 'accepting queries' } : { ok: false, detail: 'shutting down' },
  );
  const savedQueries = new SavedQueryService({
    store: store.savedQueries,
    audit,
    checkSql: async (ctx, sql) => {
      // Syntax and statement kind only: tables may appear later, and each executor is governed.
      const checked = await query.validate(ctx, sql, []);
      if (!checked.valid && checked.error?.code === 'INVALID_ARGUMENT') {
        throw TributaryError.invalid(`sql: ${checked.error.message}`, { position: checked.error.position });
      }
    },
  });
  const catalogService = new CatalogService(catalog, query, governance);
  const agents = new AgentService({
    store,
    audit,
    tools: new AgentTools({ query, catalog: catalogService, savedQueries }),
    providers: new ProviderDirectory(config.agents.providers, config.tenant),
    config: config.agents,
    tiers: Object.keys(config.rate_limits.tiers),
  });
  await agents.start();
  const services: CoordinatorServices = {
    admission: new RequestAdmission(
      new Authenticator(config, {
        store: {
          users: store.users,
          apiKeys: store.apiKeys,
          get generation() {
            return storeChanges.generation;
          },
        },
        agents: async (tenant, agentId, owner) => {
          const agent = await store.agents.get(tenant, agentId);
          if (!agent || agent.owner !== owner) return undefined;
          return { id: agent.id, scope: agent.scope, rateLimitTier: agent.rateLimitTier };
        },
        logger: log,
        revocations: shared.revocations,
        onFailure: (reason) => metrics.authFailures.inc({ reason }),
      }),
      rateLimits,
    ),
    query,
    runs,
    savedQueries,
    catalog: catalogService,
    registry: new RegistryService(registry, signer, config.edges),
    admin: new AdminService({
      store,
      audit,
      revocations: shared.revocations,
      sources: sourceAdmin,
      validatePolicyDocument:
        hooks.validatePolicyDocument ?? ((document) => governance.validateDocument(document)),
      onPolicyPublished: (tenant, version) => {
        governance.invalidate(tenant);
        hooks.onPolicyPublished?.(tenant, version);
      },
    }),
    agents,
    logger: log,
    metrics,
    health: { startedAt, readiness },
  };

  const grpcServer = new Server(GRPC_SERVER_OPTIONS);
  addCoordinatorServices(grpcServer, services);
  const grpcPort = await bindServer(grpcServer, config.grpc.listen);

  let grpcWeb: RunningGrpcWeb | undefined;
  if (config.grpc_web) {
    const grpcHost = splitHostPort(config.grpc.listen).host;
    const loopback = ['0.0.0.0', '::', '[::]', ''].includes(grpcHost) ? '127.0.0.1' : grpcHost;
    grpcWeb = await startGrpcWeb({
      listen: config.grpc_web.listen,
      allowedOrigins: config.grpc_web.allowed_origins,
      upstream: `${loopback}:${grpcPort}`,
      maxRequestBytes: config.grpc_web.max_request_bytes,
      logger: log,
    });
  }
  const grpcWebPort = grpcWeb?.port;
  const http = createHttpApp(services, {
    maxBodyBytes: config.http.max_body_bytes,
    logger: log,
    metrics: config.metrics,
    console: config.console.enabled
      ? { dir: consoleDir(), grpcWebUrl: config.console.grpc_web_url, grpcWebPort }
      : undefined,
  });
  const { host, port } = splitHostPort(config.http.listen);
  await http.listen({ host, port });
  const httpAddress = http.server.address();
  const httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : port;
  const mcp = await startMcpServer(services, {
    listen: config.mcp.listen,
    maxBodyBytes: config.mcp.max_body_bytes,
    logger: log,
  });
  const mcpPort = mcp.port;
  log.info({ event: 'listening', grpcPort, httpPort, mcpPort, grpcWebPort }, 'coordinator listening');

  return {
    grpcPort,
    httpPort,
    mcpPort,
    grpcWebPort,
    async stop(graceMs = config.shutdown_grace_ms) {
      log.info({ graceMs, running: query.runningQueries }, 'coordinator draining');
      await agents.stopAll();
      await query.drain(graceMs);
      // Every query has ended: what is left are short calls.
      await Promise.all([shutdownServer(grpcServer, 1_000), http.close(), mcp.close(), grpcWeb?.close()]);
      prober.stop();
      await runs.stop();
      await results.dispose();
      clearInterval(schemaRefresh);
      registry.stop();
      await analyzer.close();
      codec.close();
      await federation.dispose();
      // After the transports: every query has ended and recorded its outcome.
      await audit.stop();
      await store.close();
      storeChanges.stop();
      await shared.close();
      log.info('coordinator stopped');
    },
  };
}

/**
 * The coordinator's DuckDB for queries spanning edges: no file access, no
 * extensions, configuration locked; spills to the configured directory or
 * to a temporary one removed on stop.
 */
async function openFederationEngine(
  config: CoordinatorConfig,
): Promise<{ engine: QueryEngine; dispose(): Promise<void> }> {
  const settings = config.federation;
  const owned = settings.temp_directory ? undefined : await mkdtemp(join(tmpdir(), 'tributary-federation-'));
  const tempDirectory = settings.temp_directory ?? (owned as string);
  const engine = await QueryEngine.open({
    memoryLimit: settings.memory_limit,
    threads: settings.threads,
    queryTimeoutMs: config.query.timeout_ms,
    maxConcurrentQueries: settings.max_concurrent,
    allowedDirectories: [],
    tempDirectory,
    maxTempDirectorySize: settings.max_temp_directory_size,
  });
  return {
    engine,
    async dispose() {
      await engine.close();
      if (owned) await rm(owned, { recursive: true, force: true });
    },
  };
}

/**
 * The directory for query-run results: configured, or beside the store
 * file, or (store in memory) a temporary one removed on stop.
 */
async function openResultsDir(
  config: CoordinatorConfig,
): Promise<{ files: ResultFiles; dispose(): Promise<void> }> {
  if (config.query_runs.results_dir || config.store.path !== ':memory:') {
    const dir = config.query_runs.results_dir ?? join(dirname(config.store.path), 'query-results');
    return { files: await ResultFiles.open(dir), dispose: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), 'tributary-results-'));
  return {
    files: await ResultFiles.open(dir),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
