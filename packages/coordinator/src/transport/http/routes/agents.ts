import { once } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyView } from '../../../admin/views.js';
import { type AgentInput, agentView, eventView, runView } from '../../../agents/index.js';
import type { CoordinatorServices } from '../../../services/index.js';
import type { AgentRecord, AgentRunEventRecord, AgentRunRecord } from '../../../store/index.js';
import { httpContext } from '../request-context.js';
import { body } from './admin-json.js';
import { optionalInteger } from './params.js';

type IdParams = { id: string };
type RunParams = { run_id: string };

interface ListQuery {
  page_size?: string;
  page_token?: string;
}

const DEFINITION_FIELDS = [
  'name',
  'description',
  'instructions',
  'tools',
  'scope',
  'rate_limit_tier',
  'limits',
  'provider',
  'playbook',
] as const;

// Agents as JSON: the contract's messages with 64-bit counts as numbers and
// playbook values as plain JSON values.
function agentJson(agent: AgentRecord) {
  const view = agentView(agent, 'json');
  return {
    ...view,
    limits: {
      max_steps: agent.limits.maxSteps,
      max_run_time_ms: agent.limits.maxRunTimeMs,
      max_rows_per_step: agent.limits.maxRowsPerStep,
    },
  };
}

function eventJson(runId: string, event: AgentRunEventRecord) {
  return { ...eventView(runId, event), row_count: event.rowCount ?? 0 };
}

function runJson(run: AgentRunRecord, withEvents: boolean) {
  return { ...runView(run, false), events: withEvents ? run.events.map((e) => eventJson(run.id, e)) : [] };
}

function definition(raw: Record<string, unknown>): AgentInput {
  const input: Record<string, unknown> = {};
  for (const field of DEFINITION_FIELDS) input[field] = raw[field];
  return input as AgentInput;
}

/** Streams a run's events as NDJSON, or as server-sent events when the client asks for them. */
async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  run: AgentRunRecord,
  events: AsyncIterable<AgentRunEventRecord>,
): Promise<void> {
  const sse = (request.headers.accept ?? '').includes('text/event-stream');
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-request-id': request.id,
    'x-agent-run-id': run.id,
    location: `/v1/agent-runs/${run.id}`,
  });
  for await (const event of events) {
    const json = JSON.stringify(eventJson(run.id, event));
    const text = sse ? `id: ${event.sequence}\nevent: ${event.kind}\ndata: ${json}\n\n` : `${json}\n`;
    if (!raw.write(text)) await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
    if (raw.destroyed) return;
  }
  raw.end();
}

/** AgentService over HTTP under /v1/agents and /v1/agent-runs. */
export function agentRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  const agents = services.agents;

  app.post('/v1/agents', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const b = body(request.body, [...DEFINITION_FIELDS, 'owner']);
    const agent = await agents.create(ctx, { ...definition(b), owner: b.owner });
    return reply.code(201).header('location', `/v1/agents/${agent.id}`).send(agentJson(agent));
  });

  app.get<{ Querystring: ListQuery }>('/v1/agents', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const page = await agents.list(ctx, {
      pageSize: optionalInteger(request.query.page_size, 'page_size', 0),
      pageToken: request.query.page_token,
    });
    return { agents: page.items.map(agentJson), next_page_token: page.nextCursor ?? '' };
  });

  app.get<{ Params: IdParams }>('/v1/agents/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    return agentJson(await agents.get(ctx, request.params.id));
  });

  app.put<{ Params: IdParams }>('/v1/agents/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const b = body(request.body, [...DEFINITION_FIELDS, 'expected_version']);
    const agent = await agents.update(ctx, request.params.id, {
      ...definition(b),
      expectedVersion: b.expected_version,
    });
    return agentJson(agent);
  });

  app.delete<{ Params: IdParams }>('/v1/agents/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    await agents.delete(ctx, request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams }>('/v1/agents/:id/runs', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const b = body(request.body, ['input']);
    const { run, events } = await agents.run(ctx, request.params.id, b.input);
    await streamEvents(request, reply, run, events).catch((error) =>
      request.log.warn({ err: (error as Error).message }, 'run event stream ended early'),
    );
  });

  app.get<{ Params: IdParams; Querystring: ListQuery }>('/v1/agents/:id/runs', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const page = await agents.listRuns(ctx, request.params.id, {
      pageSize: optionalInteger(request.query.page_size, 'page_size', 0),
      pageToken: request.query.page_token,
    });
    return { runs: page.items.map((r) => runJson(r, false)), next_page_token: page.nextCursor ?? '' };
  });

  app.get<{ Params: RunParams }>('/v1/agent-runs/:run_id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    return runJson(await agents.getRun(ctx, request.params.run_id), true);
  });

  app.post<{ Params: RunParams }>('/v1/agent-runs/:run_id/cancel', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    return runJson(await agents.cancelRun(ctx, request.params.run_id), true);
  });

  app.post<{ Params: IdParams }>('/v1/agents/:id/api-keys', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const b = body(request.body, ['name', 'expires_at']);
    const created = await agents.createApiKey(ctx, request.params.id, {
      name: b.name,
      expiresAt: b.expires_at,
    });
    return reply
      .code(201)
      .send({ key: apiKeyView(created.key, created.ownerSubject), secret: created.secret });
  });
}
