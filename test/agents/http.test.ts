// Agents over HTTP: CRUD under /v1/agents, runs streamed as NDJSON or
// server-sent events, transcripts and cancellation under /v1/agent-runs,
// structured errors, and API keys that authenticate as the agent itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, expectHttpError } from '../support/assertions.js';
import { type AgentCluster, kinds, ndjson, startAgentCluster } from './support.js';

let env: AgentCluster;

interface RunEvent {
  run_id: string;
  kind: string;
  sql: string;
  query_id: string;
  row_count: number;
  rows_json: string;
  error?: { code: string; message: string };
}

const DEFINITION = {
  name: 'vip-report',
  description: 'VIP customers by country',
  tools: ['query.run', 'catalog.browse'],
  scope: { tables: [{ table: 'lake.main.customers', columns: ['id', 'country', 'vip'] }] },
  limits: { max_rows_per_step: 50 },
  playbook: [
    {
      name: 'vips',
      sql: 'SELECT count(*) AS n FROM lake.main.customers WHERE vip = $1',
      params: [{ value: true }],
      assertions: ['n > 0'],
    },
    {
      name: 'first',
      sql: 'SELECT id, country FROM lake.main.customers WHERE id <= $1 ORDER BY id',
      params: [{ ref: 'vips.n' }],
    },
  ],
};

function call(method: string, path: string, headers: Record<string, string>, json?: unknown) {
  return env.cluster.http(path, { method, headers, json });
}

before(async () => {
  env = await startAgentCluster();
});

after(async () => {
  await env?.cluster.stop();
  env?.fixtures.cleanup();
});

