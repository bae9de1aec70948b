// Saved queries over HTTP: versions, typed parameters bound by name,
// execution (streamed or as a run) governed for the caller, ownership,
// audit, and structured errors for bad definitions and bad parameters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, expectHttpError, httpQuery } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { signToken } from '../support/jwt.js';

const POLICIES = {
  grants: [
    { id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
    { id: 'restricted-lake', effect: 'allow', to: { role: 'restricted' }, on: { source: 'lake' } },
  ],
  rowFilters: [
    {
      id: 'europe-only',
      table: 'lake.main.customers',
      predicate: "country IN ('DE', 'FR', 'ES', 'GB')",
      applies_to: { roles: ['restricted'] },
    },
  ],
  masks: [
    {
      id: 'names',
      table: 'lake.main.customers',
      column: 'name',
      mask: { kind: 'redact' },
      unless: { roles: ['analyst'] },
    },
  ],
};

interface SavedQuery {
  id: string;
  name: string;
  owner: string;
  version: number;
  sql: string;
  parameters: { name: string; type: string; default?: unknown }[];
  links: { self: string; versions: string; execute: string };
}

let fixtures: Fixtures;
let cluster: Cluster;
let ann: Record<string, string>;
let otto: Record<string, string>;
let rita: Record<string, string>;
let admin: Record<string, string>;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    policies: POLICIES,
  });
  const bearer = async (sub: string, roles: string[]) => ({
    authorization: `Bearer ${await signToken(cluster, { sub, roles })}`,
  });
  ann = await bearer('ann', ['analyst']);
  otto = await bearer('otto', ['analyst']);
  rita = await bearer('rita', ['restricted']);
  admin = await bearer('ada', ['admin']);
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  json?: unknown,
): Promise<Response> {
  return cluster.http(path, { method, headers, json });
}

async function ok<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, text.slice(0, 500));
  return JSON.parse(text) as T;
}

const ORDERS_BY_STATUS = {
  name: 'orders by status',
  description: 'Orders in one status above an amount',
  sql: 'SELECT order_id, status, amount FROM lake.main.orders WHERE status = $status AND amount >= $min_amount ORDER BY order_id',
  parameters: [
    { name: 'status', type: 'string', description: 'pending, shipped or returned' },
    { name: 'min_amount', type: 'number', default: 0 },
  ],
  comment: 'first cut',
};

