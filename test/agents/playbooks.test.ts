// Playbook agents over gRPC: steps bound from earlier results, assertions,
// a scope that only narrows the owner's access (a column the owner may read
// is refused to the agent; a table in the scope the owner may not read stays
// refused), the audit trail tying each query to the agent and its owner,
// versioned updates, visibility, limits and cancellation mid-query.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TributaryClient } from '@tributary/client';
import type { AgentRunEvent, CreateAgentRequest__Input } from '@tributary/core';
import { eventually, expectGrpcError } from '../support/assertions.js';
import { type AgentCluster, collect, kinds, startAgentCluster } from './support.js';

let env: AgentCluster;
let ann: TributaryClient;
let otto: TributaryClient;

const CUSTOMERS = 'lake.main.customers';
const LONG_AGGREGATE = 'SELECT count(*) AS n FROM range(1000000000000)';

function agent(overrides: Partial<CreateAgentRequest__Input> = {}): CreateAgentRequest__Input {
  return {
    name: `agent-${Math.random().toString(36).slice(2, 10)}`,
    description: 'customer report',
    instructions: 'Report on VIP customers.',
    tools: ['query.run', 'catalog.browse'],
    scope: {
      tables: [
        { table: CUSTOMERS, columns: ['id', 'country', 'vip'] },
        { table: 'warehouse.main.products', columns: [] },
      ],
    },
    playbook: [
      {
        name: 'vips',
        sql: `SELECT count(*) AS n FROM ${CUSTOMERS} WHERE vip = $1`,
        params: [{ value: { bool_value: true } }],
        assertions: ['row_count = 1', 'n > 0'],
      },
      {
        name: 'first',
        sql: `SELECT id, country FROM ${CUSTOMERS} WHERE id <= $1 ORDER BY id`,
        params: [{ ref: 'vips.n' }],
      },
    ],
    ...overrides,
  };
}

async function auditOf(queryId: string) {
  const response = await env.cluster.http('/v1/audit?kind=query&page_size=1000', {
    headers: env.headers.ada,
  });
  const body = (await response.json()) as {
    records: {
      subject: string;
      query: {
        query_id: string;
        decision: string;
        agent_id: string;
        agent_run_id: string;
        error_code: string;
        sql: string;
      };
    }[];
  };
  return body.records.find((r) => r.query.query_id === queryId);
}

before(async () => {
  env = await startAgentCluster({
    coordinator: { agents: { max_steps: 10, max_run_time_ms: 60_000, max_rows_per_step: 100 } },
  });
  ann = env.cluster.client({ token: env.tokens.ann });
  otto = env.cluster.client({ token: env.tokens.otto });
});

after(async () => {
  await env?.cluster.stop();
  env?.fixtures.cleanup();
});

