import { TributaryError } from '@tributary/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../context.js';
import { type CoordinatorServices, pageOf } from '../../../services/index.js';
import { httpContext } from '../request-context.js';
import {
  attributesFromJson,
  auditRecordJson,
  body,
  columnTagsFromJson,
  optionalBoolean,
  optionalString,
  policyJson,
  stringArray,
  stringMap,
  tableTagsJson,
  userJson,
} from './admin-json.js';
import { optionalInteger } from './params.js';

/** `page_size` and `page_token` of a listing. */
const paging = (query: Query) => ({
  pageSize: optionalInteger(query.page_size, 'page_size', 0),
  pageToken: query.page_token,
});

type Query = Record<string, string | undefined>;
type Params = Record<string, string>;
type Handler = (
  ctx: RequestContext,
  request: FastifyRequest<{ Querystring: Query; Params: Params }>,
) => unknown;

/** AdminService over HTTP/JSON under /v1: each route decodes, calls the shared AdminService, encodes. */
export function adminRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  const { admin } = services;
  const route =
    (handler: Handler, status = 200, location?: (created: never) => string) =>
    async (request: FastifyRequest<{ Querystring: Query; Params: Params }>, reply: FastifyReply) => {
      const ctx = await httpContext(services, request, reply);
      const result = await handler(ctx, request);
      if (location) void reply.header('location', location(result as never));
      return reply.code(status).send(result);
    };

  app.post(
    '/v1/sources/:source/refresh',
    route((ctx, request) => {
      const b = body(request.body, ['table']);
      return admin.refreshSchema(ctx, {
        source: request.params.source,
        table: optionalString(b.table, 'table'),
      });
    }),
  );
  app.get(
    '/v1/sources/:source/health',
    route((ctx, request) => admin.getSourceHealth(ctx, String(request.params.source))),
  );
  app.get(
    '/v1/tenant',
    route((ctx) => admin.getTenant(ctx)),
  );
  app.patch(
    '/v1/tenant',
    route((ctx, request) => {
      const b = body(request.body, ['display_name', 'set_settings', 'remove_settings']);
      return admin.updateTenant(ctx, {
        display_name: optionalString(b.display_name, 'display_name'),
        set_settings: stringMap(b.set_settings, 'set_settings'),
        remove_settings: stringArray(b.remove_settings, 'remove_settings'),
      });
    }),
  );

  app.get(
    '/v1/users',
    route(async (ctx, { query }) => {
      const page = await admin.listUsers(ctx, {
        page_size: optionalInteger(query.page_size, 'page_size', 0),
        page_token: query.page_token ?? '',
        filter: query.filter ?? '',
        role: query.role ?? '',
      });
      return { users: (page.users ?? []).map(userJson), next_page_token: page.next_page_token };
    }),
  );
  app.post(
    '/v1/users',
    route(
      async (ctx, request) => {
        const b = body(request.body, ['subject', 'email', 'display_name', 'roles', 'attributes', 'disabled']);
        const user = await admin.createUser(ctx, {
          subject: optionalString(b.subject, 'subject') ?? '',
          email: optionalString(b.email, 'email') ?? '',
          display_name: optionalString(b.display_name, 'display_name') ?? '',
          roles: stringArray(b.roles, 'roles'),
          attributes: attributesFromJson(b.attributes, 'attributes'),
          disabled: optionalBoolean(b.disabled, 'disabled') ?? false,
        });
        return userJson(user);
      },
      201,
      (user: { id: string }) => `/v1/users/${encodeURIComponent(user.id)}`,
    ),
  );
  app.get(
    '/v1/users/:id',
    route(async (ctx, { params }) => userJson(await admin.getUser(ctx, params.id ?? ''))),
  );
  app.patch(
    '/v1/users/:id',
    route(async (ctx, request) => {
      const b = body(request.body, [
        'email',
        'display_name',
        'disabled',
        'add_roles',
        'remove_roles',
        'set_attributes',
        'remove_attributes',
      ]);
      const user = await admin.updateUser(ctx, {
        id: request.params.id ?? '',
        email: optionalString(b.email, 'email'),
        display_name: optionalString(b.display_name, 'display_name'),
        disabled: optionalBoolean(b.disabled, 'disabled'),
        add_roles: stringArray(b.add_roles, 'add_roles'),
        remove_roles: stringArray(b.remove_roles, 'remove_roles'),
        set_attributes: attributesFromJson(b.set_attributes, 'set_attributes'),
        remove_attributes: stringArray(b.remove_attributes, 'remove_attributes'),
      });
      return userJson(user);
    }),
  );
  app.delete(
    '/v1/users/:id',
    route((ctx, { params }) => admin.deleteUser(ctx, params.id ?? '')),
  );

  app.get(
    '/v1/roles',
    route(async (ctx, { query }) => {
      const page = pageOf(
        (await admin.listRoles(ctx)).roles ?? [],
        (r) => r.name ?? '',
        'roles',
        paging(query),
      );
      return { roles: page.items, next_page_token: page.nextPageToken };
    }),
  );
  app.post(
    '/v1/roles',
    route((ctx, request) => {
      const b = body(request.body, ['name', 'description']);
      return admin.createRole(ctx, {
        name: optionalString(b.name, 'name') ?? '',
        description: optionalString(b.description, 'description') ?? '',
      });
    }, 201),
  );
  app.patch(
    '/v1/roles/:name',
    route((ctx, request) => {
      const b = body(request.body, ['description']);
      return admin.updateRole(ctx, {
        name: request.params.name ?? '',
        description: optionalString(b.description, 'description') ?? '',
      });
    }),
  );
  app.delete(
    '/v1/roles/:name',
    route((ctx, { params }) => admin.deleteRole(ctx, params.name ?? '')),
  );

  app.get(
    '/v1/groups',
    route(async (ctx, { query }) => {
      const page = pageOf(
        (await admin.listGroups(ctx)).groups ?? [],
        (g) => g.name ?? '',
        'groups',
        paging(query),
      );
      return { groups: page.items, next_page_token: page.nextPageToken };
    }),
  );
  app.post(
    '/v1/groups',
    route(
      (ctx, request) => {
        const b = body(request.body, ['name', 'description', 'member_user_ids']);
        return admin.createGroup(ctx, {
          name: optionalString(b.name, 'name') ?? '',
          description: optionalString(b.description, 'description') ?? '',
          member_user_ids: stringArray(b.member_user_ids, 'member_user_ids'),
        });
      },
      201,
      (group: { name: string }) => `/v1/groups/${encodeURIComponent(group.name)}`,
    ),
  );
  app.get(
    '/v1/groups/:name',
    route((ctx, { params }) => admin.getGroup(ctx, params.name ?? '')),
  );
  app.patch(
    '/v1/groups/:name',
    route((ctx, request) => {
      const b = body(request.body, ['description', 'add_members', 'remove_members']);
      return admin.updateGroup(ctx, {
        name: request.params.name ?? '',
        description: optionalString(b.description, 'description'),
        add_members: stringArray(b.add_members, 'add_members'),
        remove_members: stringArray(b.remove_members, 'remove_members'),
      });
    }),
  );
  app.delete(
    '/v1/groups/:name',
    route((ctx, { params }) => admin.deleteGroup(ctx, params.name ?? '')),
  );

  app.get(
    '/v1/api-keys',
    route(async (ctx, { query }) => {
      const keys = await admin.listApiKeys(ctx, {
        owner_user_id: query.owner_user_id ?? '',
        include_revoked: query.include_revoked === 'true',
      });
      const page = pageOf(keys.api_keys ?? [], (k) => k.id ?? '', 'api_keys', paging(query));
      return { api_keys: page.items, next_page_token: page.nextPageToken };
    }),
  );
  app.post(
    '/v1/api-keys',
    route((ctx, request) => {
      const b = body(request.body, ['name', 'owner_user_id', 'scopes', 'expires_at']);
      return admin.createApiKey(ctx, {
        name: optionalString(b.name, 'name') ?? '',
        owner_user_id: optionalString(b.owner_user_id, 'owner_user_id') ?? '',
        scopes: stringArray(b.scopes, 'scopes'),
        expires_at: optionalString(b.expires_at, 'expires_at') ?? '',
      });
    }, 201),
  );
  app.post(
    '/v1/api-keys/:id/rotate',
    route((ctx, request) => {
      const b = body(request.body, ['grace_seconds']);
      const grace = b.grace_seconds;
      if (grace !== undefined && grace !== null && typeof grace !== 'number') {
        throw TributaryError.invalid('grace_seconds must be a number');
      }
      return admin.rotateApiKey(ctx, {
        id: request.params.id ?? '',
        grace_seconds: typeof grace === 'number' ? grace : undefined,
      });
    }),
  );
  app.delete(
    '/v1/api-keys/:id',
    route((ctx, { params }) => admin.revokeApiKey(ctx, params.id ?? '')),
  );
  app.post(
    '/v1/users/:id/revoke-tokens',
    route((ctx, request) => {
      body(request.body, []);
      return admin.revokeTokens(ctx, { user_id: request.params.id ?? '' });
    }),
  );
  app.post(
    '/v1/tokens/revoke',
    route((ctx, request) => {
      const b = body(request.body, ['jti', 'subject', 'expires_at']);
      return admin.revokeTokens(ctx, {
        jti: optionalString(b.jti, 'jti') ?? '',
        subject: optionalString(b.subject, 'subject') ?? '',
        expires_at: optionalString(b.expires_at, 'expires_at') ?? '',
      });
    }),
  );

  app.get(
    '/v1/policies',
    route(async (ctx) => policyJson(await admin.getPolicies(ctx))),
  );
  app.put(
    '/v1/policies',
    route(async (ctx, request) => {
      const b = body(request.body, ['document', 'expected_version', 'comment']);
      if (b.document === undefined) throw TributaryError.invalid('document is required');
      if (typeof b.expected_version !== 'number') {
        throw TributaryError.invalid(
          'expected_version is required: the version the document was edited from, 0 for none',
        );
      }
      const policy = await admin.putPolicies(ctx, {
        document_json: JSON.stringify(b.document),
        expected_version: b.expected_version,
        comment: optionalString(b.comment, 'comment') ?? '',
      });
      return policyJson(policy);
    }),
  );
  app.get(
    '/v1/policies/versions',
    route((ctx, { query }) =>
      admin.listPolicyVersions(ctx, {
        page_size: optionalInteger(query.page_size, 'page_size', 0),
        page_token: query.page_token ?? '',
      }),
    ),
  );
  app.get(
    '/v1/policies/versions/:version',
    route(async (ctx, { params }) => {
      const version = optionalInteger(params.version, 'version', 0);
      return policyJson(await admin.getPolicyVersion(ctx, version));
    }),
  );

  app.get(
    '/v1/tags',
    route(async (ctx, { query }) => {
      const listed = await admin.listTags(ctx, { table: query.table ?? '' });
      const page = pageOf(listed.tables ?? [], (t) => t.table ?? '', 'tags', paging(query));
      return { tables: page.items.map(tableTagsJson), next_page_token: page.nextPageToken };
    }),
  );
  app.put(
    '/v1/tags',
    route(async (ctx, request) => {
      const b = body(request.body, ['table', 'tags', 'columns']);
      const tags = await admin.putTags(ctx, {
        table: optionalString(b.table, 'table') ?? '',
        tags: stringArray(b.tags, 'tags'),
        columns: columnTagsFromJson(b.columns),
      });
      return tableTagsJson(tags);
    }),
  );

  app.get(
    '/v1/audit',
    route(async (ctx, { query }) => {
      const page = await admin.listAuditRecords(ctx, {
        page_size: optionalInteger(query.page_size, 'page_size', 0),
        page_token: query.page_token ?? '',
        from: query.from ?? '',
        to: query.to ?? '',
        subject: query.subject ?? '',
        kind: query.kind ?? '',
      });
      return { records: (page.records ?? []).map(auditRecordJson), next_page_token: page.next_page_token };
    }),
  );
}
