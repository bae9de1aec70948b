import { credentials } from '@grpc/grpc-js';
import {
  type AdminServiceClient,
  type AgentServiceClient,
  type BuildQueryRequest__Input,
  type BuildQueryResponse,
  type CatalogServiceClient,
  GRPC_CHANNEL_OPTIONS,
  type ListTablesResponse,
  type QueryServiceClient,
  type SourceInfo,
  type SqlValue,
  type Table,
  TributaryError,
  tributaryV1,
  type ValidateQueryResponse,
} from '@tributary/core';
import {
  type Credentials,
  DEFAULT_UNARY_TIMEOUT_MS,
  type ListTablesOptions,
  requests,
} from './call-options.js';
import { AdminClient, AgentClient, type CallOptions, CatalogClient, GrpcCaller } from './grpc/index.js';
import type { QueryResult } from './result.js';
import type { RetryEvent, RetryOptions } from './retry/index.js';

export interface ClientOptions extends Credentials {
  /** Coordinator gRPC address, e.g. `localhost:50051`. */
  address: string;
  /** Default deadline of unary calls, retries included (ms). Default 30,000. */
  timeoutMs?: number;
  /**
   * Retries of calls that only read (catalog, validate, build, admin Get/List,
   * and queries that failed before their first message) on UNAVAILABLE and
   * rate limits. On by default; `false` turns them off.
   */
  retry?: RetryOptions | false;
  /** Observes each retry, e.g. to log it. */
  onRetry?: (event: RetryEvent & { method: string }) => void;
}

export interface QueryOptions extends CallOptions {
  /** Bound to `$1`, `$2`, … in order. */
  params?: SqlValue[];
  /** The result stops after this many rows; 0 or unset means no limit. */
  limit?: number;
}

/**
 * The typed Node client of the coordinator's gRPC API. Queries are its own
 * methods (`query`, `validate`, `build`); `catalog`, `admin` and `agents`
 * have one method per RPC of CatalogService, AdminService and AgentService.
 */
export class TributaryClient {
  readonly catalog: CatalogClient;
  readonly admin: AdminClient;
  readonly agents: AgentClient;
  private readonly queries: GrpcCaller<QueryServiceClient>;
  private readonly stubs: { close(): void }[];
  private readonly closing = new AbortController();

  constructor(options: ClientOptions) {
    const v1 = tributaryV1();
    const creds = credentials.createInsecure();
    const settings = {
      apiKey: options.apiKey,
      token: options.token,
      timeoutMs: options.timeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS,
      retry: options.retry,
      onRetry: options.onRetry,
      closed: this.closing.signal,
    };
    const query = new v1.QueryService(
      options.address,
      creds,
      GRPC_CHANNEL_OPTIONS,
    ) as unknown as QueryServiceClient;
    const catalog = new v1.CatalogService(
      options.address,
      creds,
      GRPC_CHANNEL_OPTIONS,
    ) as unknown as CatalogServiceClient;
    const admin = new v1.AdminService(
      options.address,
      creds,
      GRPC_CHANNEL_OPTIONS,
    ) as unknown as AdminServiceClient;
    const agents = new v1.AgentService(
      options.address,
      creds,
      GRPC_CHANNEL_OPTIONS,
    ) as unknown as AgentServiceClient;
    this.stubs = [query, catalog, admin, agents];
    this.queries = new GrpcCaller(query, settings);
    this.catalog = new CatalogClient(new GrpcCaller(catalog, settings));
    this.admin = new AdminClient(new GrpcCaller(admin, settings));
    this.agents = new AgentClient(new GrpcCaller(agents, settings));
  }

  /** Runs SQL; the result streams Arrow record batches as the coordinator sends them. */
  query(sql: string, options: QueryOptions = {}): QueryResult {
    return this.queries.resultStream('ExecuteQuery', requests.executeQuery(sql, options), 'read', options);
  }

  /** Parses, resolves and authorizes a query without running it. */
  validate(sql: string, params: SqlValue[] = [], options?: CallOptions): Promise<ValidateQueryResponse> {
    return this.queries.unary('ValidateQuery', requests.validateQuery(sql, params), 'read', options);
  }

  /** Turns a structured request into SQL with quoted identifiers and bound parameters. */
  build(request: BuildQueryRequest__Input, options?: CallOptions): Promise<BuildQueryResponse> {
    return this.queries.unary('BuildQuery', request, 'read', options);
  }

  /** Shorthand for `catalog.listSources()`, answering the list itself. */
  async listSources(options?: CallOptions): Promise<SourceInfo[]> {
    return (await this.catalog.listSources({}, options)).sources;
  }

  /** Shorthand for `catalog.listTables()` with camel-case options. */
  listTables(request: ListTablesOptions = {}, options?: CallOptions): Promise<ListTablesResponse> {
    return this.catalog.listTables(requests.listTables(request), options);
  }

  /** Shorthand for `catalog.getTable({ table })`. */
  getTable(table: string, options?: CallOptions): Promise<Table> {
    return this.catalog.getTable({ table }, options);
  }

  /** A preview of a table's rows; shorthand for `catalog.getRecords()`. */
  getRecords(table: string, options: CallOptions & { columns?: string[]; limit?: number } = {}): QueryResult {
    const { columns, limit, ...call } = options;
    return this.catalog.getRecords(requests.getRecords(table, { columns, limit }), call);
  }

  /** Closes the connections; calls still running or waiting to retry end with CANCELLED. */
  close(): void {
    this.closing.abort(new TributaryError('CANCELLED', 'the client is closed'));
    for (const stub of this.stubs) stub.close();
  }
}
