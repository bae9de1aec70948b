import { Server } from '@grpc/grpc-js';
import {
  bindServer,
  createLogger,
  GRPC_SERVER_OPTIONS,
  type Logger,
  shutdownServer,
  splitHostPort,
} from '@tributary/core';
import { Authenticator } from './auth/index.js';
import { Catalog, EdgeRegistry, EdgeTokenSigner } from './catalog/index.js';
import type { CoordinatorConfig } from './config/coordinator-config.js';
import { SqlAnalyzer } from './query/analyze/index.js';
import {
  CatalogService,
  type CoordinatorServices,
  QueryAnalysis,
  QueryService,
  RegistryService,
} from './services/index.js';
import { addCoordinatorServices } from './transport/grpc/services.js';
import { createHttpApp } from './transport/http/app.js';

export interface RunningCoordinator {
  grpcPort: number;
  httpPort: number;
  stop(graceMs?: number): Promise<void>;
}

/** Wires the coordinator: auth, catalog, services, then the gRPC and HTTP transports over them. */
export async function startCoordinator(
  config: CoordinatorConfig,
  logger?: Logger,
): Promise<RunningCoordinator> {
  const log = logger ?? createLogger({ service: 'coordinator' });
  const signer = await EdgeTokenSigner.create();
  const registry = new EdgeRegistry(signer, config.edges.expiry_ms, log);
  registry.start();
  const catalog = new Catalog(registry);
  const analyzer = await SqlAnalyzer.create();
  const query = new QueryService({
    analysis: new QueryAnalysis(analyzer, catalog),
    catalog,
    registry,
    config: config.query,
  });
  const services: CoordinatorServices = {
    authenticator: new Authenticator(config),
    query,
    catalog: new CatalogService(catalog, query),
    registry: new RegistryService(registry, signer, config.edges),
    logger: log,
    readiness() {
      const snapshot = catalog.snapshot();
      const edges = registry.list();
      const checks = {
        edges: { ok: edges.length > 0, detail: `${edges.length} registered` },
        sources: { ok: snapshot.sources.length > 0, detail: `${snapshot.sources.length} available` },
      };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },
  };

  const grpcServer = new Server(GRPC_SERVER_OPTIONS);
  addCoordinatorServices(grpcServer, services);
  const grpcPort = await bindServer(grpcServer, config.grpc.listen);

  const http = createHttpApp(services, { maxBodyBytes: config.http.max_body_bytes, logger: log });
  const { host, port } = splitHostPort(config.http.listen);
  await http.listen({ host, port });
  const httpAddress = http.server.address();
  const httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : port;
  log.info({ event: 'listening', grpcPort, httpPort }, 'coordinator listening');

  return {
    grpcPort,
    httpPort,
    async stop(graceMs = 5_000) {
      await Promise.all([shutdownServer(grpcServer, graceMs), http.close()]);
      registry.stop();
      await analyzer.close();
      log.info('coordinator stopped');
    },
  };
}