describe('saved queries', () => {
  let query: SavedQuery;

  before(async () => {
    const response = await call('POST', '/v1/queries', ann, ORDERS_BY_STATUS);
    query = await ok<SavedQuery>(response, 201);
    assert.equal(response.headers.get('location'), `/v1/queries/${query.id}`);
  });

  test('created with its parameters, readable by the tenant, listed in pages', async () => {
    assert.match(query.id, /^sq_/);
    assert.equal(query.version, 1);
    assert.equal(query.owner, 'ann');
    assert.deepEqual(query.parameters, [
      { name: 'status', type: 'string', description: 'pending, shipped or returned' },
      { name: 'min_amount', type: 'number', default: 0 },
    ]);
    assert.deepEqual(await ok(await call('GET', `/v1/queries/${query.id}`, otto)), query);
    for (const name of ['a first', 'b second']) {
      await ok(await call('POST', '/v1/queries', otto, { name, sql: 'SELECT 1 AS one' }), 201);
    }
    const names: string[] = [];
    let token = '';
    do {
      const page = await ok<{ queries: SavedQuery[]; next_page_token: string }>(
        await call('GET', `/v1/queries?page_size=2${token ? `&page_token=${token}` : ''}`, rita),
      );
      assert.ok(page.queries.length <= 2);
      names.push(...page.queries.map((q) => q.name));
      token = page.next_page_token;
    } while (token);
    assert.deepEqual(names, ['a first', 'b second', 'orders by status']);
    const filtered = await ok<{ queries: SavedQuery[] }>(await call('GET', '/v1/queries?filter=STATUS', ann));
    assert.deepEqual(
      filtered.queries.map((q) => q.id),
      [query.id],
    );
  });

  test('execute binds parameters by name and equals the same query with bound values', async () => {
    const direct = await httpQuery(
      cluster,
      'SELECT order_id, status, amount FROM lake.main.orders WHERE status = $1 AND amount >= $2 ORDER BY order_id',
      { params: ['shipped', 500.5] },
    );
    assert.ok(direct.data.length > 0);
    const executed = await ok<{ data: unknown[] }>(
      await call('POST', `/v1/queries/${query.id}/execute`, otto, {
        parameters: { status: 'shipped', min_amount: 500.5 },
      }),
    );
    assert.deepEqual(executed.data, direct.data);
    // The default applies; a value that looks like SQL is only ever a value.
    const all = await ok<{ data: unknown[] }>(
      await call('POST', `/v1/queries/${query.id}/execute`, otto, { parameters: { status: 'returned' } }),
    );
    assert.equal(all.data.length, 10);
    const injected = await ok<{ data: unknown[] }>(
      await call('POST', `/v1/queries/${query.id}/execute`, otto, {
        parameters: { status: "shipped' OR '1'='1" },
      }),
    );
    assert.deepEqual(injected.data, []);
  });

  test('PATCH saves a new version; versions are listed and each can be executed', async () => {
    const patched = await ok<SavedQuery>(
      await call('PATCH', `/v1/queries/${query.id}`, ann, {
        sql: 'SELECT count(*) AS n FROM lake.main.orders WHERE status = $status',
        parameters: [{ name: 'status', type: 'string' }],
        comment: 'count only',
        expected_version: 1,
      }),
    );
    assert.equal(patched.version, 2);
    assert.equal(patched.name, ORDERS_BY_STATUS.name);
    const versions = await ok<{
      versions: { version: number; author: string; comment: string }[];
      next_page_token: string;
    }>(await call('GET', `/v1/queries/${query.id}/versions?page_size=1`, otto));
    assert.deepEqual(
      versions.versions.map((v) => [v.version, v.author, v.comment]),
      [[2, 'ann', 'count only']],
    );
    assert.ok(versions.next_page_token);
    const older = await ok<{ versions: { version: number }[]; next_page_token: string }>(
      await call(
        'GET',
        `/v1/queries/${query.id}/versions?page_size=1&page_token=${versions.next_page_token}`,
        otto,
      ),
    );
    assert.deepEqual(
      older.versions.map((v) => v.version),
      [1],
    );
    assert.equal(older.next_page_token, '');
    const v1 = await ok<{ sql: string; parameters: unknown[] }>(
      await call('GET', `/v1/queries/${query.id}/versions/1`, otto),
    );
    assert.equal(v1.sql, ORDERS_BY_STATUS.sql);
    assert.equal(v1.parameters.length, 2);

    const now = await ok<{ data: unknown[] }>(
      await call('POST', `/v1/queries/${query.id}/execute`, otto, { parameters: { status: 'returned' } }),
    );
    assert.deepEqual(now.data, [{ n: 10 }]);
    const then = await ok<{ data: unknown[] }>(
      await call('POST', `/v1/queries/${query.id}/execute`, otto, {
        version: 1,
        parameters: { status: 'returned' },
      }),
    );
    assert.equal(then.data.length, 10);
    // Editing from a stale version is refused.
    await expectHttpError(
      await call('PATCH', `/v1/queries/${query.id}`, ann, { description: 'x', expected_version: 1 }),
      409,
      'CONFLICT',
    );
  });

  test('execute as a run: async and async_after_ms, the run names the saved query', async () => {
    const accepted = await call('POST', `/v1/queries/${query.id}/execute`, otto, {
      parameters: { status: 'pending' },
      async: true,
    });
    const run = await ok<{ query_run_id: string }>(accepted, 202);
    const done = await eventually(async () => {
      const state = await ok<{ status: string; saved_query: unknown }>(
        await call('GET', `/v1/query-runs/${run.query_run_id}`, otto),
      );
      return state.status === 'succeeded' ? state : undefined;
    });
    assert.deepEqual(done.saved_query, { id: query.id, version: 2 });
    const result = await ok<{ data: unknown[] }>(await call('GET', `/v1/results/${run.query_run_id}`, otto));
    assert.deepEqual(result.data, [{ n: 10 }]);
    const inline = await ok<{ data: unknown[] }>(
      await call('POST', `/v1/queries/${query.id}/execute`, otto, {
        parameters: { status: 'pending' },
        async_after_ms: 30_000,
      }),
    );
    assert.deepEqual(inline.data, [{ n: 10 }]);
  });

  test('execution is governed for the caller', async () => {
    const customers = await ok<SavedQuery>(
      await call('POST', '/v1/queries', ann, {
        name: 'customers from',
        sql: 'SELECT id, name, country FROM lake.main.customers WHERE id >= $from_id ORDER BY id',
        parameters: [{ name: 'from_id', type: 'integer' }],
      }),
      201,
    );
    const asAnn = await ok<{ data: { name: string }[] }>(
      await call('POST', `/v1/queries/${customers.id}/execute`, ann, { parameters: { from_id: 1 } }),
    );
    assert.equal(asAnn.data.length, 7);
    assert.ok(asAnn.data.some((row) => row.name === 'Ada Lovelace'));
    const asRita = await ok<{ data: { name: string; country: string }[] }>(
      await call('POST', `/v1/queries/${customers.id}/execute`, rita, { parameters: { from_id: '1' } }),
    );
    assert.deepEqual(
      asRita.data.map((row) => row.country),
      ['GB', 'ES', 'DE', 'FR'],
    );
    assert.ok(asRita.data.every((row) => row.name === '***'));
  });

  test('only the creator and tenant admins change or delete; changes are audited', async () => {
    await expectHttpError(
      await call('PATCH', `/v1/queries/${query.id}`, otto, { description: 'mine now' }),
      403,
      'UNAUTHORIZED',
    );
    await expectHttpError(await call('DELETE', `/v1/queries/${query.id}`, otto), 403, 'UNAUTHORIZED');
    const byAdmin = await ok<SavedQuery>(
      await call('PATCH', `/v1/queries/${query.id}`, admin, { description: 'reviewed' }),
    );
    assert.equal(byAdmin.version, 3);
    assert.equal(byAdmin.owner, 'ann');

    const audit = await eventually(async () => {
      const page = await ok<{ records: { admin?: { action: string; target: string }; subject: string }[] }>(
        await call('GET', '/v1/audit?kind=admin&page_size=100', admin),
      );
      const actions = page.records
        .filter((r) => r.admin?.target === query.id)
        .map((r) => `${r.subject}:${r.admin?.action}`);
      return actions.length >= 3 ? actions : undefined;
    });
    assert.deepEqual([...audit].sort(), [
      'ada:saved_query.update',
      'ann:saved_query.create',
      'ann:saved_query.update',
    ]);

    const deleted = await call('DELETE', `/v1/queries/${query.id}`, ann);
    assert.equal(deleted.status, 204);
    await expectHttpError(await call('GET', `/v1/queries/${query.id}`, ann), 404, 'NOT_FOUND');
    await expectHttpError(await call('GET', `/v1/queries/${query.id}/versions`, ann), 404, 'NOT_FOUND');
    await expectHttpError(await call('POST', `/v1/queries/${query.id}/execute`, ann, {}), 404, 'NOT_FOUND');
  });

  test('bad definitions and bad executions get structured errors', async () => {
    const target = await ok<SavedQuery>(
      await call('POST', '/v1/queries', ann, {
        name: 'typed',
        sql: 'SELECT $n AS n, $flag AS flag, $day AS day',
        parameters: [
          { name: 'n', type: 'integer' },
          { name: 'flag', type: 'boolean' },
          { name: 'day', type: 'date' },
        ],
      }),
      201,
    );
    const run = (parameters: unknown, extra: Record<string, unknown> = {}) =>
      call('POST', `/v1/queries/${target.id}/execute`, ann, { parameters, ...extra });
    const good = await ok<{ data: unknown[] }>(await run({ n: 7, flag: true, day: '2024-02-29' }));
    assert.deepEqual(good.data, [{ n: 7, flag: true, day: '2024-02-29' }]);

    const executions: [unknown, Record<string, unknown>, RegExp][] = [
      [{ n: 7, flag: true }, {}, /missing parameter "day"/],
      [{ n: 'seven', flag: true, day: '2024-01-01' }, {}, /"n" must be an integer/],
      [{ n: 7, flag: 'yes', day: '2024-01-01' }, {}, /"flag" must be true or false/],
      [{ n: 7, flag: true, day: '01/02/2024' }, {}, /"day" must be a date/],
      [{ n: 7, flag: true, day: '2024-01-01', extra: 1 }, {}, /unknown parameter "extra"/],
      [[7, true], {}, /parameters must be an object/],
      [{ n: 7, flag: true, day: '2024-01-01' }, { version: 'latest' }, /version must be a positive integer/],
      [{ n: 7, flag: true, day: '2024-01-01' }, { sql: 'SELECT 1' }, /unknown field sql/],
    ];
    for (const [parameters, extra, message] of executions) {
      const error = await expectHttpError(await run(parameters, extra), 400, 'INVALID_ARGUMENT');
      assert.match(error.message, message);
    }
    await expectHttpError(
      await run({ n: 1, flag: true, day: '2024-01-01' }, { version: 9 }),
      404,
      'NOT_FOUND',
    );

    const definitions: [Record<string, unknown>, RegExp][] = [
      [{ name: 'x', sql: 'SELECT $a' }, /\$a is not a declared parameter/],
      [
        { name: 'x', sql: 'SELECT 1', parameters: [{ name: 'a', type: 'string' }] },
        /"a" is declared but not used/,
      ],
      [{ name: 'x', sql: 'SELECT $1', parameters: [] }, /name their parameters/],
      [{ name: 'x', sql: 'SELECT $a', parameters: [{ name: 'a', type: 'uuid' }] }, /type must be one of/],
      [{ name: 'x', sql: 'SELEC 1' }, /^sql: /],
      [{ name: 'x', sql: 'DROP TABLE lake.main.orders' }, /^sql: /],
      [{ name: '', sql: 'SELECT 1' }, /name is required/],
      [{ sql: 'SELECT 1' }, /name is required/],
      [{ name: 'x' }, /sql is required/],
      [{ name: 'x', sql: 'SELECT 1', owner: 'mallory' }, /unknown field owner/],
    ];
    for (const [definition, message] of definitions) {
      const error = await expectHttpError(
        await call('POST', '/v1/queries', ann, definition),
        400,
        'INVALID_ARGUMENT',
      );
      assert.match(error.message, message);
    }
    await expectHttpError(
      await call('POST', '/v1/queries', ann, { name: 'typed', sql: 'SELECT 1' }),
      409,
      'CONFLICT',
    );
    await expectHttpError(await call('GET', '/v1/queries/sq_unknown000000000', ann), 404, 'NOT_FOUND');
    await expectHttpError(
      await call('GET', `/v1/queries/${target.id}/versions/0`, ann),
      400,
      'INVALID_ARGUMENT',
    );
    await expectHttpError(await call('GET', '/v1/queries?page_token=bogus', ann), 400, 'INVALID_ARGUMENT');
  });
});

