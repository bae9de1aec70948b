// The message and service types of the contract, re-exported under their
// proto names. Inputs (`__Input`) are what a sender may write; the plain
// names are what a receiver gets with PROTO_LOADER_OPTIONS.

export type { ArrowPayload, ArrowPayload__Input } from './generated/tributary/v1/ArrowPayload.js';
export type {
  BuildQueryRequest,
  BuildQueryRequest__Input,
} from './generated/tributary/v1/BuildQueryRequest.js';
export type {
  BuildQueryResponse,
  BuildQueryResponse__Input,
} from './generated/tributary/v1/BuildQueryResponse.js';
export type {
  CatalogServiceClient,
  CatalogServiceHandlers,
} from './generated/tributary/v1/CatalogService.js';
export type { Column, Column__Input } from './generated/tributary/v1/Column.js';
export type { ColumnRef, ColumnRef__Input } from './generated/tributary/v1/ColumnRef.js';
export type { EdgeQueryRequest, EdgeQueryRequest__Input } from './generated/tributary/v1/EdgeQueryRequest.js';
export type {
  EdgeRegistryServiceClient,
  EdgeRegistryServiceHandlers,
} from './generated/tributary/v1/EdgeRegistryService.js';
export type {
  EdgeServiceClient,
  EdgeServiceHandlers,
} from './generated/tributary/v1/EdgeService.js';
export type { ErrorInfo__Input } from './generated/tributary/v1/ErrorInfo.js';
export type {
  ExecuteQueryRequest,
  ExecuteQueryRequest__Input,
} from './generated/tributary/v1/ExecuteQueryRequest.js';
export type { Filter, Filter__Input } from './generated/tributary/v1/Filter.js';
export type { FilterOperator } from './generated/tributary/v1/FilterOperator.js';
export type { GetRecordsRequest } from './generated/tributary/v1/GetRecordsRequest.js';
export type { GetSchemaRequest } from './generated/tributary/v1/GetSchemaRequest.js';
export type {
  GetSchemaResponse,
  GetSchemaResponse__Input,
} from './generated/tributary/v1/GetSchemaResponse.js';
export type { ListTablesRequest } from './generated/tributary/v1/ListTablesRequest.js';
export type { ListTablesResponse__Input } from './generated/tributary/v1/ListTablesResponse.js';
export type { OrderBy } from './generated/tributary/v1/OrderBy.js';
export type { PingRequest } from './generated/tributary/v1/PingRequest.js';
export type { PingResponse, PingResponse__Input } from './generated/tributary/v1/PingResponse.js';
export type { QueryMetadata, QueryMetadata__Input } from './generated/tributary/v1/QueryMetadata.js';
export type {
  QueryResultChunk,
  QueryResultChunk__Input,
} from './generated/tributary/v1/QueryResultChunk.js';
export type {
  QueryServiceClient,
  QueryServiceHandlers,
} from './generated/tributary/v1/QueryService.js';
export type {
  RegisterEdgeRequest,
  RegisterEdgeRequest__Input,
} from './generated/tributary/v1/RegisterEdgeRequest.js';
export type {
  RegisterEdgeResponse,
  RegisterEdgeResponse__Input,
} from './generated/tributary/v1/RegisterEdgeResponse.js';
export type { Schema, Schema__Input } from './generated/tributary/v1/Schema.js';
export type { Source, Source__Input } from './generated/tributary/v1/Source.js';
export type { SourceHealth, SourceHealth__Input } from './generated/tributary/v1/SourceHealth.js';
export type { SourceInfo, SourceInfo__Input } from './generated/tributary/v1/SourceInfo.js';
export type { Table, Table__Input } from './generated/tributary/v1/Table.js';
export type { TableRef, TableRef__Input } from './generated/tributary/v1/TableRef.js';
export type {
  ValidateQueryResponse,
  ValidateQueryResponse__Input,
} from './generated/tributary/v1/ValidateQueryResponse.js';
export type { Value, Value__Input } from './generated/tributary/v1/Value.js';
