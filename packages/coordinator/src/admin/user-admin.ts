import {
  type CreateUserRequest,
  type DeleteUserResponse__Input,
  type ListUsersRequest,
  type ListUsersResponse__Input,
  TributaryError,
  type UpdateUserRequest,
  type User__Input,
} from '@tributary/core';
import { MAX_REVOCATION_MS } from '../shared-state/index.js';
import type { UserRecord } from '../store/index.js';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { userView } from './views.js';

/** Users of the caller's tenant: who they are, their roles and ABAC attributes. */
export class UserAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async list(ctx: AdminContext, request: Partial<ListUsersRequest>): Promise<ListUsersResponse__Input> {
    const page = await this.deps.store.users.list(ctx.tenant, {
      limit: input.pageSize(request.page_size),
      cursor: request.page_token || undefined,
      filter: input.text(request.filter, 'filter', { max: 256 }) || undefined,
      role: request.role ? input.roleName(request.role) : undefined,
    });
    return { users: page.items.map(userView), next_page_token: page.nextCursor ?? '' };
  }

  async get(ctx: AdminContext, id: string): Promise<User__Input> {
    return userView(await this.find(ctx, id));
  }

  async create(ctx: AdminContext, request: Partial<CreateUserRequest>): Promise<User__Input> {
    const user = await this.deps.store.users.create(ctx.tenant, {
      subject: input.subject(request.subject),
      email: input.email(request.email),
      displayName: input.text(request.display_name, 'display_name', { max: 200 }),
      roles: input.roleNames(request.roles, 'roles'),
      attributes: input.attributes(request.attributes, 'attributes'),
      disabled: Boolean(request.disabled),
    });
    if (!user.disabled) await this.deps.revocations?.restoreUser(ctx.tenant, user.subject);
    else await this.revoke(ctx, user.subject);
    recordChange(this.deps, ctx, { action: 'user.create', target: user.id, after: userView(user) });
    return userView(user);
  }

  /** Only the fields present change; proto3 `optional` keeps absent apart from empty. */
  async update(ctx: AdminContext, request: Partial<UpdateUserRequest>): Promise<User__Input> {
    const id = input.required(request.id, 'id');
    const change = {
      email: request.email === undefined ? undefined : input.email(request.email),
      displayName:
        request.display_name === undefined
          ? undefined
          : input.text(request.display_name, 'display_name', { max: 200 }),
      disabled: request.disabled === undefined ? undefined : Boolean(request.disabled),
      addRoles: input.roleNames(request.add_roles, 'add_roles'),
      removeRoles: input.roleNames(request.remove_roles, 'remove_roles'),
      setAttributes: input.attributes(request.set_attributes, 'set_attributes'),
      removeAttributes: (request.remove_attributes ?? []).map((key) =>
        input.keyName(key, 'remove_attributes'),
      ),
    };
    const before = await this.find(ctx, id);
    const after = await this.deps.store.users.update(ctx.tenant, id, change);
    if (after.disabled && !before.disabled) await this.revoke(ctx, after.subject);
    if (!after.disabled && before.disabled)
      await this.deps.revocations?.restoreUser(ctx.tenant, after.subject);
    recordChange(this.deps, ctx, {
      action: 'user.update',
      target: id,
      before: userView(before),
      after: userView(after),
    });
    return userView(after);
  }

  async delete(ctx: AdminContext, id: string): Promise<DeleteUserResponse__Input> {
    const deleted = await this.deps.store.users.delete(ctx.tenant, input.required(id, 'id'));
    if (!deleted) throw TributaryError.notFound(`user ${id} not found`);
    await this.revoke(ctx, deleted.user.subject);
    recordChange(this.deps, ctx, {
      action: 'user.delete',
      target: id,
      before: userView(deleted.user),
      after: { revoked_api_keys: deleted.revokedKeys },
    });
    return { revoked_api_keys: deleted.revokedKeys };
  }

  /** Refuses the subject's credentials on every replica, including keys other stores hold for it. */
  private async revoke(ctx: AdminContext, subject: string): Promise<void> {
    await this.deps.revocations?.add({
      kind: 'user',
      tenant: ctx.tenant,
      subject,
      expiresAt: this.deps.clock() + MAX_REVOCATION_MS,
    });
  }

  private async find(ctx: AdminContext, id: string): Promise<UserRecord> {
    const user = await this.deps.store.users.get(ctx.tenant, input.required(id, 'id'));
    if (!user) throw TributaryError.notFound(`user ${id} not found`);
    return user;
  }
}
