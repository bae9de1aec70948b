import {
  type CreateRoleRequest,
  type DeleteRoleResponse__Input,
  type ListRolesResponse__Input,
  type Role__Input,
  TributaryError,
  type UpdateRoleRequest,
} from '@tributary/core';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { roleView } from './views.js';

/** The tenant's roles: the built-in three and custom ones. */
export class RoleAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async list(ctx: AdminContext): Promise<ListRolesResponse__Input> {
    return { roles: (await this.deps.store.roles.list(ctx.tenant)).map(roleView) };
  }

  async create(ctx: AdminContext, request: Partial<CreateRoleRequest>): Promise<Role__Input> {
    const role = await this.deps.store.roles.create(ctx.tenant, {
      name: input.roleName(request.name, 'name'),
      description: input.text(request.description, 'description', { max: 500 }),
    });
    recordChange(this.deps, ctx, { action: 'role.create', target: role.name, after: roleView(role) });
    return roleView(role);
  }

  async update(ctx: AdminContext, request: Partial<UpdateRoleRequest>): Promise<Role__Input> {
    const name = input.roleName(request.name, 'name');
    const before = await this.deps.store.roles.get(ctx.tenant, name);
    if (!before) throw TributaryError.notFound(`role "${name}" not found`);
    const after = await this.deps.store.roles.update(ctx.tenant, name, {
      description: input.text(request.description, 'description', { max: 500 }),
    });
    recordChange(this.deps, ctx, {
      action: 'role.update',
      target: name,
      before: roleView(before),
      after: roleView(after),
    });
    return roleView(after);
  }

  async delete(ctx: AdminContext, name: string): Promise<DeleteRoleResponse__Input> {
    const deleted = await this.deps.store.roles.delete(ctx.tenant, input.roleName(name, 'name'));
    if (!deleted) throw TributaryError.notFound(`role "${name}" not found`);
    recordChange(this.deps, ctx, {
      action: 'role.delete',
      target: name,
      before: roleView(deleted.role),
      after: { unassigned_users: deleted.unassignedUsers },
    });
    return { unassigned_users: deleted.unassignedUsers };
  }
}
