import {
  type CreateGroupRequest,
  type DeleteGroupResponse__Input,
  type Group__Input,
  type ListGroupsResponse__Input,
  TributaryError,
  type UpdateGroupRequest,
} from '@tributary/core';
import type { GroupRecord } from '../store/index.js';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { groupView } from './views.js';

/** The tenant's groups of users, which policies may name like roles. */
export class GroupAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async list(ctx: AdminContext): Promise<ListGroupsResponse__Input> {
    return { groups: (await this.deps.store.groups.list(ctx.tenant)).map(groupView) };
  }

  async get(ctx: AdminContext, name: string): Promise<Group__Input> {
    return groupView(await this.find(ctx, name));
  }

  async create(ctx: AdminContext, request: Partial<CreateGroupRequest>): Promise<Group__Input> {
    const group = await this.deps.store.groups.create(ctx.tenant, {
      name: input.roleName(request.name, 'name'),
      description: input.text(request.description, 'description', { max: 500 }),
      members: input.userIds(request.member_user_ids, 'member_user_ids'),
    });
    recordChange(this.deps, ctx, { action: 'group.create', target: group.name, after: groupView(group) });
    return groupView(group);
  }

  /** The description changes only when present; proto3 `optional` keeps absent apart from empty. */
  async update(ctx: AdminContext, request: Partial<UpdateGroupRequest>): Promise<Group__Input> {
    const name = input.roleName(request.name, 'name');
    const change = {
      description:
        request.description === undefined || request.description === null
          ? undefined
          : input.text(request.description, 'description', { max: 500 }),
      addMembers: input.userIds(request.add_members, 'add_members'),
      removeMembers: input.userIds(request.remove_members, 'remove_members'),
    };
    const before = await this.find(ctx, name);
    const after = await this.deps.store.groups.update(ctx.tenant, name, change);
    recordChange(this.deps, ctx, {
      action: 'group.update',
      target: name,
      before: groupView(before),
      after: groupView(after),
    });
    return groupView(after);
  }

  async delete(ctx: AdminContext, name: string): Promise<DeleteGroupResponse__Input> {
    const deleted = await this.deps.store.groups.delete(ctx.tenant, input.roleName(name, 'name'));
    if (!deleted) throw TributaryError.notFound(`group "${name}" not found`);
    recordChange(this.deps, ctx, {
      action: 'group.delete',
      target: name,
      before: groupView(deleted.group),
      after: { removed_members: deleted.removedMembers },
    });
    return { removed_members: deleted.removedMembers };
  }

  private async find(ctx: AdminContext, name: string): Promise<GroupRecord> {
    const group = await this.deps.store.groups.get(ctx.tenant, input.roleName(name, 'name'));
    if (!group) throw TributaryError.notFound(`group "${name}" not found`);
    return group;
  }
}