describe('playbook agents over gRPC', () => {
  test('runs its steps in order, binding an earlier output, and keeps the transcript', async () => {
    const created = await ann.agents.createAgent(agent());
    assert.equal(created.owner, 'ann');
    assert.equal(created.version, 1);
    assert.match(created.id, /^agt_/);

    const events = await collect(ann.agents.runAgent({ id: created.id }));
    assert.deepEqual(kinds(events), [
      'run_started',
      'step_started',
      'tool_call',
      'tool_result',
      'step_started',
      'tool_call',
      'tool_result',
      'run_finished',
    ]);
    const results = events.filter((e) => e.kind === 'tool_result');
    assert.deepEqual(JSON.parse(results[0]?.rows_json ?? ''), [{ n: 3 }]);
    assert.deepEqual(JSON.parse(results[1]?.rows_json ?? ''), [
      { id: 1, country: 'GB' },
      { id: 2, country: 'ES' },
      { id: 3, country: 'CN' },
    ]);
    assert.equal(results[1]?.row_count, '3');
    const calls = events.filter((e) => e.kind === 'tool_call');
    assert.match(calls[1]?.sql ?? '', /WHERE id <= \$1/);
    // The bound value travels as a parameter, never inside the SQL.
    assert.doesNotMatch(calls[1]?.sql ?? '', /<= 3/);

    const runId = events[0]?.run_id as string;
    const run = await ann.agents.getAgentRun({ run_id: runId });
    assert.equal(run.status, 'succeeded');
    assert.equal(run.agent_version, 1);
    assert.equal(run.started_by, 'ann');
    assert.equal(run.events.length, events.length);
    assert.equal(run.query_ids.length, 2);
    assert.deepEqual(
      run.query_ids,
      results.map((r) => r.query_id),
    );
    const listed = await ann.agents.listAgentRuns({ agent_id: created.id });
    assert.deepEqual(
      listed.runs.map((r) => r.id),
      [runId],
    );

    // Each query is audited as the owner's, with the agent and the run.
    for (const queryId of run.query_ids) {
      const record = await eventually(() => auditOf(queryId), 10_000, `audit record of ${queryId}`);
      assert.equal(record.subject, 'ann');
      assert.equal(record.query.decision, 'allowed');
      assert.equal(record.query.agent_id, created.id);
      assert.equal(record.query.agent_run_id, runId);
    }
  });

  test('a column its owner may read but its scope excludes is refused, and nothing is returned', async () => {
    // The owner reads names…
    const own = await ann.query(`SELECT name FROM ${CUSTOMERS} ORDER BY id LIMIT 1`).toArray();
    assert.equal(own.length, 1);
    // …the agent may not.
    for (const sql of [`SELECT id, name FROM ${CUSTOMERS}`, `SELECT * FROM ${CUSTOMERS}`]) {
      const created = await ann.agents.createAgent(
        agent({ playbook: [{ name: 'names', sql, assertions: ['row_count > 0'] }] }),
      );
      const events = await collect(ann.agents.runAgent({ id: created.id }));
      assert.deepEqual(kinds(events), [
        'run_started',
        'step_started',
        'tool_call',
        'tool_error',
        'run_failed',
      ]);
      const refusal = events.find((e) => e.kind === 'tool_error') as AgentRunEvent;
      assert.equal(refusal.error?.code, 'QUERY_UNAUTHORIZED');
      assert.match(refusal.error?.message ?? '', /column name .*outside the agent's scope/);
      assert.ok(refusal.query_id, 'the refused query has an id');
      const failed = events.at(-1) as AgentRunEvent;
      assert.equal(failed.error?.code, 'QUERY_UNAUTHORIZED');
      assert.ok(!events.some((e) => e.rows_json !== ''), 'no rows reached the transcript');
      const run = await ann.agents.getAgentRun({ run_id: failed.run_id });
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'QUERY_UNAUTHORIZED');
      const record = await eventually(() => auditOf(refusal.query_id), 10_000, 'audit of the refusal');
      assert.equal(record.query.decision, 'refused');
      assert.equal(record.query.agent_id, created.id);
    }
  });

  test('its scope never widens its owner: a table in scope the owner may not read stays refused', async () => {
    const created = await ann.agents.createAgent(
      agent({ playbook: [{ name: 'products', sql: 'SELECT count(*) AS n FROM warehouse.main.products' }] }),
    );
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    const failed = events.at(-1) as AgentRunEvent;
    assert.equal(failed.kind, 'run_failed');
    assert.equal(failed.error?.code, 'QUERY_UNAUTHORIZED');
    assert.doesNotMatch(failed.error?.message ?? '', /agent's scope/);
  });

  test('a table outside its scope is refused although the owner may read it', async () => {
    const created = await ann.agents.createAgent(
      agent({ playbook: [{ name: 'orders', sql: 'SELECT count(*) AS n FROM lake.main.orders' }] }),
    );
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    const failed = events.at(-1) as AgentRunEvent;
    assert.equal(failed.error?.code, 'QUERY_UNAUTHORIZED');
    assert.match(failed.error?.message ?? '', /table lake\.main\.orders: outside the agent's scope/);
  });

  test('a failed assertion fails the run, naming the step', async () => {
    const created = await ann.agents.createAgent(
      agent({
        playbook: [
          { name: 'nobody', sql: `SELECT id FROM ${CUSTOMERS} WHERE id < 0`, assertions: ['row_count > 0'] },
        ],
      }),
    );
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    const failed = events.at(-1) as AgentRunEvent;
    assert.equal(failed.kind, 'run_failed');
    assert.equal(failed.error?.code, 'INVALID_ARGUMENT');
    assert.match(failed.error?.message ?? '', /step nobody: assertion row_count > 0 failed: row_count is 0/);
  });

  test('a saved query step binds its parameters by name from an earlier step', async () => {
    const saved = await env.cluster.http('/v1/queries', {
      method: 'POST',
      headers: env.headers.ann,
      json: {
        name: 'customers-up-to',
        sql: `SELECT id, country FROM ${CUSTOMERS} WHERE id <= $max ORDER BY id`,
        parameters: [{ name: 'max', type: 'integer' }],
      },
    });
    assert.equal(saved.status, 201);
    const savedId = ((await saved.json()) as { id: string }).id;
    const created = await ann.agents.createAgent(
      agent({
        tools: ['query.run', 'saved_query.run'],
        playbook: [
          { name: 'vips', sql: `SELECT count(*) AS n FROM ${CUSTOMERS} WHERE vip` },
          {
            name: 'listed',
            saved_query_id: savedId,
            params: [{ name: 'max', ref: 'vips.n' }],
            assertions: ['row_count = 3'],
          },
        ],
      }),
    );
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    assert.equal(events.at(-1)?.kind, 'run_finished');
    const call = events.filter((e) => e.kind === 'tool_call')[1] as AgentRunEvent;
    assert.equal(call.tool, 'saved_query.run');
    assert.deepEqual(JSON.parse(call.arguments_json), { id: savedId, parameters: { max: 3 } });
    assert.match(events.filter((e) => e.kind === 'tool_result')[1]?.sql ?? '', /WHERE id <= \$1/);
    const result = events.filter((e) => e.kind === 'tool_result')[1] as AgentRunEvent;
    assert.deepEqual(JSON.parse(result.rows_json), [
      { id: 1, country: 'GB' },
      { id: 2, country: 'ES' },
      { id: 3, country: 'CN' },
    ]);
    // The saved query is governed for the agent like any query: a saved query reading names is refused.
    const names = await env.cluster.http('/v1/queries', {
      method: 'POST',
      headers: env.headers.ann,
      json: { name: 'names', sql: `SELECT name FROM ${CUSTOMERS}` },
    });
    const namesId = ((await names.json()) as { id: string }).id;
    const refused = await ann.agents.createAgent(
      agent({ tools: ['saved_query.run'], playbook: [{ name: 'names', saved_query_id: namesId }] }),
    );
    const failed = (await collect(ann.agents.runAgent({ id: refused.id }))).at(-1) as AgentRunEvent;
    assert.equal(failed.error?.code, 'QUERY_UNAUTHORIZED');
  });

  test('updates are versioned: a stale expected_version is CONFLICT', async () => {
    const created = await ann.agents.createAgent(agent());
    const { id: _id, owner: _owner, ...definition } = { ...agent({ name: created.name }), id: '', owner: '' };
    const updated = await ann.agents.updateAgent({
      ...definition,
      id: created.id,
      description: 'changed',
      expected_version: 1,
    });
    assert.equal(updated.version, 2);
    assert.equal(updated.description, 'changed');
    await expectGrpcError(
      ann.agents.updateAgent({ ...definition, id: created.id, expected_version: 1 }),
      'CONFLICT',
    );
    assert.equal((await ann.agents.getAgent({ id: created.id })).version, 2);
  });

  test('bad definitions are refused with the field named', async () => {
    const cases: [Partial<CreateAgentRequest__Input>, RegExp][] = [
      [{ name: '' }, /name is required/],
      [{ tools: ['query.run', 'shell.exec'] }, /unknown tool "shell.exec"/],
      [{ scope: { tables: [{ table: 'customers', columns: [] }] } }, /source\.schema\.table/],
      [{ limits: { max_steps: 11 } }, /limits\.max_steps may be at most 10/],
      [{ playbook: [] }, /needs a playbook/],
      [{ provider: 'nowhere' }, /provider nowhere is not configured/],
      [{ playbook: [{ name: 'a', sql: 'SELECT 1', assertions: ['1; DROP TABLE x'] }] }, /is not <row_count/],
      [{ playbook: [{ name: 'a', sql: 'SELECT $1', params: [{ ref: 'later.n' }] }] }, /earlier step/],
      [{ tools: ['catalog.browse'] }, /needs the query\.run tool/],
    ];
    for (const [overrides, message] of cases) {
      const error = await expectGrpcError(ann.agents.createAgent(agent(overrides)), 'INVALID_ARGUMENT');
      assert.match(error.message, message);
    }
  });

  test('another user sees nothing of an agent; an admin sees it but may not run it', async () => {
    const created = await ann.agents.createAgent(agent());
    await expectGrpcError(otto.agents.getAgent({ id: created.id }), 'NOT_FOUND');
    await expectGrpcError(collect(otto.agents.runAgent({ id: created.id })), 'NOT_FOUND');
    assert.ok(!(await otto.agents.listAgents({})).agents.some((a) => a.id === created.id));
    const ada = env.cluster.client({ token: env.tokens.ada });
    assert.equal((await ada.agents.getAgent({ id: created.id })).owner, 'ann');
    await expectGrpcError(collect(ada.agents.runAgent({ id: created.id })), 'UNAUTHORIZED');
  });

  test('ListAgents pages by name with a cursor', async () => {
    const names = ['page-a', 'page-b', 'page-c'];
    const viewer = env.cluster.client({ token: env.tokens.otto });
    for (const name of names) await viewer.agents.createAgent(agent({ name }));
    const first = await viewer.agents.listAgents({ page_size: 2 });
    assert.deepEqual(
      first.agents.map((a) => a.name),
      ['page-a', 'page-b'],
    );
    const second = await viewer.agents.listAgents({ page_size: 2, page_token: first.next_page_token });
    assert.deepEqual(
      second.agents.map((a) => a.name),
      ['page-c'],
    );
    assert.equal(second.next_page_token, '');
  });

  test('deleting an agent removes it and its runs', async () => {
    const created = await ann.agents.createAgent(agent());
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    await ann.agents.deleteAgent({ id: created.id });
    await expectGrpcError(ann.agents.getAgent({ id: created.id }), 'NOT_FOUND');
    await expectGrpcError(ann.agents.getAgentRun({ run_id: events[0]?.run_id ?? '' }), 'NOT_FOUND');
  });
});

describe('limits', () => {
  test('max_steps: a playbook longer than the limit fails before the extra step', async () => {
    const created = await ann.agents.createAgent(
      agent({
        limits: { max_steps: 2 },
        playbook: ['one', 'two', 'three'].map((name) => ({ name, sql: 'SELECT 1 AS x' })),
      }),
    );
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    assert.equal(events.filter((e) => e.kind === 'tool_result').length, 2);
    const failed = events.at(-1) as AgentRunEvent;
    assert.equal(failed.kind, 'run_failed');
    assert.equal(failed.error?.code, 'PAYLOAD_TOO_LARGE');
    assert.match(failed.error?.message ?? '', /limit of 2 steps/);
  });

  test('max_rows_per_step: a result is cut at the limit and marked truncated', async () => {
    const created = await ann.agents.createAgent(
      agent({
        limits: { max_rows_per_step: 3 },
        playbook: [
          { name: 'all', sql: `SELECT id FROM ${CUSTOMERS} ORDER BY id`, assertions: ['row_count = 3'] },
        ],
      }),
    );
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    const result = events.find((e) => e.kind === 'tool_result') as AgentRunEvent;
    assert.equal(result.row_count, '3');
    assert.equal(result.truncated, true);
    assert.equal(events.at(-1)?.kind, 'run_finished');
  });

  test('max_run_time_ms: a run still running at its limit fails and its query is interrupted', async () => {
    const created = await ann.agents.createAgent(
      agent({ limits: { max_run_time_ms: 1_500 }, playbook: [{ name: 'long', sql: LONG_AGGREGATE }] }),
    );
    const events = await collect(ann.agents.runAgent({ id: created.id }));
    const failed = events.at(-1) as AgentRunEvent;
    assert.equal(failed.kind, 'run_failed');
    assert.equal(failed.error?.code, 'DEADLINE_EXCEEDED');
    assert.match(failed.error?.message ?? '', /limit of 1500 ms/);
    const queryId = events.find((e) => e.kind === 'tool_error')?.query_id as string;
    const record = await eventually(() => auditOf(queryId), 10_000, 'audit of the interrupted query');
    assert.equal(record.query.decision, 'failed');
  });

  test('cancellation mid-run interrupts the running query', async () => {
    const created = await ann.agents.createAgent(
      agent({
        playbook: [
          { name: 'long', sql: LONG_AGGREGATE },
          { name: 'never', sql: 'SELECT 1' },
        ],
      }),
    );
    const stream = ann.agents.runAgent({ id: created.id });
    const seen: AgentRunEvent[] = [];
    let cancelled: Promise<unknown> | undefined;
    for await (const event of stream) {
      seen.push(event);
      if (event.kind === 'tool_call') cancelled = ann.agents.cancelAgentRun({ run_id: event.run_id });
    }
    const run = (await cancelled) as Awaited<ReturnType<typeof ann.agents.cancelAgentRun>>;
    assert.equal(run.status, 'cancelled');
    assert.equal(run.error?.code, 'CANCELLED');
    assert.match(run.error?.message ?? '', /cancelled by ann/);
    assert.deepEqual(kinds(seen), ['run_started', 'step_started', 'tool_call', 'tool_error', 'run_failed']);
    assert.ok(!seen.some((e) => e.step_name === 'never'), 'no step started after the cancel');
    const queryId = seen.find((e) => e.kind === 'tool_error')?.query_id as string;
    const record = await eventually(() => auditOf(queryId), 10_000, 'audit of the cancelled query');
    assert.equal(record.query.decision, 'failed');
    // A finished run is returned unchanged by a second cancel.
    assert.equal((await ann.agents.cancelAgentRun({ run_id: run.id })).status, 'cancelled');
  });
});
