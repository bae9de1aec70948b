// The message and service types of the contract, re-exported under their
// proto names. Inputs (`__Input`) are what a sender may write; the plain
// names are what a receiver gets with PROTO_LOADER_OPTIONS.

export type { AdminAudit, AdminAudit__Input } from './generated/tributary/v1/AdminAudit.js';
export type { AdminServiceClient, AdminServiceHandlers } from './generated/tributary/v1/AdminService.js';
export type { ApiKey, ApiKey__Input } from './generated/tributary/v1/ApiKey.js';
export type { ArrowPayload, ArrowPayload__Input } from './generated/tributary/v1/ArrowPayload.js';
export type { AuditRecord, AuditRecord__Input } from './generated/tributary/v1/AuditRecord.js';
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
export type { ColumnAccessInfo, ColumnAccessInfo__Input } from './generated/tributary/v1/ColumnAccessInfo.js';
export type { ColumnRef, ColumnRef__Input } from './generated/tributary/v1/ColumnRef.js';
export type { ColumnTags, ColumnTags__Input } from './generated/tributary/v1/ColumnTags.js';
export type {
  CreateApiKeyRequest,
  CreateApiKeyRequest__Input,
} from './generated/tributary/v1/CreateApiKeyRequest.js';
export type {
  CreateApiKeyResponse,
  CreateApiKeyResponse__Input,
} from './generated/tributary/v1/CreateApiKeyResponse.js';
export type {
  CreateGroupRequest,
  CreateGroupRequest__Input,
} from './generated/tributary/v1/CreateGroupRequest.js';
export type {
  CreateRoleRequest,
  CreateRoleRequest__Input,
} from './generated/tributary/v1/CreateRoleRequest.js';
export type {
  CreateUserRequest,
  CreateUserRequest__Input,
} from './generated/tributary/v1/CreateUserRequest.js';
export type {
  DeleteGroupRequest,
  DeleteGroupRequest__Input,
} from './generated/tributary/v1/DeleteGroupRequest.js';
export type {
  DeleteGroupResponse,
  DeleteGroupResponse__Input,
} from './generated/tributary/v1/DeleteGroupResponse.js';
export type {
  DeleteRoleRequest,
  DeleteRoleRequest__Input,
} from './generated/tributary/v1/DeleteRoleRequest.js';
export type {
  DeleteRoleResponse,
  DeleteRoleResponse__Input,
} from './generated/tributary/v1/DeleteRoleResponse.js';
export type {
  DeleteUserRequest,
  DeleteUserRequest__Input,
} from './generated/tributary/v1/DeleteUserRequest.js';
export type {
  DeleteUserResponse,
  DeleteUserResponse__Input,
} from './generated/tributary/v1/DeleteUserResponse.js';
export type {
  DeregisterRequest,
  DeregisterRequest__Input,
} from './generated/tributary/v1/DeregisterRequest.js';
export type {
  DeregisterResponse,
  DeregisterResponse__Input,
} from './generated/tributary/v1/DeregisterResponse.js';
export type { EdgeQueryRequest, EdgeQueryRequest__Input } from './generated/tributary/v1/EdgeQueryRequest.js';
export type {
  EdgeRegistryServiceClient,
  EdgeRegistryServiceHandlers,
} from './generated/tributary/v1/EdgeRegistryService.js';
export type { EdgeServiceClient, EdgeServiceHandlers } from './generated/tributary/v1/EdgeService.js';
export type { ErrorInfo, ErrorInfo__Input } from './generated/tributary/v1/ErrorInfo.js';
export type {
  ExecuteQueryRequest,
  ExecuteQueryRequest__Input,
} from './generated/tributary/v1/ExecuteQueryRequest.js';
export type {
  ExplainAccessRequest,
  ExplainAccessRequest__Input,
} from './generated/tributary/v1/ExplainAccessRequest.js';
export type {
  ExplainAccessResponse,
  ExplainAccessResponse__Input,
} from './generated/tributary/v1/ExplainAccessResponse.js';
export type { Filter, Filter__Input } from './generated/tributary/v1/Filter.js';
export type { FilterOperator, FilterOperator__Input } from './generated/tributary/v1/FilterOperator.js';
export type { GetGroupRequest, GetGroupRequest__Input } from './generated/tributary/v1/GetGroupRequest.js';
export type {
  GetPoliciesRequest,
  GetPoliciesRequest__Input,
} from './generated/tributary/v1/GetPoliciesRequest.js';
export type {
  GetPolicyVersionRequest,
  GetPolicyVersionRequest__Input,
} from './generated/tributary/v1/GetPolicyVersionRequest.js';
export type {
  GetRecordsRequest,
  GetRecordsRequest__Input,
} from './generated/tributary/v1/GetRecordsRequest.js';
export type { GetSchemaRequest, GetSchemaRequest__Input } from './generated/tributary/v1/GetSchemaRequest.js';
export type {
  GetSchemaResponse,
  GetSchemaResponse__Input,
} from './generated/tributary/v1/GetSchemaResponse.js';
export type {
  GetSourceHealthRequest,
  GetSourceHealthRequest__Input,
} from './generated/tributary/v1/GetSourceHealthRequest.js';
export type {
  GetSourceHealthResponse,
  GetSourceHealthResponse__Input,
} from './generated/tributary/v1/GetSourceHealthResponse.js';
export type { GetTableRequest, GetTableRequest__Input } from './generated/tributary/v1/GetTableRequest.js';
export type { GetTenantRequest, GetTenantRequest__Input } from './generated/tributary/v1/GetTenantRequest.js';
export type { GetUserRequest, GetUserRequest__Input } from './generated/tributary/v1/GetUserRequest.js';
export type { Group, Group__Input } from './generated/tributary/v1/Group.js';
export type { HeartbeatRequest, HeartbeatRequest__Input } from './generated/tributary/v1/HeartbeatRequest.js';
export type {
  HeartbeatResponse,
  HeartbeatResponse__Input,
} from './generated/tributary/v1/HeartbeatResponse.js';
export type {
  ListApiKeysRequest,
  ListApiKeysRequest__Input,
} from './generated/tributary/v1/ListApiKeysRequest.js';
export type {
  ListApiKeysResponse,
  ListApiKeysResponse__Input,
} from './generated/tributary/v1/ListApiKeysResponse.js';
export type {
  ListAuditRecordsRequest,
  ListAuditRecordsRequest__Input,
} from './generated/tributary/v1/ListAuditRecordsRequest.js';
export type {
  ListAuditRecordsResponse,
  ListAuditRecordsResponse__Input,
} from './generated/tributary/v1/ListAuditRecordsResponse.js';
export type {
  ListGroupsRequest,
  ListGroupsRequest__Input,
} from './generated/tributary/v1/ListGroupsRequest.js';
export type {
  ListGroupsResponse,
  ListGroupsResponse__Input,
} from './generated/tributary/v1/ListGroupsResponse.js';
export type {
  ListPolicyVersionsRequest,
  ListPolicyVersionsRequest__Input,
} from './generated/tributary/v1/ListPolicyVersionsRequest.js';
export type {
  ListPolicyVersionsResponse,
  ListPolicyVersionsResponse__Input,
} from './generated/tributary/v1/ListPolicyVersionsResponse.js';
export type { ListRolesRequest, ListRolesRequest__Input } from './generated/tributary/v1/ListRolesRequest.js';
export type {
  ListRolesResponse,
  ListRolesResponse__Input,
} from './generated/tributary/v1/ListRolesResponse.js';
export type {
  ListSourcesRequest,
  ListSourcesRequest__Input,
} from './generated/tributary/v1/ListSourcesRequest.js';
export type {
  ListSourcesResponse,
  ListSourcesResponse__Input,
} from './generated/tributary/v1/ListSourcesResponse.js';
export type {
  ListTablesRequest,
  ListTablesRequest__Input,
} from './generated/tributary/v1/ListTablesRequest.js';
export type {
  ListTablesResponse,
  ListTablesResponse__Input,
} from './generated/tributary/v1/ListTablesResponse.js';
export type { ListTagsRequest, ListTagsRequest__Input } from './generated/tributary/v1/ListTagsRequest.js';
export type { ListTagsResponse, ListTagsResponse__Input } from './generated/tributary/v1/ListTagsResponse.js';
export type { ListUsersRequest, ListUsersRequest__Input } from './generated/tributary/v1/ListUsersRequest.js';
export type {
  ListUsersResponse,
  ListUsersResponse__Input,
} from './generated/tributary/v1/ListUsersResponse.js';
export type { OrderBy, OrderBy__Input } from './generated/tributary/v1/OrderBy.js';
export type { PingRequest, PingRequest__Input } from './generated/tributary/v1/PingRequest.js';
export type { PingResponse, PingResponse__Input } from './generated/tributary/v1/PingResponse.js';
export type { PlanFragment, PlanFragment__Input } from './generated/tributary/v1/PlanFragment.js';
export type { PolicyDocument, PolicyDocument__Input } from './generated/tributary/v1/PolicyDocument.js';
export type { PolicyVersion, PolicyVersion__Input } from './generated/tributary/v1/PolicyVersion.js';
export type {
  PutPoliciesRequest,
  PutPoliciesRequest__Input,
} from './generated/tributary/v1/PutPoliciesRequest.js';
export type { PutTagsRequest, PutTagsRequest__Input } from './generated/tributary/v1/PutTagsRequest.js';
export type { QueryAudit, QueryAudit__Input } from './generated/tributary/v1/QueryAudit.js';
export type { QueryMetadata, QueryMetadata__Input } from './generated/tributary/v1/QueryMetadata.js';
export type { QueryPlan, QueryPlan__Input } from './generated/tributary/v1/QueryPlan.js';
export type { QueryResultChunk, QueryResultChunk__Input } from './generated/tributary/v1/QueryResultChunk.js';
export type { QueryServiceClient, QueryServiceHandlers } from './generated/tributary/v1/QueryService.js';
export type {
  RefreshSchemaRequest,
  RefreshSchemaRequest__Input,
} from './generated/tributary/v1/RefreshSchemaRequest.js';
export type {
  RefreshSchemaResponse,
  RefreshSchemaResponse__Input,
} from './generated/tributary/v1/RefreshSchemaResponse.js';
export type {
  RegisterEdgeRequest,
  RegisterEdgeRequest__Input,
} from './generated/tributary/v1/RegisterEdgeRequest.js';
export type {
  RegisterEdgeResponse,
  RegisterEdgeResponse__Input,
} from './generated/tributary/v1/RegisterEdgeResponse.js';
export type {
  RevokeApiKeyRequest,
  RevokeApiKeyRequest__Input,
} from './generated/tributary/v1/RevokeApiKeyRequest.js';
export type {
  RevokeTokensRequest,
  RevokeTokensRequest__Input,
} from './generated/tributary/v1/RevokeTokensRequest.js';
export type {
  RevokeTokensResponse,
  RevokeTokensResponse__Input,
} from './generated/tributary/v1/RevokeTokensResponse.js';
export type { Role, Role__Input } from './generated/tributary/v1/Role.js';
export type {
  RotateApiKeyRequest,
  RotateApiKeyRequest__Input,
} from './generated/tributary/v1/RotateApiKeyRequest.js';
export type {
  RotateApiKeyResponse,
  RotateApiKeyResponse__Input,
} from './generated/tributary/v1/RotateApiKeyResponse.js';
export type { Schema, Schema__Input } from './generated/tributary/v1/Schema.js';
export type { Source, Source__Input } from './generated/tributary/v1/Source.js';
export type { SourceEdgeHealth, SourceEdgeHealth__Input } from './generated/tributary/v1/SourceEdgeHealth.js';
export type { SourceHealth, SourceHealth__Input } from './generated/tributary/v1/SourceHealth.js';
export type { SourceInfo, SourceInfo__Input } from './generated/tributary/v1/SourceInfo.js';
export type { Table, Table__Input } from './generated/tributary/v1/Table.js';
export type { TableAccessInfo, TableAccessInfo__Input } from './generated/tributary/v1/TableAccessInfo.js';
export type { TableRef, TableRef__Input } from './generated/tributary/v1/TableRef.js';
export type { TableTags, TableTags__Input } from './generated/tributary/v1/TableTags.js';
export type { Tenant, Tenant__Input } from './generated/tributary/v1/Tenant.js';
export type {
  UpdateGroupRequest,
  UpdateGroupRequest__Input,
} from './generated/tributary/v1/UpdateGroupRequest.js';
export type {
  UpdateRoleRequest,
  UpdateRoleRequest__Input,
} from './generated/tributary/v1/UpdateRoleRequest.js';
export type {
  UpdateTenantRequest,
  UpdateTenantRequest__Input,
} from './generated/tributary/v1/UpdateTenantRequest.js';
export type {
  UpdateUserRequest,
  UpdateUserRequest__Input,
} from './generated/tributary/v1/UpdateUserRequest.js';
export type { User, User__Input } from './generated/tributary/v1/User.js';
export type {
  ValidateQueryRequest,
  ValidateQueryRequest__Input,
} from './generated/tributary/v1/ValidateQueryRequest.js';
export type {
  ValidateQueryResponse,
  ValidateQueryResponse__Input,
} from './generated/tributary/v1/ValidateQueryResponse.js';
export type { Value, Value__Input } from './generated/tributary/v1/Value.js';
