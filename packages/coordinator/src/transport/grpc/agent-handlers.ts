import { type AgentServiceHandlers, fromProtoValue, type PlaybookStep, type Value } from '@tributary/core';
import { apiKeyView } from '../../admin/views.js';
import { type AgentInput, agentView, eventView, runView } from '../../agents/index.js';
import type { CoordinatorServices } from '../../services/index.js';
import { messageStream, unary } from './handlers.js';

interface DefinitionFields {
  name: string;
  description: string;
  instructions: string;
  tools: string[];
  scope: unknown;
  rate_limit_tier: string;
  limits: unknown;
  provider: string;
  playbook: PlaybookStep[];
}

/** The definition as the service takes it: parameter values decoded from `Value`. */
function definition(request: DefinitionFields): AgentInput {
  return {
    name: request.name,
    description: request.description,
    instructions: request.instructions,
    tools: request.tools,
    scope: request.scope,
    rate_limit_tier: request.rate_limit_tier,
    limits: request.limits,
    provider: request.provider,
    playbook: request.playbook.map((step) => ({
      name: step.name,
      sql: step.sql,
      saved_query_id: step.saved_query_id,
      assertions: step.assertions,
      params: step.params.map((p) =>
        p.source === 'ref'
          ? { name: p.name, ref: p.ref }
          : p.source === 'value'
            ? { name: p.name, value: fromProtoValue(p.value as Value) }
            : { name: p.name },
      ),
    })),
  };
}

/** AgentService over gRPC: each RPC is one call of the shared AgentService. */
export function agentHandlers(services: CoordinatorServices): AgentServiceHandlers {
  const { agents } = services;
  return {
    CreateAgent: unary(services, 'CreateAgent', async (ctx, request) =>
      agentView(await agents.create(ctx, { ...definition(request), owner: request.owner })),
    ),
    GetAgent: unary(services, 'GetAgent', async (ctx, request) =>
      agentView(await agents.get(ctx, request.id)),
    ),
    ListAgents: unary(services, 'ListAgents', async (ctx, request) => {
      const page = await agents.list(ctx, { pageSize: request.page_size, pageToken: request.page_token });
      return { agents: page.items.map((a) => agentView(a)), next_page_token: page.nextCursor ?? '' };
    }),
    UpdateAgent: unary(services, 'UpdateAgent', async (ctx, request) =>
      agentView(
        await agents.update(ctx, request.id, {
          ...definition(request),
          expectedVersion: request.expected_version,
        }),
      ),
    ),
    DeleteAgent: unary(services, 'DeleteAgent', async (ctx, request) => {
      await agents.delete(ctx, request.id);
      return {};
    }),
    RunAgent: messageStream(services, 'RunAgent', async (ctx, request) => {
      const { run, events } = await agents.run(ctx, request.id, request.input);
      return { headers: { 'x-agent-run-id': run.id }, messages: views(run.id, events) };
    }),
    ListAgentRuns: unary(services, 'ListAgentRuns', async (ctx, request) => {
      const page = await agents.listRuns(ctx, request.agent_id, {
        pageSize: request.page_size,
        pageToken: request.page_token,
      });
      return { runs: page.items.map((r) => runView(r, false)), next_page_token: page.nextCursor ?? '' };
    }),
    GetAgentRun: unary(services, 'GetAgentRun', async (ctx, request) =>
      runView(await agents.getRun(ctx, request.run_id), true),
    ),
    CancelAgentRun: unary(services, 'CancelAgentRun', async (ctx, request) =>
      runView(await agents.cancelRun(ctx, request.run_id), true),
    ),
    CreateAgentApiKey: unary(services, 'CreateAgentApiKey', async (ctx, request) => {
      const created = await agents.createApiKey(ctx, request.agent_id, {
        name: request.name,
        expiresAt: request.expires_at,
      });
      return { key: apiKeyView(created.key, created.ownerSubject), secret: created.secret };
    }),
  };
}

async function* views(runId: string, events: AsyncIterable<Parameters<typeof eventView>[1]>) {
  for await (const event of events) yield eventView(runId, event);
}
