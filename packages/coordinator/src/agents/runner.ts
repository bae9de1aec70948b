// Executes one run: a playbook's steps in order, or a conversation with a
// model that asks for tools. Both obey the run's limits (steps, time, rows
// per step), stop at once when the run is cancelled, and put everything
// they do in the transcript.

import { type SqlValue, TributaryError, toTributaryError } from '@tributary/core';
import type { RequestContext } from '../context.js';
import type { AgentLimitsRecord, AgentRecord, PlaybookStepRecord } from '../store/index.js';
import { checkAssertion } from './assertions.js';
import { type AgentTool, bindable, boundValue } from './model.js';
import type { ChatFunction, ChatMessage, ChatProvider } from './provider.js';
import { type AgentTools, ToolError, type ToolResult } from './tools.js';
import type { RunTranscript } from './transcript.js';

export interface RunSettings {
  limits: AgentLimitsRecord;
  /** Rows of a result shown in events and to a model. */
  previewRows: number;
}

/** Ends a run as failed with this error. */
export class RunFailure extends Error {
  constructor(readonly error: TributaryError) {
    super(error.message);
  }
}

function preview(result: ToolResult, rows: number): string {
  return JSON.stringify(result.rows.slice(0, rows), (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
}

/** The parts of a run both kinds of agent share: step counting, tool calls and their events. */
class RunSteps {
  private steps = 0;

  constructor(
    private readonly ctx: RequestContext,
    private readonly agent: AgentRecord,
    private readonly tools: AgentTools,
    readonly transcript: RunTranscript,
    readonly settings: RunSettings,
  ) {}

  /** Counts a step; past max_steps the run fails. */
  begin(stepName?: string): number {
    this.checkSignal();
    if (this.steps >= this.settings.limits.maxSteps) {
      throw new RunFailure(
        new TributaryError(
          'PAYLOAD_TOO_LARGE',
          `the run reached its limit of ${this.settings.limits.maxSteps} steps`,
          { max_steps: this.settings.limits.maxSteps },
        ),
      );
    }
    this.steps++;
    this.transcript.emit({ kind: 'step_started', step: this.steps, ...(stepName ? { stepName } : {}) });
    return this.steps;
  }

  checkSignal(): void {
    if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new Error('aborted');
  }

  /** Calls a tool the agent has; a refusal or failure is a ToolError the caller decides about. */
  async call(
    step: number,
    tool: AgentTool,
    args: Record<string, unknown>,
    bound?: { params: SqlValue[]; named: Record<string, unknown> },
  ): Promise<ToolResult> {
    const argumentsJson = JSON.stringify(args, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    const sql = typeof args.sql === 'string' ? args.sql : undefined;
    this.transcript.emit({ kind: 'tool_call', step, tool, argumentsJson, ...(sql ? { sql } : {}) });
    try {
      if (!(this.agent.tools as string[]).includes(tool)) {
        throw new ToolError(new TributaryError('UNAUTHORIZED', `the agent does not have the ${tool} tool`));
      }
      const result = await this.tools.call(this.ctx, tool, args, this.settings.limits.maxRowsPerStep, bound);
      this.transcript.emit({
        kind: 'tool_result',
        step,
        tool,
        ...(result.queryId ? { queryId: result.queryId } : {}),
        // A saved query's SQL is known only once it is prepared.
        ...(result.sql && !sql ? { sql: result.sql } : {}),
        rowCount: result.rowCount,
        columns: result.columns,
        rowsJson: preview(result, this.settings.previewRows),
        truncated: result.truncated,
      });
      return result;
    } catch (error) {
      const failure = error instanceof ToolError ? error : new ToolError(toTributaryError(error));
      this.transcript.emit({
        kind: 'tool_error',
        step,
        tool,
        ...(failure.queryId ? { queryId: failure.queryId } : {}),
        error: { code: failure.error.code, message: failure.error.message },
      });
      // A cancelled or timed-out run ends as such, not as this tool's failure.
      this.checkSignal();
      throw failure;
    }
  }
}

/** Runs a playbook: each step's parameters bound from literals or earlier results, then its assertions. */
export async function runPlaybook(
  ctx: RequestContext,
  agent: AgentRecord,
  tools: AgentTools,
  transcript: RunTranscript,
  settings: RunSettings,
): Promise<{ answer: string; rowCount: number }> {
  const steps = new RunSteps(ctx, agent, tools, transcript, settings);
  const outputs = new Map<string, ToolResult>();
  let last: ToolResult | undefined;
  for (const step of agent.playbook) {
    const number = steps.begin(step.name);
    const bound = bindStep(step, outputs);
    let result: ToolResult;
    try {
      result = step.sql
        ? await steps.call(number, 'query.run', { sql: step.sql, params: bound.params }, bound)
        : await steps.call(
            number,
            'saved_query.run',
            { id: step.savedQueryId, parameters: bound.named },
            bound,
          );
    } catch (error) {
      if (error instanceof ToolError) {
        throw new RunFailure(
          new TributaryError(
            error.error.code,
            `step ${step.name}: ${error.error.message}`,
            error.error.details,
          ),
        );
      }
      throw error;
    }
    for (const assertion of step.assertions) {
      const broken = checkAssertion(assertion, result);
      if (broken) {
        throw new RunFailure(
          new TributaryError('INVALID_ARGUMENT', `step ${step.name}: ${broken}`, { step: step.name }),
        );
      }
    }
    outputs.set(step.name, result);
    last = result;
  }
  return { answer: '', rowCount: last?.rowCount ?? 0 };
}

function bindStep(
  step: PlaybookStepRecord,
  outputs: Map<string, ToolResult>,
): { params: SqlValue[]; named: Record<string, unknown> } {
  const values = step.params.map((p) => {
    if (p.ref === undefined) return boundValue(p.value);
    const dot = p.ref.indexOf('.');
    const source = outputs.get(p.ref.slice(0, dot));
    const field = p.ref.slice(dot + 1);
    if (!source)
      throw new RunFailure(TributaryError.invalid(`step ${step.name}: ${p.ref} names no earlier step`));
    if (field === 'row_count' && !source.columns.includes(field)) return BigInt(source.rowCount);
    if (!source.columns.includes(field)) {
      throw new RunFailure(
        TributaryError.invalid(`step ${step.name}: ${p.ref}: that step's result has no column ${field}`),
      );
    }
    if (source.rows.length === 0) {
      throw new RunFailure(TributaryError.invalid(`step ${step.name}: ${p.ref}: that step returned no rows`));
    }
    const value = source.rows[0]?.[field];
    // JSON values of a result: objects and lists are not bindable scalars.
    if (value !== null && typeof value === 'object') {
      throw new RunFailure(TributaryError.invalid(`step ${step.name}: ${p.ref} is not a scalar`));
    }
    return bindable((value ?? null) as SqlValue);
  });
  const named: Record<string, unknown> = {};
  step.params.forEach((p, i) => {
    // Saved queries take JSON values, checked against their declared types.
    const value = values[i];
    if (p.name) named[p.name] = typeof value === 'bigint' ? jsonInteger(value) : value;
  });
  return { params: values, named };
}

function jsonInteger(value: bigint): number | string {
  const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
  return safe ? Number(value) : value.toString();
}

const FUNCTIONS: Record<AgentTool, ChatFunction> = {
  'catalog.browse': {
    name: 'catalog_browse',
    description: 'Lists the tables you may read, as source.schema.table.',
    parameters: { type: 'object', properties: { filter: { type: 'string' } } },
  },
  'catalog.describe': {
    name: 'catalog_describe',
    description: 'Describes the columns you may read of one table.',
    parameters: { type: 'object', properties: { table: { type: 'string' } }, required: ['table'] },
  },
  'query.run': {
    name: 'query_run',
    description: 'Runs one read-only SQL query (DuckDB dialect); $1, $2... bind params.',
    parameters: {
      type: 'object',
      properties: { sql: { type: 'string' }, params: { type: 'array', items: {} } },
      required: ['sql'],
    },
  },
  'query.validate': {
    name: 'query_validate',
    description: 'Checks a SQL query without running it and returns its result columns.',
    parameters: { type: 'object', properties: { sql: { type: 'string' } }, required: ['sql'] },
  },
  'saved_query.run': {
    name: 'saved_query_run',
    description: 'Runs a saved query by id with its parameters by name.',
    parameters: {
      type: 'object',
      properties: { id: { type: 'string' }, parameters: { type: 'object' } },
      required: ['id'],
    },
  },
};

function toolNamed(name: string): AgentTool | undefined {
  return (Object.keys(FUNCTIONS) as AgentTool[]).find((tool) => FUNCTIONS[tool].name === name);
}

function resultText(result: ToolResult, rows: number): string {
  return JSON.stringify({
    query_id: result.queryId,
    columns: result.columns,
    row_count: result.rowCount,
    truncated: result.truncated,
    rows: JSON.parse(preview(result, rows)),
  });
}

/**
 * Runs a conversation: the model sees the instructions and the question,
 * asks for tools, sees each result (or the error, including refusals), and
 * ends with an answer. Every tool call counts as a step.
 */
export async function runWithModel(
  ctx: RequestContext,
  agent: AgentRecord,
  tools: AgentTools,
  transcript: RunTranscript,
  settings: RunSettings,
  provider: ChatProvider,
  input: string,
): Promise<{ answer: string; rowCount: number }> {
  const steps = new RunSteps(ctx, agent, tools, transcript, settings);
  const functions = (agent.tools as AgentTool[]).map((tool) => FUNCTIONS[tool]);
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content:
        `${agent.instructions}\n\nYou can read only these tables: ` +
        (agent.scope.tables.map((t) => t.table).join(', ') || 'none') +
        '. Use the tools to answer; reply without a tool call when you have the answer.',
    },
    { role: 'user', content: input || agent.description || 'Run your task.' },
  ];
  let rowCount = 0;
  while (true) {
    steps.checkSignal();
    const reply = await provider.complete(messages, functions, ctx.signal);
    messages.push(reply.message);
    if (reply.content) transcript.emit({ kind: 'model_message', message: reply.content });
    if (reply.toolCalls.length === 0) return { answer: reply.content, rowCount };
    for (const call of reply.toolCalls) {
      const number = steps.begin(call.name);
      let content: string;
      try {
        const tool = toolNamed(call.name);
        let args: unknown;
        try {
          args = JSON.parse(call.arguments);
        } catch {
          args = undefined;
        }
        if (!tool) {
          transcript.emit({
            kind: 'tool_call',
            step: number,
            tool: call.name,
            argumentsJson: call.arguments,
          });
          throw new ToolError(TributaryError.invalid(`there is no tool ${call.name}`));
        }
        if (args === null || typeof args !== 'object' || Array.isArray(args)) {
          transcript.emit({ kind: 'tool_call', step: number, tool, argumentsJson: call.arguments });
          throw new ToolError(TributaryError.invalid('the arguments must be a JSON object'));
        }
        const result = await steps.call(number, tool, args as Record<string, unknown>);
        rowCount = result.rowCount;
        content = resultText(result, settings.previewRows);
      } catch (error) {
        if (!(error instanceof ToolError)) throw error;
        if (!transcript.run.events.some((e) => e.step === number && e.kind === 'tool_error')) {
          transcript.emit({
            kind: 'tool_error',
            step: number,
            tool: call.name,
            error: { code: error.error.code, message: error.error.message },
          });
        }
        // The model sees the refusal and may try something else within the limits.
        content = JSON.stringify({ error: { code: error.error.code, message: error.error.message } });
      }
      messages.push({ role: 'tool', tool_call_id: call.id, content });
    }
  }
}
