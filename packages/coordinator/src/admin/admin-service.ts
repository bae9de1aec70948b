import type {
  ApiKey__Input,
  CreateApiKeyRequest,
  CreateApiKeyResponse__Input,
  CreateGroupRequest,
  CreateRoleRequest,
  CreateUserRequest,
  DeleteGroupResponse__Input,
  DeleteRoleResponse__Input,
  DeleteUserResponse__Input,
  GetSourceHealthResponse__Input,
  Group__Input,
  ListApiKeysRequest,
  ListApiKeysResponse__Input,
  ListAuditRecordsRequest,
  ListAuditRecordsResponse__Input,
  ListGroupsResponse__Input,
  ListPolicyVersionsRequest,
  ListPolicyVersionsResponse__Input,
  ListRolesResponse__Input,
  ListTagsRequest,
  ListTagsResponse__Input,
  ListUsersRequest,
  ListUsersResponse__Input,
  PolicyDocument__Input,
  PutPoliciesRequest,
  PutTagsRequest,
  RefreshSchemaRequest,
  RefreshSchemaResponse__Input,
  RevokeTokensRequest,
  RevokeTokensResponse__Input,
  Role__Input,
  RotateApiKeyRequest,
  RotateApiKeyResponse__Input,
  TableTags__Input,
  Tenant__Input,
  UpdateGroupRequest,
  UpdateRoleRequest,
  UpdateTenantRequest,
  UpdateUserRequest,
  User__Input,
} from '@tributary/core';
import { TributaryError } from '@tributary/core';
import type { RequestContext } from '../context.js';
import { type AdminContext, requireAdmin } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import { ApiKeyAdmin } from './api-key-admin.js';
import { AuditAdmin } from './audit-admin.js';
import { GroupAdmin } from './group-admin.js';
import { PolicyAdmin, requireJsonObject } from './policy-admin.js';
import { RoleAdmin } from './role-admin.js';
import type { SourceAdmin } from './source-admin.js';
import { TagAdmin } from './tag-admin.js';
import { TenantAdmin } from './tenant-admin.js';
import { TokenAdmin } from './token-admin.js';
import { UserAdmin } from './user-admin.js';

export type AdminServiceDeps = Omit<AdminDeps, 'validatePolicyDocument' | 'clock'> &
  Partial<Pick<AdminDeps, 'validatePolicyDocument' | 'clock'>>;

/**
 * The protocol-free core of AdminService: one method per RPC, called alike
 * by the gRPC handlers and the HTTP routes. Every method first checks that
 * the caller is an admin, then works on the caller's own tenant only.
 * Requests are the proto messages (as decoded, or built by a route from
 * JSON); responses are proto messages.
 */
export class AdminService {
  private readonly tenant: TenantAdmin;
  private readonly users: UserAdmin;
  private readonly roles: RoleAdmin;
  private readonly groups: GroupAdmin;
  private readonly keys: ApiKeyAdmin;
  private readonly policies: PolicyAdmin;
  private readonly tags: TagAdmin;
  private readonly auditLog: AuditAdmin;
  private readonly tokens: TokenAdmin;

  private readonly deps: AdminDeps;

  constructor(deps: AdminServiceDeps) {
    const full: AdminDeps = {
      ...deps,
      validatePolicyDocument: deps.validatePolicyDocument ?? requireJsonObject,
      clock: deps.clock ?? Date.now,
    };
    this.deps = full;
    this.tenant = new TenantAdmin(full);
    this.users = new UserAdmin(full);
    this.roles = new RoleAdmin(full);
    this.groups = new GroupAdmin(full);
    this.keys = new ApiKeyAdmin(full);
    this.policies = new PolicyAdmin(full);
    this.tags = new TagAdmin(full);
    this.auditLog = new AuditAdmin(full);
    this.tokens = new TokenAdmin(full);
  }

  async refreshSchema(
    ctx: RequestContext,
    request: Partial<RefreshSchemaRequest>,
  ): Promise<RefreshSchemaResponse__Input> {
    const admin = this.admin(ctx);
    const result = await this.sourceAdmin().refresh(request, admin.requestId);
    recordChange(this.deps, admin, {
      action: 'source.refresh',
      target: String(request.source),
      after: {
        table: request.table || undefined,
        version: Number(result.version),
        changed: result.changed,
        added: result.added_tables,
        dropped: result.dropped_tables,
        altered: result.changed_tables,
      },
    });
    return result;
  }

  async getSourceHealth(ctx: RequestContext, source: string): Promise<GetSourceHealthResponse__Input> {
    return this.sourceAdmin().health(this.admin(ctx), source);
  }

  private sourceAdmin(): SourceAdmin {
    if (!this.deps.sources) throw TributaryError.unavailable('sources are not served here');
    return this.deps.sources;
  }

  async getTenant(ctx: RequestContext): Promise<Tenant__Input> {
    return this.tenant.get(this.admin(ctx));
  }

