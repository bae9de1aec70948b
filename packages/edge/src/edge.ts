import { Server } from '@grpc/grpc-js';
import {
  bindServer,
  createLogger,
  GRPC_SERVER_OPTIONS,
  type Logger,
  ReadinessChecks,
  shutdownServer,
  splitHostPort,
  tributaryV1,
} from '@tributary/core';
import { QueryEngine } from '@tributary/engine';
import type { EdgeConfig } from './config/edge-config.js';
import { type RunningEdgeHttp, startEdgeHttp } from './http/index.js';
import { EdgeMetrics } from './metrics/index.js';
import { Registrar } from './registration/registrar.js';
import { discoverSchema } from './schema/discover.js';
import { EdgeSchema } from './schema/edge-schema.js';
import { edgeServiceHandlers } from './server/edge-service.js';
import { connectorFor, QueryRouter } from './sources/index.js';
import { CoordinatorTrust } from './trust/coordinator-trust.js';

export interface RunningEdge {
  /** The bound gRPC port (useful when configured with port 0). */
  port: number;
  /** The bound port of the metrics and health listener, when `http` is configured. */
  httpPort?: number;
  address: string;
  /**
   * Drains: deregisters, refuses new queries, lets running ones finish for
   * `graceMs` (default `shutdown_grace_ms`), then cancels the rest.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Starts an edge: prepares and locks DuckDB, discovers schemas, serves EdgeService and registers. */
export async function startEdge(config: EdgeConfig, logger?: Logger): Promise<RunningEdge> {
  const log = logger ?? createLogger({ service: 'edge' });
  const startedAt = Date.now();
  const connectors = config.sources.map(connectorFor);
  const engineOptions = {
    memoryLimit: config.engine.memory_limit,
    threads: config.engine.threads,
    queryTimeoutMs: config.engine.query_timeout_ms,
    maxConcurrentQueries: config.engine.max_concurrent_queries,
    allowedDirectories: connectors.flatMap((c) => c.readablePaths),
    tempDirectory: config.engine.temp_directory,
  };
  const engine = await QueryEngine.open(engineOptions, async (connection) => {
    for (const connector of connectors) await connector.attach(connection);
  });

  const metrics = new EdgeMetrics(engine);
  // Set once the registrar exists; a source discovered before then is in the first registration.
  let announce: () => void = () => undefined;
  const schema = await EdgeSchema.open({
    connectors,
    discover: () => metrics.timeDiscovery(() => discoverSchema(engine, connectors)),
    run: (sql) => engine.runTrusted(sql),
    // Registering again replaces this edge's registration, so every coordinator sees the new tables.
    onDiscovered: () => announce(),
    retry: { initialMs: config.discovery_retry.initial_ms, maxMs: config.discovery_retry.max_ms },
    logger: log,
  });
  const tableCount = schema.sources.flatMap((s) => s.schemas ?? []).flatMap((s) => s.tables ?? []).length;
  log.info({ sources: connectors.map((c) => c.name), tables: tableCount }, 'sources ready');

  const trust = new CoordinatorTrust();
  let accepting = true;
  const server = new Server(GRPC_SERVER_OPTIONS);
  server.addService(
    tributaryV1().EdgeService.service,
    edgeServiceHandlers({
      edgeName: config.name,
      engine,
      queries: new QueryRouter(engine, connectors, engineOptions, metrics),
      connectors,
      trust,
      logger: log,
      metrics,
      schema: () => schema.sources,
      refreshSchema: (sources, table) => schema.refresh(sources, table),
      startedAt,
      accepting: () => accepting,
    }),
  );
  const port = await bindServer(server, config.listen);
  const host = config.advertise_host ?? splitHostPort(config.listen).host;
  const advertisedHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const address = `${advertisedHost}:${port}`;

  const registrar = new Registrar({
    coordinatorAddress: config.coordinator.address,
    joinToken: config.coordinator.join_token,
    edgeName: config.name,
    advertisedAddress: address,
    sources: () => schema.sources,
    activeQueries: () => engine.activeQueries,
    trust,
    logger: log,
  });
  announce = () => registrar.announce();
  registrar.start();

  let http: RunningEdgeHttp | undefined;
  if (config.http) {
    // Ready when DuckDB answers, every source answers its probe, and the coordinator has accepted this edge.
    const readiness = new ReadinessChecks()
      .add('engine', async () => {
        await engine.runTrusted('SELECT 1');
        return { ok: true, detail: `${engine.activeQueries} running, ${engine.queuedQueries} waiting` };
      })
      .add('sources', async () => {
        const failures = (
          await Promise.all(
            connectors.map((c) =>
              c.probe().then(
                () => undefined,
                (error: Error) => `${c.name}: ${error.message}`,
              ),
            ),
          )
        ).filter((f) => f !== undefined);
        return failures.length === 0
          ? { ok: true, detail: `${connectors.length} source(s) reachable` }
          : { ok: false, detail: failures.join('; ') };
      })
      .add('accepting', () =>
        accepting ? { ok: true, detail: 'accepting queries' } : { ok: false, detail: 'draining' },
      )
      .add('coordinator', () =>
        registrar.registered
          ? { ok: true, detail: `registered with ${config.coordinator.address}` }
          : { ok: false, detail: `not registered with ${config.coordinator.address}` },
      );
    http = await startEdgeHttp({
      listen: config.http.listen,
      metrics: config.metrics,
      registry: metrics.registry,
      readiness,
      startedAt,
      logger: log,
    });
  }
  const httpPort = http?.port;
  log.info({ event: 'listening', grpcPort: port, httpPort, address }, 'edge listening');

  return {
    port,
    httpPort,
    address,
    async stop(graceMs = config.shutdown_grace_ms) {
      accepting = false;
      log.info({ graceMs, running: engine.activeQueries }, 'edge draining');
      schema.stop();
      // The coordinator stops routing here but lets running results finish.
      await registrar.stop();
      // Waits for running calls; after graceMs cancels them, which interrupts DuckDB.
      await shutdownServer(server, graceMs);
      await http?.close();
      await engine.close();
      log.info('edge stopped');
    },
  };
}
