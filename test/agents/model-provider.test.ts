// Agents with a model provider: a local OpenAI-compatible chat-completions
// server (node:http) scripted to ask for tools. A request for a table outside
// the agent's scope is refused, the model sees the refusal and the run
// records it; the provider's key is sent only to the provider, never stored
// or logged; max_steps bounds a model that never stops; a failing provider
// fails the run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TributaryClient } from '@tributary/client';
import type { AgentRunEvent } from '@tributary/core';
import { eventually } from '../support/assertions.js';
import { type AgentCluster, collect, kinds, startAgentCluster } from './support.js';

interface ChatRequest {
  model: string;
  messages: { role: string; content: string | null; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string } }[];
}

const SECRET = `sk-test-${randomBytes(16).toString('hex')}`;
const received: { headers: IncomingHttpHeaders; body: ChatRequest }[] = [];
let provider: Server;
let env: AgentCluster;
let ann: TributaryClient;

function toolCall(id: string, name: string, args: unknown) {
  return {
    id,
    type: 'function',
    function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
  };
}

/** The scripted model: what it answers depends on the scenario (the question) and the turn. */
function reply(body: ChatRequest): { status: number; message?: Record<string, unknown> } {
  const question = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const turn = body.messages.filter((m) => m.role === 'tool').length;
  if (question === 'broken') return { status: 500 };
  if (question === 'forever') {
    return {
      status: 200,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [toolCall(`c${turn}`, 'query_run', { sql: 'SELECT 1 AS x' })],
      },
    };
  }
  if (turn === 0) {
    // Asks for a table outside the scope, for a tool the agent lacks, and with unreadable arguments.
    return {
      status: 200,
      message: {
        role: 'assistant',
        content: 'Let me look at the orders first.',
        tool_calls: [
          toolCall('c1', 'query_run', { sql: 'SELECT customer_id, amount FROM lake.main.orders' }),
          toolCall('c2', 'catalog_describe', { table: 'lake.main.orders' }),
          toolCall('c3', 'query_run', '{not json'),
        ],
      },
    };
  }
  if (turn === 3) {
    return {
      status: 200,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          toolCall('c4', 'query_run', {
            sql: 'SELECT country, count(*) AS n FROM lake.main.customers WHERE country IS NOT NULL GROUP BY country ORDER BY n DESC, country LIMIT $1',
            params: [2],
          }),
        ],
      },
    };
  }
  const last = body.messages.at(-1)?.content ?? '{}';
  const rows = (JSON.parse(last) as { rows?: { country: string }[] }).rows ?? [];
  return {
    status: 200,
    message: { role: 'assistant', content: `Top countries: ${rows.map((r) => r.country).join(', ')}` },
  };
}

before(async () => {
  provider = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      const body = JSON.parse(text) as ChatRequest;
      received.push({ headers: request.headers, body });
      const answer = request.url === '/v1/chat/completions' ? reply(body) : { status: 404 };
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          answer.message ? { choices: [{ index: 0, message: answer.message }] } : { error: 'no' },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const port = (provider.address() as AddressInfo).port;
  env = await startAgentCluster({
    coordinator: {
      agents: {
        max_steps: 10,
        providers: [
          {
            name: 'local',
            url: `http://127.0.0.1:${port}/v1`,
            model: 'scripted-model',
            api_key_env: 'TRIBUTARY_TEST_MODEL_KEY',
          },
        ],
      },
    },
    env: { TRIBUTARY_TEST_MODEL_KEY: SECRET },
  });
  ann = env.cluster.client({ token: env.tokens.ann });
});

after(async () => {
  await env?.cluster.stop();
  env?.fixtures.cleanup();
  await new Promise((resolve) => provider?.close(resolve));
});

async function modelAgent(name: string, limits = {}) {
  return ann.agents.createAgent({
    name,
    instructions: 'You answer questions about customers.',
    tools: ['query.run'],
    provider: 'local',
    scope: { tables: [{ table: 'lake.main.customers', columns: ['id', 'country'] }] },
    limits,
  });
}

