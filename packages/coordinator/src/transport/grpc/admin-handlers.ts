import type { AdminServiceHandlers } from '@tributary/core';
import type { CoordinatorServices } from '../../services/index.js';
import { unary } from './handlers.js';

/** AdminService over gRPC: each RPC is one call of the shared AdminService. */
export function adminHandlers(services: CoordinatorServices): AdminServiceHandlers {
  const { admin } = services;
  return {
    GetTenant: unary(services, 'GetTenant', (ctx) => admin.getTenant(ctx)),
    UpdateTenant: unary(services, 'UpdateTenant', (ctx, request) => admin.updateTenant(ctx, request)),

    ListUsers: unary(services, 'ListUsers', (ctx, request) => admin.listUsers(ctx, request)),
    GetUser: unary(services, 'GetUser', (ctx, request) => admin.getUser(ctx, request.id)),
    CreateUser: unary(services, 'CreateUser', (ctx, request) => admin.createUser(ctx, request)),
    UpdateUser: unary(services, 'UpdateUser', (ctx, request) => admin.updateUser(ctx, request)),
    DeleteUser: unary(services, 'DeleteUser', (ctx, request) => admin.deleteUser(ctx, request.id)),

    ListRoles: unary(services, 'ListRoles', (ctx) => admin.listRoles(ctx)),
    CreateRole: unary(services, 'CreateRole', (ctx, request) => admin.createRole(ctx, request)),
    UpdateRole: unary(services, 'UpdateRole', (ctx, request) => admin.updateRole(ctx, request)),
    DeleteRole: unary(services, 'DeleteRole', (ctx, request) => admin.deleteRole(ctx, request.name)),

    RefreshSchema: unary(services, 'RefreshSchema', (ctx, request) => admin.refreshSchema(ctx, request)),
    GetSourceHealth: unary(services, 'GetSourceHealth', (ctx, request) =>
      admin.getSourceHealth(ctx, request.source),
    ),

    ListGroups: unary(services, 'ListGroups', (ctx) => admin.listGroups(ctx)),
    GetGroup: unary(services, 'GetGroup', (ctx, request) => admin.getGroup(ctx, request.name)),
    CreateGroup: unary(services, 'CreateGroup', (ctx, request) => admin.createGroup(ctx, request)),
    UpdateGroup: unary(services, 'UpdateGroup', (ctx, request) => admin.updateGroup(ctx, request)),
    DeleteGroup: unary(services, 'DeleteGroup', (ctx, request) => admin.deleteGroup(ctx, request.name)),

    ListApiKeys: unary(services, 'ListApiKeys', (ctx, request) => admin.listApiKeys(ctx, request)),
    CreateApiKey: unary(services, 'CreateApiKey', (ctx, request) => admin.createApiKey(ctx, request)),
    RotateApiKey: unary(services, 'RotateApiKey', (ctx, request) => admin.rotateApiKey(ctx, request)),
    RevokeApiKey: unary(services, 'RevokeApiKey', (ctx, request) => admin.revokeApiKey(ctx, request.id)),
    RevokeTokens: unary(services, 'RevokeTokens', (ctx, request) => admin.revokeTokens(ctx, request)),

    GetPolicies: unary(services, 'GetPolicies', (ctx) => admin.getPolicies(ctx)),
    PutPolicies: unary(services, 'PutPolicies', (ctx, request) => admin.putPolicies(ctx, request)),
    ListPolicyVersions: unary(services, 'ListPolicyVersions', (ctx, request) =>
      admin.listPolicyVersions(ctx, request),
    ),
    GetPolicyVersion: unary(services, 'GetPolicyVersion', (ctx, request) =>
      admin.getPolicyVersion(ctx, request.version),
    ),

    ListTags: unary(services, 'ListTags', (ctx, request) => admin.listTags(ctx, request)),
    PutTags: unary(services, 'PutTags', (ctx, request) => admin.putTags(ctx, request)),

    ListAuditRecords: unary(services, 'ListAuditRecords', (ctx, request) =>
      admin.listAuditRecords(ctx, request),
    ),
  };
}
