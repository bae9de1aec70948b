// AdminService end to end: a coordinator started in-process on ephemeral
// ports with an in-memory store, driven over HTTP/JSON and gRPC.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials, Metadata } from '@grpc/grpc-js';
import {
  type AdminServiceClient,
  createLogger,
  fromGrpcError,
  type TributaryError,
  tributaryV1,
} from '@tributary/core';
import { generateApiKey, hashApiKey } from '../auth/index.js';
import { coordinatorConfigSchema } from '../config/coordinator-config.js';
import { type RunningCoordinator, startCoordinator } from '../coordinator.js';

const bootstrapKey = generateApiKey();

/** Promisifies one unary AdminService call with an API key. */
function grpcCall<Res>(
  client: AdminServiceClient,
  method: string,
  request: unknown,
  apiKey = bootstrapKey,
): Promise<Res> {
  const metadata = new Metadata();
  metadata.set('x-api-key', apiKey);
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method] as (
      ...args: unknown[]
    ) => void;
    fn.call(client, request, metadata, (error: Error | null, response: Res) =>
      error ? reject(fromGrpcError(error)) : resolve(response),
    );
  });
}

describe('AdminService over HTTP and gRPC', () => {
  let coordinator: RunningCoordinator;
  let base: string;
  let client: AdminServiceClient;

  const http = async (method: string, path: string, body?: unknown, apiKey = bootstrapKey) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    const config = coordinatorConfigSchema.parse({
      tenant: 'acme',
      grpc: { listen: '127.0.0.1:0' },
      http: { listen: '127.0.0.1:0' },
      mcp: { listen: '127.0.0.1:0' },
      auth: {
        api_keys: [{ id: 'bootstrap', sha256: hashApiKey(bootstrapKey), subject: 'ops', roles: ['admin'] }],
      },
      edges: { join_token: 'j'.repeat(24) },
      store: { path: ':memory:' },
      audit: { flush_interval_ms: 50 },
    });
    coordinator = await startCoordinator(config, createLogger({ service: 'coordinator', level: 'silent' }));
    base = `http://127.0.0.1:${coordinator.httpPort}`;
    client = new (tributaryV1().AdminService)(
      `127.0.0.1:${coordinator.grpcPort}`,
      credentials.createInsecure(),
    );
  });
  after(async () => {
    client?.close();
    await coordinator?.stop(1_000);
  });

  test('the configured key is an admin: its subject became a stored admin user', async () => {
    const tenant = await http('GET', '/v1/tenant');
    assert.equal(tenant.status, 200);
    assert.equal(tenant.body.id, 'acme');
    const users = await http('GET', '/v1/users?filter=ops');
    assert.deepEqual(
      users.body.users.map((u: { subject: string; roles: string[] }) => [u.subject, u.roles]),
      [['ops', ['admin']]],
    );
  });

  test('users, keys, policies and tags over HTTP', async () => {
    const created = await http('POST', '/v1/users', {
      subject: 'ana',
      email: 'ana@acme.test',
      roles: ['analyst'],
      attributes: { region: 'EU', clearance: 2, contractor: false },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.attributes, { region: 'EU', clearance: 2, contractor: false });
    const ana = created.body.id as string;

    assert.equal(
      (await http('PATCH', `/v1/users/${ana}`, { roles: ['admin'] })).status,
      400,
      'unknown fields',
    );
    const patched = await http('PATCH', `/v1/users/${ana}`, {
      display_name: 'Ana',
      set_attributes: { clearance: 3 },
    });
    assert.equal(patched.body.display_name, 'Ana');
    assert.equal(patched.body.attributes.clearance, 3);

    const key = await http('POST', '/v1/api-keys', {
      name: 'ana laptop',
      owner_user_id: ana,
      scopes: ['query', 'admin'],
    });
    assert.equal(key.status, 201);
    const secret = key.body.secret as string;
    // Ana has the admin scope on her key, but not the admin role.
    const refused = await http('GET', '/v1/users', undefined, secret);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'UNAUTHORIZED');

    const v1 = await http('PUT', '/v1/policies', {
      document: { grants: [] },
      expected_version: 0,
      comment: 'first',
    });
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.body.document, { grants: [] });
    assert.equal(v1.body.version, 1);
    const stale = await http('PUT', '/v1/policies', {
      document: { grants: [], masks: [] },
      expected_version: 0,
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'CONFLICT');
    assert.equal(
      (await http('PUT', '/v1/policies', { document: {} })).status,
      400,
      'expected_version is required',
    );
    assert.equal((await http('GET', '/v1/policies/versions')).body.versions.length, 1);
    assert.equal((await http('GET', '/v1/policies/versions/1')).body.comment, 'first');
    assert.equal((await http('GET', '/v1/policies/versions/7')).status, 404);

    const tags = await http('PUT', '/v1/tags', {
      table: 'lake.main.customers',
      tags: ['pii'],
      columns: { email: ['pii', 'contact'] },
    });
    assert.deepEqual(tags.body.columns, { email: ['contact', 'pii'] });
    assert.equal((await http('GET', '/v1/tags?table=lake.main.customers')).body.tables.length, 1);

    const rotated = await http('POST', `/v1/api-keys/${key.body.api_key.id}/rotate`, { grace_seconds: 0 });
    assert.equal(rotated.status, 200);
    assert.equal(
      (await http('GET', '/v1/tenant', undefined, secret)).status,
      401,
      'the old secret ended at once',
    );

    const deleted = await http('DELETE', `/v1/users/${ana}`);
    assert.deepEqual(deleted.body, { revoked_api_keys: 1 });
    assert.equal((await http('GET', '/v1/tenant', undefined, rotated.body.secret)).status, 401);
  });

  test('groups over HTTP and gRPC', async () => {
    const user = await http('POST', '/v1/users', { subject: 'gia' });
    const gia = user.body.id as string;
    const created = await http('POST', '/v1/groups', { name: 'ops-team', member_user_ids: [gia] });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.member_user_ids, [gia]);
    assert.deepEqual((await http('GET', `/v1/users/${gia}`)).body.groups, ['ops-team']);
    const patched = await http('PATCH', '/v1/groups/ops-team', {
      description: 'on call',
      remove_members: [gia],
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.description, 'on call');
    assert.deepEqual(patched.body.member_user_ids, []);
    assert.equal((await http('PATCH', '/v1/groups/ops-team', { members: [] })).status, 400, 'unknown fields');
    const listed = await http('GET', '/v1/groups');
    assert.deepEqual(
      listed.body.groups.map((g: { name: string }) => g.name),
      ['ops-team'],
    );
    const viaGrpc = await grpcCall<{ name: string; member_user_ids: string[] }>(client, 'UpdateGroup', {
      name: 'ops-team',
      add_members: [gia],
    });
    assert.deepEqual(viaGrpc.member_user_ids, [gia]);
    assert.equal(
      (await grpcCall<{ description: string }>(client, 'GetGroup', { name: 'ops-team' })).description,
      'on call',
    );
    assert.deepEqual((await http('DELETE', '/v1/groups/ops-team')).body, { removed_members: 1 });
    assert.equal((await http('GET', '/v1/groups/ops-team')).status, 404);
  });

  test('the same service over gRPC, with the error model in the trailers', async () => {
    const tenant = await grpcCall<{ id: string }>(client, 'GetTenant', {});
    assert.equal(tenant.id, 'acme');
    const user = await grpcCall<{ id: string; subject: string }>(client, 'CreateUser', {
      subject: 'grpc-user',
      roles: ['viewer'],
      attributes: { level: { int_value: 4 } },
    });
    const updated = await grpcCall<{ email: string; display_name: string; disabled: boolean }>(
      client,
      'UpdateUser',
      {
        id: user.id,
        email: 'g@acme.test',
      },
    );
    assert.equal(updated.email, 'g@acme.test');
    assert.equal(updated.disabled, false, 'optional fields not sent are left alone');

    const listed = await grpcCall<{ users: { subject: string }[] }>(client, 'ListUsers', { filter: 'grpc' });
    assert.deepEqual(
      listed.users.map((u) => u.subject),
      ['grpc-user'],
    );
    const conflict = await grpcCall(client, 'CreateUser', { subject: 'grpc-user' }).catch(
      (e: TributaryError) => e,
    );
    assert.equal((conflict as TributaryError).code, 'CONFLICT');
    const badCursor = await grpcCall(client, 'ListUsers', { page_token: '!!' }).catch(
      (e: TributaryError) => e,
    );
    assert.equal((badCursor as TributaryError).code, 'INVALID_ARGUMENT');

    const key = await grpcCall<{ secret: string }>(client, 'CreateApiKey', {
      name: 'g',
      owner_user_id: user.id,
    });
    const denied = await grpcCall(client, 'ListRoles', {}, key.secret).catch((e: TributaryError) => e);
    assert.equal((denied as TributaryError).code, 'UNAUTHORIZED');

    const policy = await grpcCall<{ version: number }>(client, 'GetPolicies', {});
    const stale = await grpcCall(client, 'PutPolicies', {
      document_json: '{}',
      expected_version: policy.version - 1,
    }).catch((e: TributaryError) => e);
    assert.equal((stale as TributaryError).code, 'CONFLICT');
  });

  test('queries are audited: refused by scope, failed for want of an edge', async () => {
    const owner = await http('POST', '/v1/users', { subject: 'qa', roles: ['analyst'] });
    const catalogOnly = await http('POST', '/v1/api-keys', {
      name: 'c',
      owner_user_id: owner.body.id,
      scopes: ['catalog'],
    });
    const queryKey = await http('POST', '/v1/api-keys', {
      name: 'q',
      owner_user_id: owner.body.id,
      scopes: ['query'],
    });

    const refused = await http('POST', '/v1/query', { sql: 'SELECT 1 AS one' }, catalogOnly.body.secret);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'UNAUTHORIZED');
    const failed = await http('POST', '/v1/query', { sql: 'SELECT 1 AS one' }, queryKey.body.secret);
    assert.equal(failed.status, 503, JSON.stringify(failed.body));

    const audit = await http('GET', '/v1/audit?kind=query&subject=qa');
    assert.equal(audit.status, 200);
    const records = audit.body.records as {
      key_id: string;
      query: { decision: string; error_code: string; sql: string; protocol: string };
    }[];
    assert.deepEqual(
      records.map((r) => [r.key_id, r.query.decision, r.query.error_code]),
      [
        [queryKey.body.api_key.id, 'failed', 'UNAVAILABLE'],
        [catalogOnly.body.api_key.id, 'refused', 'UNAUTHORIZED'],
      ],
    );
    assert.equal(records[0]?.query.sql, 'SELECT 1 AS one');
    assert.equal(records[0]?.query.protocol, 'http');

    const admin = await http('GET', '/v1/audit?kind=admin&page_size=2');
    assert.equal(admin.body.records.length, 2);
    assert.ok(admin.body.next_page_token);
    assert.equal(admin.body.records[0].admin.action, 'api_key.create');
    assert.equal(typeof admin.body.records[0].admin.after, 'object');
    assert.equal((await http('GET', '/v1/audit?page_token=garbage')).status, 400);
  });
});
