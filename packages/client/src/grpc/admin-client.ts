import type {
  AdminServiceClient,
  ApiKey,
  CreateApiKeyRequest__Input,
  CreateApiKeyResponse,
  CreateGroupRequest__Input,
  CreateRoleRequest__Input,
  CreateUserRequest__Input,
  DeleteGroupRequest__Input,
  DeleteGroupResponse,
  DeleteRoleRequest__Input,
  DeleteRoleResponse,
  DeleteUserRequest__Input,
  DeleteUserResponse,
  GetGroupRequest__Input,
  GetPoliciesRequest__Input,
  GetPolicyVersionRequest__Input,
  GetSourceHealthRequest__Input,
  GetSourceHealthResponse,
  GetTenantRequest__Input,
  GetUserRequest__Input,
  Group,
  ListApiKeysRequest__Input,
  ListApiKeysResponse,
  ListAuditRecordsRequest__Input,
  ListAuditRecordsResponse,
  ListGroupsRequest__Input,
  ListGroupsResponse,
  ListPolicyVersionsRequest__Input,
  ListPolicyVersionsResponse,
  ListRolesRequest__Input,
  ListRolesResponse,
  ListTagsRequest__Input,
  ListTagsResponse,
  ListUsersRequest__Input,
  ListUsersResponse,
  PolicyDocument,
  PutPoliciesRequest__Input,
  PutTagsRequest__Input,
  RefreshSchemaRequest__Input,
  RefreshSchemaResponse,
  RevokeApiKeyRequest__Input,
  RevokeTokensRequest__Input,
  RevokeTokensResponse,
  Role,
  RotateApiKeyRequest__Input,
  RotateApiKeyResponse,
  TableTags,
  Tenant,
  UpdateGroupRequest__Input,
  UpdateRoleRequest__Input,
  UpdateTenantRequest__Input,
  UpdateUserRequest__Input,
  User,
} from '@tributary/core';
import type { CallOptions, GrpcCaller } from './caller.js';

/**
 * AdminService: one method per RPC, taking and returning the messages of
 * `admin.proto` (field names as in the contract). Reads (Get*, List*) retry
 * on passing failures; changes never do. Every call needs an admin principal.
 */
export class AdminClient {
  constructor(private readonly rpc: GrpcCaller<AdminServiceClient>) {}

  getTenant(request: GetTenantRequest__Input = {}, options?: CallOptions): Promise<Tenant> {
    return this.rpc.unary('GetTenant', request, 'read', options);
  }

  updateTenant(request: UpdateTenantRequest__Input, options?: CallOptions): Promise<Tenant> {
    return this.rpc.unary('UpdateTenant', request, 'write', options);
  }

  listUsers(request: ListUsersRequest__Input = {}, options?: CallOptions): Promise<ListUsersResponse> {
    return this.rpc.unary('ListUsers', request, 'read', options);
  }

  getUser(request: GetUserRequest__Input, options?: CallOptions): Promise<User> {
    return this.rpc.unary('GetUser', request, 'read', options);
  }

  createUser(request: CreateUserRequest__Input, options?: CallOptions): Promise<User> {
    return this.rpc.unary('CreateUser', request, 'write', options);
  }

  updateUser(request: UpdateUserRequest__Input, options?: CallOptions): Promise<User> {
    return this.rpc.unary('UpdateUser', request, 'write', options);
  }

  /** The user's API keys stop working at once and are marked revoked. */
  deleteUser(request: DeleteUserRequest__Input, options?: CallOptions): Promise<DeleteUserResponse> {
    return this.rpc.unary('DeleteUser', request, 'write', options);
  }

  listRoles(request: ListRolesRequest__Input = {}, options?: CallOptions): Promise<ListRolesResponse> {
    return this.rpc.unary('ListRoles', request, 'read', options);
  }

  createRole(request: CreateRoleRequest__Input, options?: CallOptions): Promise<Role> {
    return this.rpc.unary('CreateRole', request, 'write', options);
  }

  updateRole(request: UpdateRoleRequest__Input, options?: CallOptions): Promise<Role> {
    return this.rpc.unary('UpdateRole', request, 'write', options);
  }

  /** Built-in roles (admin, analyst, viewer) cannot be deleted. */
  deleteRole(request: DeleteRoleRequest__Input, options?: CallOptions): Promise<DeleteRoleResponse> {
    return this.rpc.unary('DeleteRole', request, 'write', options);
  }

  listApiKeys(request: ListApiKeysRequest__Input = {}, options?: CallOptions): Promise<ListApiKeysResponse> {
    return this.rpc.unary('ListApiKeys', request, 'read', options);
  }

