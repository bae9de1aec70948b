import { credentials, Metadata } from '@grpc/grpc-js';
import {
  type BuildQueryRequest__Input,
  type BuildQueryResponse,
  type CatalogServiceClient,
  fromGrpcError,
  GRPC_CHANNEL_OPTIONS,
  type ListTablesResponse__Input,
  type QueryServiceClient,
  readClientStream,
  type SourceInfo,
  type SqlValue,
  type Table,
  toProtoValue,
  tributaryV1,
  type ValidateQueryResponse,
} from '@tributary/core';
import { QueryResult } from './result.js';

export interface ClientOptions {
  /** Coordinator gRPC address, e.g. `localhost:50051`. */
  address: string;
  apiKey?: string;
  /** A JWT; sent as `authorization: Bearer`. */
  token?: string;
  /** Per-call deadline for unary calls (ms). */
  timeoutMs?: number;
}

export interface QueryOptions {
  params?: SqlValue[];
  limit?: number;
  signal?: AbortSignal;
  /** Deadline for the whole streaming call (ms). */
  timeoutMs?: number;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: unknown, response?: Res) => void,
) => unknown;

/** The typed Node client of the coordinator's gRPC API. */
export class TributaryClient {
  private readonly query$: QueryServiceClient;
  private readonly catalog$: CatalogServiceClient;

  constructor(private readonly options: ClientOptions) {
    const v1 = tributaryV1();
    const creds = credentials.createInsecure();
    this.query$ = new v1.QueryService(
      options.address,
      creds,
      GRPC_CHANNEL_OPTIONS,
    ) as unknown as QueryServiceClient;
    this.catalog$ = new v1.CatalogService(
      options.address,
      creds,
      GRPC_CHANNEL_OPTIONS,
    ) as unknown as CatalogServiceClient;
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    if (this.options.apiKey) metadata.set('x-api-key', this.options.apiKey);
    if (this.options.token) metadata.set('authorization', `Bearer ${this.options.token}`);
    return metadata;
  }

  private unary<Req, Res>(method: Unary<Req, Res>, client: object, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(
        client,
        request,
        this.metadata(),
        { deadline: Date.now() + (this.options.timeoutMs ?? 30_000) },
        (error, response) => (error ? reject(fromGrpcError(error)) : resolve(response as Res)),
      );
    });
  }

  /** Runs SQL; the result streams Arrow record batches as the coordinator sends them. */
  query(sql: string, options: QueryOptions = {}): QueryResult {
    const call = this.query$.ExecuteQuery(
      { sql, params: (options.params ?? []).map(toProtoValue), limit: options.limit ?? 0 },
      this.metadata(),
      options.timeoutMs ? { deadline: Date.now() + options.timeoutMs } : {},
    );
    options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
    return new QueryResult(readClientStream(call), () => call.cancel());
  }

  validate(sql: string, params: SqlValue[] = []): Promise<ValidateQueryResponse> {
    return this.unary(this.query$.ValidateQuery as Unary<unknown, ValidateQueryResponse>, this.query$, {
      sql,
      params: params.map(toProtoValue),
    });
  }

  build(request: BuildQueryRequest__Input): Promise<BuildQueryResponse> {
    return this.unary(this.query$.BuildQuery as Unary<unknown, BuildQueryResponse>, this.query$, request);
  }

  async listSources(): Promise<SourceInfo[]> {
    const response = await this.unary(
      this.catalog$.ListSources as Unary<unknown, { sources: SourceInfo[] }>,
      this.catalog$,
      {},
    );
    return response.sources;
  }

  listTables(
    request: {
      source?: string;
      schema?: string;
      filter?: string;
      pageSize?: number;
      pageToken?: string;
    } = {},
  ) {
    return this.unary(
      this.catalog$.ListTables as Unary<
        unknown,
        ListTablesResponse__Input & { tables: Table[]; next_page_token: string }
      >,
      this.catalog$,
      {
        source: request.source ?? '',
        schema: request.schema ?? '',
        filter: request.filter ?? '',
        page_size: request.pageSize ?? 0,
        page_token: request.pageToken ?? '',
      },
    );
  }

  getTable(table: string): Promise<Table> {
    return this.unary(this.catalog$.GetTable as Unary<unknown, Table>, this.catalog$, { table });
  }

  /** A preview of a table's rows. */
  getRecords(table: string, options: { columns?: string[]; limit?: number } = {}): QueryResult {
    const call = this.catalog$.GetRecords(
      { table, columns: options.columns ?? [], limit: options.limit ?? 0 },
      this.metadata(),
    );
    return new QueryResult(readClientStream(call), () => call.cancel());
  }

  close(): void {
    this.query$.close();
    this.catalog$.close();
  }
}
