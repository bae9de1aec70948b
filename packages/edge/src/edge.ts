import { Server } from '@grpc/grpc-js';
import {
  bindServer,
  createLogger,
  GRPC_SERVER_OPTIONS,
  type Logger,
  type Source__Input,
  shutdownServer,
  splitHostPort,
  tributaryV1,
} from '@tributary/core';
import { QueryEngine } from '@tributary/engine';
import type { EdgeConfig } from './config/edge-config.js';
import { Registrar } from './registration/registrar.js';
import { discoverSchema } from './schema/discover.js';
import { edgeServiceHandlers } from './server/edge-service.js';
import { connectorFor } from './sources/index.js';
import { CoordinatorTrust } from './trust/coordinator-trust.js';

export interface RunningEdge {
  /** The bound gRPC port (useful when configured with port 0). */
  port: number;
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
  const connectors = config.sources.map(connectorFor);
  const engine = await QueryEngine.open(
    {
      memoryLimit: config.engine.memory_limit,
      threads: config.engine.threads,
      queryTimeoutMs: config.engine.query_timeout_ms,
      maxConcurrentQueries: config.engine.max_concurrent_queries,
      allowedDirectories: connectors.flatMap((c) => c.readablePaths),
      tempDirectory: config.engine.temp_directory,
    },
    async (connection) => {
      for (const connector of connectors) await connector.attach(connection);
    },
  );

  let schema: Source__Input[] = await discoverSchema(engine, connectors);
  const tableCount = schema.flatMap((s) => s.schemas ?? []).flatMap((s) => s.tables ?? []).length;
  log.info({ sources: connectors.map((c) => c.name), tables: tableCount }, 'sources ready');

  const trust = new CoordinatorTrust();
  let accepting = true;
  const server = new Server(GRPC_SERVER_OPTIONS);
  server.addService(
    tributaryV1().EdgeService.service,
    edgeServiceHandlers({
      edgeName: config.name,
      engine,
      connectors,
      trust,
      logger: log,
      schema: () => schema,
      refreshSchema: async () => {
        schema = await discoverSchema(engine, connectors);
        return schema;
      },
      startedAt: Date.now(),
      accepting: () => accepting,
    }),
  );
  const port = await bindServer(server, config.listen);
  const host = config.advertise_host ?? splitHostPort(config.listen).host;
  const advertisedHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const address = `${advertisedHost}:${port}`;
  log.info({ event: 'listening', grpcPort: port, address }, 'edge listening');

  const registrar = new Registrar({
    coordinatorAddress: config.coordinator.address,
    joinToken: config.coordinator.join_token,
    edgeName: config.name,
    advertisedAddress: address,
    sources: () => schema,
    activeQueries: () => engine.activeQueries,
    trust,
    logger: log,
  });
  registrar.start();

  return {
    port,
    address,
    async stop(graceMs = config.shutdown_grace_ms) {
      accepting = false;
      log.info({ graceMs, running: engine.activeQueries }, 'edge draining');
      // The coordinator stops routing here but lets running results finish.
      await registrar.stop();
      // Waits for running calls; after graceMs cancels them, which interrupts DuckDB.
      await shutdownServer(server, graceMs);
      await engine.close();
      log.info('edge stopped');
    },
  };
}
