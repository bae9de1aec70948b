// Agents and runs as the contract shapes them (tributary.v1 messages); the
// HTTP gateway sends the same objects as JSON.

import {
  type Agent__Input,
  type AgentRun__Input,
  type AgentRunEvent__Input,
  toProtoValue,
  type Value__Input,
} from '@tributary/core';
import { iso } from '../admin/views.js';
import type {
  AgentRecord,
  AgentRunEventRecord,
  AgentRunRecord,
  PlaybookParameterRecord,
} from '../store/index.js';
import { boundValue } from './model.js';

/** How a literal appears on the wire: a `Value` for gRPC, the plain JSON value for HTTP. */
export type ValueEncoding = 'proto' | 'json';

function parameterView(p: PlaybookParameterRecord, encoding: ValueEncoding) {
  if (p.ref !== undefined) return { name: p.name, ref: p.ref };
  const value = boundValue(p.value);
  if (encoding === 'proto') return { name: p.name, value: toProtoValue(value) as Value__Input };
  if (typeof value !== 'bigint') return { name: p.name, value };
  const small = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
  return { name: p.name, value: small ? Number(value) : value.toString() };
}

export function agentView(agent: AgentRecord, encoding: ValueEncoding = 'proto'): Agent__Input {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    owner: agent.owner,
    instructions: agent.instructions,
    tools: [...agent.tools],
    scope: { tables: agent.scope.tables.map((t) => ({ table: t.table, columns: [...t.columns] })) },
    rate_limit_tier: agent.rateLimitTier,
    limits: {
      max_steps: agent.limits.maxSteps,
      max_run_time_ms: String(agent.limits.maxRunTimeMs),
      max_rows_per_step: String(agent.limits.maxRowsPerStep),
    },
    provider: agent.provider,
    playbook: agent.playbook.map((s) => ({
      name: s.name,
      ...(s.sql !== undefined ? { sql: s.sql } : { saved_query_id: s.savedQueryId }),
      params: s.params.map((p) => parameterView(p, encoding)) as never,
      assertions: [...s.assertions],
    })),
    version: agent.version,
    created_at: iso(agent.createdAt),
    updated_at: iso(agent.updatedAt),
  };
}

export function eventView(runId: string, event: AgentRunEventRecord): AgentRunEvent__Input {
  return {
    run_id: runId,
    sequence: event.sequence,
    time: iso(event.time),
    kind: event.kind,
    step: event.step ?? 0,
    step_name: event.stepName ?? '',
    tool: event.tool ?? '',
    arguments_json: event.argumentsJson ?? '',
    sql: event.sql ?? '',
    query_id: event.queryId ?? '',
    row_count: String(event.rowCount ?? 0),
    columns: event.columns ?? [],
    rows_json: event.rowsJson ?? '',
    truncated: event.truncated ?? false,
    message: event.message ?? '',
    ...(event.error ? { error: { code: event.error.code, message: event.error.message, position: 0 } } : {}),
    agent_id: event.agentId ?? '',
    agent_version: event.agentVersion ?? 0,
  };
}

export function runView(run: AgentRunRecord, withEvents: boolean): AgentRun__Input {
  return {
    id: run.id,
    agent_id: run.agentId,
    agent_version: run.agentVersion,
    status: run.status,
    started_by: run.startedBy,
    input: run.input,
    started_at: iso(run.startedAt),
    ended_at: iso(run.endedAt),
    ...(run.error ? { error: { code: run.error.code, message: run.error.message, position: 0 } } : {}),
    query_ids: [...run.queryIds],
    events: withEvents ? run.events.map((e) => eventView(run.id, e)) : [],
    answer: run.answer,
  };
}