describe('agents with a model provider', () => {
  test('tool calls go through the query path; a request outside the scope is refused and shown to the model', async () => {
    const agent = await modelAgent('analyst-bot');
    const before = received.length;
    const events = await collect(ann.agents.runAgent({ id: agent.id, input: 'Where are most customers?' }));
    const calls = received.slice(before);
    assert.equal(calls.length, 3);

    // What the provider was sent: the key in the Authorization header only, the model, the agent's tools.
    for (const call of calls) {
      assert.equal(call.headers.authorization, `Bearer ${SECRET}`);
      assert.equal(call.body.model, 'scripted-model');
      assert.deepEqual(
        call.body.tools?.map((t) => t.function.name),
        ['query_run'],
      );
    }
    assert.match(calls[0]?.body.messages[0]?.content ?? '', /You answer questions about customers/);
    // The model sees each refusal as the tool's answer, and no orders data.
    const toolAnswers = calls[1]?.body.messages.filter((m) => m.role === 'tool') ?? [];
    assert.equal(toolAnswers.length, 3);
    const [orders, described, garbled] = toolAnswers.map(
      (m) => JSON.parse(m.content ?? '{}') as { error: { code: string; message: string } },
    );
    assert.equal(orders?.error.code, 'QUERY_UNAUTHORIZED');
    assert.match(orders?.error.message ?? '', /lake\.main\.orders: outside the agent's scope/);
    assert.equal(described?.error.code, 'UNAUTHORIZED');
    assert.match(described?.error.message ?? '', /does not have the catalog\.describe tool/);
    assert.equal(garbled?.error.code, 'INVALID_ARGUMENT');
    const answers = calls.flatMap((c) =>
      c.body.messages.filter((m) => m.role === 'tool').map((m) => m.content),
    );
    assert.ok(!answers.some((a) => /amount|customer_id/.test(a ?? '')), 'no order data reached the model');

    assert.deepEqual(kinds(events), [
      'run_started',
      'model_message',
      'step_started',
      'tool_call',
      'tool_error',
      'step_started',
      'tool_call',
      'tool_error',
      'step_started',
      'tool_call',
      'tool_error',
      'step_started',
      'tool_call',
      'tool_result',
      'model_message',
      'run_finished',
    ]);
    const refusal = events.find((e) => e.kind === 'tool_error') as AgentRunEvent;
    assert.equal(refusal.error?.code, 'QUERY_UNAUTHORIZED');
    assert.ok(refusal.query_id, 'the refused query has an id');
    const result = events.find((e) => e.kind === 'tool_result') as AgentRunEvent;
    assert.deepEqual(JSON.parse(result.rows_json), [
      { country: 'CN', n: 1 },
      { country: 'DE', n: 1 },
    ]);
    const finished = events.at(-1) as AgentRunEvent;
    assert.equal(finished.message, 'Top countries: CN, DE');

    const run = await ann.agents.getAgentRun({ run_id: finished.run_id });
    assert.equal(run.status, 'succeeded');
    assert.equal(run.answer, 'Top countries: CN, DE');
    assert.deepEqual(run.query_ids, [refusal.query_id, result.query_id]);

    // The key is nowhere but in the requests to the provider.
    assert.ok(!JSON.stringify(run).includes(SECRET));
    assert.ok(!JSON.stringify(await ann.agents.getAgent({ id: agent.id })).includes(SECRET));
    const audit = await env.cluster.http('/v1/audit?page_size=1000', { headers: env.headers.ada });
    assert.ok(!(await audit.text()).includes(SECRET));
    await eventually(() => readFileSync(join(env.cluster.dir, 'coordinator.log'), 'utf8').includes(run.id));
    assert.ok(!readFileSync(join(env.cluster.dir, 'coordinator.log'), 'utf8').includes(SECRET));
  });

  test('max_steps stops a model that never stops calling tools', async () => {
    const agent = await modelAgent('loop-bot', { max_steps: 3 });
    const events = await collect(ann.agents.runAgent({ id: agent.id, input: 'forever' }));
    assert.equal(events.filter((e) => e.kind === 'tool_result').length, 3);
    const failed = events.at(-1) as AgentRunEvent;
    assert.equal(failed.kind, 'run_failed');
    assert.equal(failed.error?.code, 'PAYLOAD_TOO_LARGE');
    assert.match(failed.error?.message ?? '', /limit of 3 steps/);
  });

  test('a provider that fails fails the run, without echoing its answer', async () => {
    const agent = await modelAgent('broken-bot');
    const events = await collect(ann.agents.runAgent({ id: agent.id, input: 'broken' }));
    const failed = events.at(-1) as AgentRunEvent;
    assert.equal(failed.kind, 'run_failed');
    assert.equal(failed.error?.code, 'UNAVAILABLE');
    assert.equal(failed.error?.message, 'model provider local answered HTTP 500');
  });

  test('a provider the tenant does not have is refused at definition time', async () => {
    await assert.rejects(
      ann.agents.createAgent({ name: 'x', tools: ['query.run'], provider: 'elsewhere' }),
      /provider elsewhere is not configured/,
    );
  });
});
