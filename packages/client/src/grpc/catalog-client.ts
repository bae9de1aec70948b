import type {
  CatalogServiceClient,
  ExplainAccessRequest__Input,
  ExplainAccessResponse,
  GetRecordsRequest__Input,
  GetTableRequest__Input,
  ListSourcesRequest__Input,
  ListSourcesResponse,
  ListTablesRequest__Input,
  ListTablesResponse,
  Table,
} from '@tributary/core';
import type { QueryResult } from '../result.js';
import type { CallOptions, GrpcCaller } from './caller.js';

/**
 * CatalogService: one method per RPC, taking and returning the messages of
 * `catalog.proto` (field names as in the contract). Every call only reads,
 * so each retries on passing failures; `getRecords` only until its first
 * message arrives.
 */
export class CatalogClient {
  constructor(private readonly rpc: GrpcCaller<CatalogServiceClient>) {}

  listSources(request: ListSourcesRequest__Input = {}, options?: CallOptions): Promise<ListSourcesResponse> {
    return this.rpc.unary('ListSources', request, 'read', options);
  }

  listTables(request: ListTablesRequest__Input = {}, options?: CallOptions): Promise<ListTablesResponse> {
    return this.rpc.unary('ListTables', request, 'read', options);
  }

  getTable(request: GetTableRequest__Input, options?: CallOptions): Promise<Table> {
    return this.rpc.unary('GetTable', request, 'read', options);
  }

  /** A preview of a table's rows, streamed as Arrow record batches. */
  getRecords(request: GetRecordsRequest__Input, options?: CallOptions): QueryResult {
    return this.rpc.resultStream('GetRecords', request, 'read', options);
  }

  /** What the caller may see of a table: readable, masked and denied columns, filters, policies. */
  explainAccess(request: ExplainAccessRequest__Input, options?: CallOptions): Promise<ExplainAccessResponse> {
    return this.rpc.unary('ExplainAccess', request, 'read', options);
  }
}