describe('every listing pages with page_size and page_token', () => {
  async function walk(path: string, field: string, headers: Record<string, string>): Promise<unknown[][]> {
    const pages: unknown[][] = [];
    let token = '';
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await ok<Record<string, unknown>>(
        await call(
          'GET',
          `${path}${separator}page_size=1${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
          headers,
        ),
      );
      pages.push(page[field] as unknown[]);
      token = String(page.next_page_token ?? '');
    } while (token);
    return pages;
  }

  test('roles, groups, API keys, tags and sources', async () => {
    const created = await call('POST', '/v1/groups', admin, { name: 'paging-a' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/v1/groups/paging-a');
    await ok(await call('POST', '/v1/groups', admin, { name: 'paging-b' }), 201);
    const user = await call('POST', '/v1/users', admin, { subject: 'paged-user' });
    const { id } = await ok<{ id: string }>(user, 201);
    assert.equal(user.headers.get('location'), `/v1/users/${id}`);
    for (const name of ['k1', 'k2']) {
      await ok(
        await call('POST', '/v1/api-keys', admin, { name, owner_user_id: id, scopes: ['query'] }),
        201,
      );
    }
    for (const table of ['lake.main.orders', 'lake.main.customers']) {
      await ok(await call('PUT', '/v1/tags', admin, { table, tags: ['paged'] }));
    }
    const cases: [string, string, Record<string, string>, number][] = [
      ['/v1/roles', 'roles', admin, 3],
      ['/v1/groups', 'groups', admin, 2],
      [`/v1/api-keys?owner_user_id=${id}`, 'api_keys', admin, 2],
      ['/v1/tags', 'tables', admin, 2],
      ['/v1/catalog/sources', 'sources', ann, 1],
    ];
    for (const [path, field, headers, atLeast] of cases) {
      const pages = await walk(path, field, headers);
      assert.ok(pages.length >= atLeast, `${path}: ${pages.length} pages`);
      for (const page of pages) assert.equal(page.length, 1, path);
      const whole = await ok<Record<string, unknown[]>>(await call('GET', path, headers));
      assert.deepEqual(pages.flat(), whole[field], `${path}: the pages make up the whole list`);
    }
    await expectHttpError(await call('GET', '/v1/roles?page_token=nope', admin), 400, 'INVALID_ARGUMENT');
    await expectHttpError(await call('GET', '/v1/groups?page_size=5000', admin), 400, 'INVALID_ARGUMENT');
    await expectHttpError(
      await call('GET', '/v1/catalog/sources?page_token=x', ann),
      400,
      'INVALID_ARGUMENT',
    );
  });
});