describe('agents over HTTP', () => {
  let id = '';

  test('create, read, list, update with a version check', async () => {
    const created = await call('POST', '/v1/agents', env.headers.ann, DEFINITION);
    assert.equal(created.status, 201);
    const agent = (await created.json()) as Record<string, unknown> & { id: string };
    id = agent.id;
    assert.equal(created.headers.get('location'), `/v1/agents/${id}`);
    assert.equal(agent.owner, 'ann');
    assert.equal(agent.version, 1);
    assert.deepEqual(agent.limits, { max_steps: 0, max_run_time_ms: 0, max_rows_per_step: 50 });
    assert.deepEqual((agent.playbook as { params: unknown[] }[])[0]?.params, [{ name: '', value: true }]);

    const read = await call('GET', `/v1/agents/${id}`, env.headers.ann);
    assert.equal(((await read.json()) as { name: string }).name, 'vip-report');
    const list = (await (await call('GET', '/v1/agents', env.headers.ann)).json()) as {
      agents: { id: string }[];
    };
    assert.deepEqual(
      list.agents.map((a) => a.id),
      [id],
    );

    const updated = await call('PUT', `/v1/agents/${id}`, env.headers.ann, {
      ...DEFINITION,
      description: 'changed',
      expected_version: 1,
    });
    assert.equal(updated.status, 200);
    assert.equal(((await updated.json()) as { version: number }).version, 2);
    const stale = await call('PUT', `/v1/agents/${id}`, env.headers.ann, {
      ...DEFINITION,
      expected_version: 1,
    });
    await expectHttpError(stale, 409, 'CONFLICT');
  });

  test('bad input is a structured error', async () => {
    await expectHttpError(
      await call('POST', '/v1/agents', env.headers.ann, { ...DEFINITION, bogus: 1 }),
      400,
      'INVALID_ARGUMENT',
    );
    await expectHttpError(
      await call('POST', '/v1/agents', env.headers.ann, { ...DEFINITION, name: 'other', tools: 'query.run' }),
      400,
      'INVALID_ARGUMENT',
    );
    await expectHttpError(await call('POST', '/v1/agents', env.headers.ann, DEFINITION), 409, 'CONFLICT');
    await expectHttpError(await call('GET', '/v1/agents/agt_nope', env.headers.ann), 404, 'NOT_FOUND');
    await expectHttpError(await call('GET', `/v1/agents/${id}`, env.headers.otto), 404, 'NOT_FOUND');
    await expectHttpError(
      await call('POST', `/v1/agents/${id}/runs`, env.headers.otto, {}),
      404,
      'NOT_FOUND',
    );
    await expectHttpError(await call('GET', '/v1/agent-runs/arun_nope', env.headers.ann), 404, 'NOT_FOUND');
    await expectHttpError(await call('POST', `/v1/agents/${id}/runs`, {}, {}), 401, 'UNAUTHENTICATED');
  });

  test('a run streams as NDJSON; its transcript names every query', async () => {
    const response = await call('POST', `/v1/agents/${id}/runs`, env.headers.ann, {});
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const runId = response.headers.get('x-agent-run-id') as string;
    const events = await ndjson<RunEvent>(response);
    assert.equal(events.at(-1)?.kind, 'run_finished');
    assert.ok(events.every((e) => e.run_id === runId));
    const results = events.filter((e) => e.kind === 'tool_result');
    assert.deepEqual(
      results.map((r) => r.row_count),
      [1, 3],
    );

    const run = (await (await call('GET', `/v1/agent-runs/${runId}`, env.headers.ann)).json()) as {
      status: string;
      query_ids: string[];
      events: RunEvent[];
    };
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(
      run.query_ids,
      results.map((r) => r.query_id),
    );
    assert.deepEqual(kinds(run.events), kinds(events));
    const runs = (await (await call('GET', `/v1/agents/${id}/runs`, env.headers.ann)).json()) as {
      runs: { id: string; events: unknown[] }[];
    };
    assert.equal(runs.runs[0]?.id, runId);
    assert.deepEqual(runs.runs[0]?.events, []);
  });

  test('a run streams as server-sent events when asked', async () => {
    const response = await call(
      'POST',
      `/v1/agents/${id}/runs`,
      { ...env.headers.ann, accept: 'text/event-stream' },
      {},
    );
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await response.text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.equal(names[0], 'run_started');
    assert.equal(names.at(-1), 'run_finished');
    const data = [...text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1] as string) as RunEvent);
    assert.equal(data.length, names.length);
  });

  test('cancel over HTTP stops a running run', async () => {
    const created = await call('POST', '/v1/agents', env.headers.ann, {
      ...DEFINITION,
      name: 'long-runner',
      playbook: [{ name: 'long', sql: 'SELECT count(*) AS n FROM range(1000000000000)' }],
    });
    const agentId = ((await created.json()) as { id: string }).id;
    const response = await call('POST', `/v1/agents/${agentId}/runs`, env.headers.ann, {});
    const runId = response.headers.get('x-agent-run-id') as string;
    const body = ndjson<RunEvent>(response);
    await eventually(async () => {
      const run = (await (await call('GET', `/v1/agent-runs/${runId}`, env.headers.ann)).json()) as {
        events: RunEvent[];
      };
      return run.events.some((e) => e.kind === 'tool_call');
    });
    const cancelled = await call('POST', `/v1/agent-runs/${runId}/cancel`, env.headers.ann);
    assert.equal(cancelled.status, 200);
    assert.equal(((await cancelled.json()) as { status: string }).status, 'cancelled');
    const events = await body;
    assert.equal(events.at(-1)?.kind, 'run_failed');
    assert.equal(events.at(-1)?.error?.code, 'CANCELLED');
  });

  test('an agent key authenticates as the agent: the owner narrowed by the scope', async () => {
    // Keys belong to stored users: an admin stores the owner first.
    await expectHttpError(
      await call('POST', `/v1/agents/${id}/api-keys`, env.headers.ann, { name: 'cron' }),
      400,
      'INVALID_ARGUMENT',
    );
    const user = await call('POST', '/v1/users', env.headers.ada, { subject: 'ann', roles: ['analyst'] });
    assert.equal(user.status, 201);
    const issued = await call('POST', `/v1/agents/${id}/api-keys`, env.headers.ann, { name: 'cron' });
    assert.equal(issued.status, 201);
    const { key, secret } = (await issued.json()) as {
      key: { id: string; scopes: string[] };
      secret: string;
    };
    assert.deepEqual(key.scopes, ['query', 'catalog', `agent:${id}`]);
    const asAgent = { 'x-api-key': secret };

    const allowed = await call('POST', '/v1/query', asAgent, {
      sql: 'SELECT id FROM lake.main.customers ORDER BY id LIMIT 2',
    });
    assert.equal(allowed.status, 200);
    const refused = await call('POST', '/v1/query', asAgent, { sql: 'SELECT name FROM lake.main.customers' });
    const error = await expectHttpError(refused, 403, 'QUERY_UNAUTHORIZED');
    assert.match(error.message, /outside the agent's scope/);
    await expectHttpError(
      await call('POST', '/v1/query', asAgent, { sql: 'SELECT * FROM lake.main.orders' }),
      403,
      'QUERY_UNAUTHORIZED',
    );

    const tables = (await (await call('GET', '/v1/catalog/tables', asAgent)).json()) as {
      tables: { ref: { table: string } }[];
    };
    assert.deepEqual(
      tables.tables.map((t) => t.ref.table),
      ['customers'],
    );
    const described = (await (
      await call('GET', '/v1/catalog/tables/lake.main.customers', asAgent)
    ).json()) as {
      columns: { name: string }[];
    };
    assert.deepEqual(
      described.columns.map((c) => c.name),
      ['id', 'country', 'vip'],
    );

    // The agent runs itself, but cannot manage agents.
    const run = await call('POST', `/v1/agents/${id}/runs`, asAgent, {});
    assert.equal((await ndjson<RunEvent>(run)).at(-1)?.kind, 'run_finished');
    await expectHttpError(
      await call('POST', '/v1/agents', asAgent, { ...DEFINITION, name: 'spawn' }),
      403,
      'UNAUTHORIZED',
    );

    // Revoked through the ordinary key API, it stops working at once.
    assert.equal((await call('DELETE', `/v1/api-keys/${key.id}`, env.headers.ada)).status, 200);
    await expectHttpError(await call('GET', `/v1/agents/${id}`, asAgent), 401, 'UNAUTHENTICATED');
  });

  test('delete removes the agent', async () => {
    assert.equal((await call('DELETE', `/v1/agents/${id}`, env.headers.ann)).status, 204);
    await expectHttpError(await call('GET', `/v1/agents/${id}`, env.headers.ann), 404, 'NOT_FOUND');
  });
});