  /** The response carries the secret; it is never shown again. */
  createApiKey(request: CreateApiKeyRequest__Input, options?: CallOptions): Promise<CreateApiKeyResponse> {
    return this.rpc.unary('CreateApiKey', request, 'write', options);
  }

  /** Issues a new secret; the previous one keeps working for a grace period. */
  rotateApiKey(request: RotateApiKeyRequest__Input, options?: CallOptions): Promise<RotateApiKeyResponse> {
    return this.rpc.unary('RotateApiKey', request, 'write', options);
  }

  /** Immediate: the key's secrets stop working at once. */
  revokeApiKey(request: RevokeApiKeyRequest__Input, options?: CallOptions): Promise<ApiKey> {
    return this.rpc.unary('RevokeApiKey', request, 'write', options);
  }

  /**
   * Blocks bearer tokens on every replica at once: one token by its `jti`,
   * or every token of a user (`user_id` or `subject`) issued before now.
   */
  revokeTokens(request: RevokeTokensRequest__Input, options?: CallOptions): Promise<RevokeTokensResponse> {
    return this.rpc.unary('RevokeTokens', request, 'write', options);
  }

  /**
   * Asks the edges serving `source` to rediscover its schema (one table of it
   * with `table`); the answer lists the tables that appeared, went away or changed.
   */
  refreshSchema(request: RefreshSchemaRequest__Input, options?: CallOptions): Promise<RefreshSchemaResponse> {
    return this.rpc.unary('RefreshSchema', request, 'write', options);
  }

  /** Whether each edge serving `source` reaches it, and how long its check took. */
  getSourceHealth(
    request: GetSourceHealthRequest__Input,
    options?: CallOptions,
  ): Promise<GetSourceHealthResponse> {
    return this.rpc.unary('GetSourceHealth', request, 'read', options);
  }

  /** The current policy document (version 0 and an empty document before the first one). */
  getPolicies(request: GetPoliciesRequest__Input = {}, options?: CallOptions): Promise<PolicyDocument> {
    return this.rpc.unary('GetPolicies', request, 'read', options);
  }

  /** Publishes a new version if `expected_version` is still the current one (CONFLICT otherwise). */
  putPolicies(request: PutPoliciesRequest__Input, options?: CallOptions): Promise<PolicyDocument> {
    return this.rpc.unary('PutPolicies', request, 'write', options);
  }

  listPolicyVersions(
    request: ListPolicyVersionsRequest__Input = {},
    options?: CallOptions,
  ): Promise<ListPolicyVersionsResponse> {
    return this.rpc.unary('ListPolicyVersions', request, 'read', options);
  }

  getPolicyVersion(request: GetPolicyVersionRequest__Input, options?: CallOptions): Promise<PolicyDocument> {
    return this.rpc.unary('GetPolicyVersion', request, 'read', options);
  }

  listTags(request: ListTagsRequest__Input = {}, options?: CallOptions): Promise<ListTagsResponse> {
    return this.rpc.unary('ListTags', request, 'read', options);
  }

  /** Replaces every tag of one table and its columns. */
  putTags(request: PutTagsRequest__Input, options?: CallOptions): Promise<TableTags> {
    return this.rpc.unary('PutTags', request, 'write', options);
  }

  /** Newest first. */
  listAuditRecords(
    request: ListAuditRecordsRequest__Input = {},
    options?: CallOptions,
  ): Promise<ListAuditRecordsResponse> {
    return this.rpc.unary('ListAuditRecords', request, 'read', options);
  }

  listGroups(request: ListGroupsRequest__Input = {}, options?: CallOptions): Promise<ListGroupsResponse> {
    return this.rpc.unary('ListGroups', request, 'read', options);
  }

  getGroup(request: GetGroupRequest__Input, options?: CallOptions): Promise<Group> {
    return this.rpc.unary('GetGroup', request, 'read', options);
  }

  createGroup(request: CreateGroupRequest__Input, options?: CallOptions): Promise<Group> {
    return this.rpc.unary('CreateGroup', request, 'write', options);
  }

  /** Changes the description (when set) and adds or removes members by user id. */
  updateGroup(request: UpdateGroupRequest__Input, options?: CallOptions): Promise<Group> {
    return this.rpc.unary('UpdateGroup', request, 'write', options);
  }

  /** Removes the group and every membership of it. */
  deleteGroup(request: DeleteGroupRequest__Input, options?: CallOptions): Promise<DeleteGroupResponse> {
    return this.rpc.unary('DeleteGroup', request, 'write', options);
  }
}