  async updateTenant(ctx: RequestContext, request: Partial<UpdateTenantRequest>): Promise<Tenant__Input> {
    return this.tenant.update(this.admin(ctx), request);
  }

  async listUsers(
    ctx: RequestContext,
    request: Partial<ListUsersRequest>,
  ): Promise<ListUsersResponse__Input> {
    return this.users.list(this.admin(ctx), request);
  }

  async getUser(ctx: RequestContext, id: string): Promise<User__Input> {
    return this.users.get(this.admin(ctx), id);
  }

  async createUser(ctx: RequestContext, request: Partial<CreateUserRequest>): Promise<User__Input> {
    return this.users.create(this.admin(ctx), request);
  }

  async updateUser(ctx: RequestContext, request: Partial<UpdateUserRequest>): Promise<User__Input> {
    return this.users.update(this.admin(ctx), request);
  }

  async deleteUser(ctx: RequestContext, id: string): Promise<DeleteUserResponse__Input> {
    return this.users.delete(this.admin(ctx), id);
  }

  async listRoles(ctx: RequestContext): Promise<ListRolesResponse__Input> {
    return this.roles.list(this.admin(ctx));
  }

  async createRole(ctx: RequestContext, request: Partial<CreateRoleRequest>): Promise<Role__Input> {
    return this.roles.create(this.admin(ctx), request);
  }

  async updateRole(ctx: RequestContext, request: Partial<UpdateRoleRequest>): Promise<Role__Input> {
    return this.roles.update(this.admin(ctx), request);
  }

  async deleteRole(ctx: RequestContext, name: string): Promise<DeleteRoleResponse__Input> {
    return this.roles.delete(this.admin(ctx), name);
  }

  async listGroups(ctx: RequestContext): Promise<ListGroupsResponse__Input> {
    return this.groups.list(this.admin(ctx));
  }

  async getGroup(ctx: RequestContext, name: string): Promise<Group__Input> {
    return this.groups.get(this.admin(ctx), name);
  }

  async createGroup(ctx: RequestContext, request: Partial<CreateGroupRequest>): Promise<Group__Input> {
    return this.groups.create(this.admin(ctx), request);
  }

  async updateGroup(ctx: RequestContext, request: Partial<UpdateGroupRequest>): Promise<Group__Input> {
    return this.groups.update(this.admin(ctx), request);
  }

  async deleteGroup(ctx: RequestContext, name: string): Promise<DeleteGroupResponse__Input> {
    return this.groups.delete(this.admin(ctx), name);
  }

  async listApiKeys(
    ctx: RequestContext,
    request: Partial<ListApiKeysRequest>,
  ): Promise<ListApiKeysResponse__Input> {
    return this.keys.list(this.admin(ctx), request);
  }

  async createApiKey(
    ctx: RequestContext,
    request: Partial<CreateApiKeyRequest>,
  ): Promise<CreateApiKeyResponse__Input> {
    return this.keys.create(this.admin(ctx), request);
  }

  async rotateApiKey(
    ctx: RequestContext,
    request: Partial<RotateApiKeyRequest>,
  ): Promise<RotateApiKeyResponse__Input> {
    return this.keys.rotate(this.admin(ctx), request);
  }

  async revokeApiKey(ctx: RequestContext, id: string): Promise<ApiKey__Input> {
    return this.keys.revoke(this.admin(ctx), id);
  }

  async revokeTokens(
    ctx: RequestContext,
    request: Partial<RevokeTokensRequest>,
  ): Promise<RevokeTokensResponse__Input> {
    return this.tokens.revoke(this.admin(ctx), request);
  }

  async getPolicies(ctx: RequestContext): Promise<PolicyDocument__Input> {
    return this.policies.current(this.admin(ctx));
  }

  async putPolicies(
    ctx: RequestContext,
    request: Partial<PutPoliciesRequest>,
  ): Promise<PolicyDocument__Input> {
    return this.policies.publish(this.admin(ctx), request);
  }

  async listPolicyVersions(
    ctx: RequestContext,
    request: Partial<ListPolicyVersionsRequest>,
  ): Promise<ListPolicyVersionsResponse__Input> {
    return this.policies.versions(this.admin(ctx), request);
  }

  async getPolicyVersion(ctx: RequestContext, version: number): Promise<PolicyDocument__Input> {
    return this.policies.version(this.admin(ctx), version);
  }

  async listTags(ctx: RequestContext, request: Partial<ListTagsRequest>): Promise<ListTagsResponse__Input> {
    return this.tags.list(this.admin(ctx), request);
  }

  async putTags(ctx: RequestContext, request: Partial<PutTagsRequest>): Promise<TableTags__Input> {
    return this.tags.replace(this.admin(ctx), request);
  }

  async listAuditRecords(
    ctx: RequestContext,
    request: Partial<ListAuditRecordsRequest>,
  ): Promise<ListAuditRecordsResponse__Input> {
    return this.auditLog.list(this.admin(ctx), request);
  }

  private admin(ctx: RequestContext): AdminContext {
    return requireAdmin(ctx);
  }
}
