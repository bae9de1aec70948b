import { type Server, type sendUnaryData, status } from '@grpc/grpc-js';
import {
  type CatalogServiceHandlers,
  type EdgeRegistryServiceHandlers,
  fromProtoValue,
  newRequestId,
  type QueryServiceHandlers,
  relayingService,
  toGrpcError,
  toTributaryError,
  tributaryV1,
} from '@tributary/core';
import type { CoordinatorServices } from '../../services/index.js';
import { adminHandlers } from './admin-handlers.js';
import { agentHandlers } from './agent-handlers.js';
import { rpcName, statusName } from './call-context.js';
import { resultStream, unary } from './handlers.js';
import { addReflection } from './reflection.js';

function catalogHandlers(services: CoordinatorServices): CatalogServiceHandlers {
  return {
    ListSources: unary(services, 'ListSources', async (ctx) => ({
      sources: await services.catalog.listSources(ctx),
    })),
    ListTables: unary(services, 'ListTables', (ctx, request) => services.catalog.listTables(ctx, request)),
    GetTable: unary(services, 'GetTable', (ctx, request) => services.catalog.getTable(ctx, request.table)),
    ExplainAccess: unary(services, 'ExplainAccess', (ctx, request) =>
      services.catalog.explainAccess(ctx, request.table),
    ),
    GetRecords: resultStream(services, 'GetRecords', (ctx, request) =>
      services.catalog.getRecords(ctx, {
        table: request.table,
        columns: request.columns,
        limit: Number(request.limit),
      }),
    ),
  };
}

function queryHandlers(services: CoordinatorServices): QueryServiceHandlers {
  return {
    ExecuteQuery: resultStream(services, 'ExecuteQuery', (ctx, request) =>
      services.query.execute(ctx, {
        sql: request.sql,
        params: request.params.map(fromProtoValue),
        limit: Number(request.limit),
      }),
    ),
    ValidateQuery: unary(services, 'ValidateQuery', (ctx, request) =>
      services.query.validate(ctx, request.sql, request.params.map(fromProtoValue)),
    ),
    BuildQuery: unary(services, 'BuildQuery', (ctx, request) => services.query.build(ctx, request)),
  };
}

/** Edges authenticate with the join token in the request instead of a user credential. */
function registryHandlers(services: CoordinatorServices): EdgeRegistryServiceHandlers {
  const run = async <T>(
    call: { getPath(): string },
    callback: sendUnaryData<T>,
    work: () => T | Promise<T>,
  ) => {
    const method = rpcName(call.getPath());
    try {
      const response = await work();
      services.metrics.grpcCalls.inc({ method, code: statusName(status.OK) });
      callback(null, response);
    } catch (error) {
      const failure = toTributaryError(error);
      if (failure.code === 'INTERNAL') services.logger.error({ err: error }, 'registry call failed');
      services.metrics.grpcCalls.inc({ method, code: statusName(failure.grpcStatus) });
      callback(toGrpcError(failure, newRequestId()) as Parameters<sendUnaryData<T>>[0]);
    }
  };
  return {
    Register: (call, callback) => void run(call, callback, () => services.registry.register(call.request)),
    Heartbeat: (call, callback) =>
      void run(call, callback, async () => ({
        known: await services.registry.heartbeat(
          call.request.join_token,
          call.request.edge_id,
          call.request.active_queries,
        ),
      })),
    Deregister: (call, callback) =>
      void run(call, callback, () => {
        services.registry.deregister(call.request.join_token, call.request.edge_id);
        return {};
      }),
  };
}

/** Adds every coordinator service, and server reflection, to a grpc-js server. */
export function addCoordinatorServices(server: Server, services: CoordinatorServices): void {
  const v1 = tributaryV1();
  // Result streams forward edge chunks byte-for-byte where they can.
  server.addService(relayingService(v1.CatalogService.service, ['GetRecords']), catalogHandlers(services));
  server.addService(relayingService(v1.QueryService.service, ['ExecuteQuery']), queryHandlers(services));
  server.addService(v1.EdgeRegistryService.service, registryHandlers(services));
  server.addService(v1.AdminService.service, adminHandlers(services));
  server.addService(v1.AgentService.service, agentHandlers(services));
  addReflection(server);
}
