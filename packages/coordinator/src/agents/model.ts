// What an agent is, validated: the definition a caller sends (over any
// protocol, already decoded into plain values) becomes an AgentDefinition
// or an INVALID_ARGUMENT naming the field.

import { type SqlValue, TributaryError } from '@tributary/core';
import type { CoordinatorConfig } from '../config/coordinator-config.js';
import type {
  AgentDefinition,
  AgentLimitsRecord,
  PlaybookParameterRecord,
  PlaybookStepRecord,
  PlaybookValue,
} from '../store/index.js';
import { parseAssertion } from './assertions.js';

/** What an agent may do; a model is offered exactly these as functions. */
export const AGENT_TOOLS = [
  'catalog.browse',
  'catalog.describe',
  'query.run',
  'query.validate',
  'saved_query.run',
] as const;
export type AgentTool = (typeof AGENT_TOOLS)[number];

export type AgentsConfig = CoordinatorConfig['agents'];

/** A definition as sent, before validation; parameter values already decoded from their wire form. */
export interface AgentInput {
  name?: unknown;
  description?: unknown;
  instructions?: unknown;
  tools?: unknown;
  scope?: unknown;
  rate_limit_tier?: unknown;
  limits?: unknown;
  provider?: unknown;
  playbook?: unknown;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,127}$/;
const STEP_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const TABLE = /^[^.\s]+\.[^.\s]+\.[^.\s]+$/;
const REF = /^([A-Za-z_][A-Za-z0-9_]{0,63})\.(.+)$/;
const MAX_STEPS_IN_PLAYBOOK = 100;

function invalid(message: string): TributaryError {
  return TributaryError.invalid(message);
}

function text(raw: unknown, field: string, max: number): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') throw invalid(`${field} must be a string`);
  if (raw.length > max) throw invalid(`${field} is longer than ${max} characters`);
  return raw;
}

function list(raw: unknown, field: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid(`${field} must be a list`);
  return raw;
}

function object(raw: unknown, field: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${field} must be an object`);
  return raw as Record<string, unknown>;
}

function count(raw: unknown, field: string, max: number): number {
  if (raw === undefined || raw === null || raw === '' || raw === 0 || raw === '0') return 0;
  const value = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${field} must be a non-negative integer`);
  }
  if (value > max) throw invalid(`${field} may be at most ${max} (the coordinator's limit)`);
  return value;
}

function limits(raw: unknown, config: AgentsConfig): AgentLimitsRecord {
  const given = object(raw, 'limits');
  return {
    maxSteps: count(given.max_steps, 'limits.max_steps', config.max_steps),
    maxRunTimeMs: count(given.max_run_time_ms, 'limits.max_run_time_ms', config.max_run_time_ms),
    maxRowsPerStep: count(given.max_rows_per_step, 'limits.max_rows_per_step', config.max_rows_per_step),
  };
}

/** The limits a run obeys: the agent's own, or the coordinator's where it has none. */
export function effectiveLimits(own: AgentLimitsRecord, config: AgentsConfig): AgentLimitsRecord {
  return {
    maxSteps: own.maxSteps || config.max_steps,
    maxRunTimeMs: own.maxRunTimeMs || config.max_run_time_ms,
    maxRowsPerStep: own.maxRowsPerStep || config.max_rows_per_step,
  };
}

function scope(raw: unknown): AgentDefinition['scope'] {
  const tables = list(object(raw, 'scope').tables, 'scope.tables').map((entry, i) => {
    const t = object(entry, `scope.tables[${i}]`);
    if (typeof t.table !== 'string' || !TABLE.test(t.table)) {
      throw invalid(`scope.tables[${i}].table must be source.schema.table`);
    }
    const columns = list(t.columns, `scope.tables[${i}].columns`).map((c, j) => {
      if (typeof c !== 'string' || c === '' || c.length > 256) {
        throw invalid(`scope.tables[${i}].columns[${j}] must be a column name`);
      }
      return c;
    });
    return { table: t.table, columns };
  });
  return { tables };
}

function tools(raw: unknown): AgentTool[] {
  const names = list(raw, 'tools').map((t) => {
    if (typeof t !== 'string' || !(AGENT_TOOLS as readonly string[]).includes(t)) {
      throw invalid(`tools: unknown tool ${JSON.stringify(t)}; known: ${AGENT_TOOLS.join(', ')}`);
    }
    return t as AgentTool;
  });
  return [...new Set(names)];
}

/** A literal as stored: JSON has no bigint, so a 64-bit integer is kept as its decimal text. */
export function storedValue(value: SqlValue, field: string): PlaybookParameterRecord['value'] {
  if (typeof value === 'bigint') return { bigint: value.toString() };
  if (value instanceof Uint8Array) throw invalid(`${field}: bytes are not supported in playbooks`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw invalid(`${field} must be finite`);
  return value as PlaybookValue;
}

export function boundValue(value: PlaybookParameterRecord['value']): SqlValue {
  if (value !== null && typeof value === 'object') return BigInt(value.bigint);
  return bindable(value ?? null);
}

/** As the JSON APIs bind values: an integer binds as BIGINT, any other number as DOUBLE. */
export function bindable(value: SqlValue): SqlValue {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
}

function parameter(raw: unknown, field: string, earlier: Set<string>): PlaybookParameterRecord {
  const p = object(raw, field);
  const name = text(p.name, `${field}.name`, 128);
  const hasRef = typeof p.ref === 'string' && p.ref !== '';
  if (hasRef) {
    const match = REF.exec(p.ref as string);
    if (!match || !earlier.has(match[1] as string)) {
      throw invalid(`${field}.ref must be <earlier step>.row_count or <earlier step>.<column>`);
    }
    return { name, ref: p.ref as string };
  }
  if (!('value' in p)) throw invalid(`${field} needs a value or a ref`);
  const value = p.value;
  if (
    value !== null &&
    !['boolean', 'number', 'string', 'bigint'].includes(typeof value) &&
    !(value instanceof Uint8Array)
  ) {
    throw invalid(`${field}.value must be a scalar`);
  }
  return { name, value: storedValue(value as SqlValue, `${field}.value`) };
}

function playbook(raw: unknown): PlaybookStepRecord[] {
  const steps = list(raw, 'playbook');
  if (steps.length > MAX_STEPS_IN_PLAYBOOK) {
    throw invalid(`playbook has more than ${MAX_STEPS_IN_PLAYBOOK} steps`);
  }
  const names = new Set<string>();
  return steps.map((entry, i) => {
    const field = `playbook[${i}]`;
    const s = object(entry, field);
    if (typeof s.name !== 'string' || !STEP_NAME.test(s.name)) {
      throw invalid(`${field}.name must be a word of letters, digits and _`);
    }
    if (names.has(s.name)) throw invalid(`${field}.name ${s.name} is used by an earlier step`);
    const sql = text(s.sql, `${field}.sql`, 256 * 1024);
    const savedQueryId = text(s.saved_query_id, `${field}.saved_query_id`, 64);
    if ((sql === '') === (savedQueryId === ''))
      throw invalid(`${field} needs exactly one of sql or saved_query_id`);
    const params = list(s.params, `${field}.params`).map((p, j) =>
      parameter(p, `${field}.params[${j}]`, names),
    );
    if (savedQueryId && params.some((p) => p.name === '')) {
      throw invalid(`${field}: a saved query's parameters are bound by name`);
    }
    const assertions = list(s.assertions, `${field}.assertions`).map((a, j) => {
      if (typeof a !== 'string') throw invalid(`${field}.assertions[${j}] must be a string`);
      parseAssertion(a, `${field}.assertions[${j}]`);
      return a;
    });
    names.add(s.name);
    return {
      name: s.name,
      ...(sql ? { sql } : { savedQueryId }),
      params,
      assertions,
    };
  });
}

/** What a definition may name: the tenant's model providers and the configured rate-limit tiers. */
export interface AgentChoices {
  providers: string[];
  tiers: string[];
}

/** Validates a whole definition. */
export function agentDefinition(
  input: AgentInput,
  config: AgentsConfig,
  choices: AgentChoices,
): AgentDefinition {
  const { providers, tiers } = choices;
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw invalid(
      'name is required: up to 128 letters, digits, spaces and _ . : -, starting with a letter or digit',
    );
  }
  const provider = text(input.provider, 'provider', 64);
  if (provider !== '' && !providers.includes(provider)) {
    throw invalid(`provider ${provider} is not configured for this tenant`);
  }
  const tier = text(input.rate_limit_tier, 'rate_limit_tier', 32);
  if (tier !== '' && !tiers.includes(tier)) {
    throw invalid(`rate_limit_tier must be one of ${tiers.join(', ')} (or empty: the owner's)`);
  }
  const definition: AgentDefinition = {
    name: input.name,
    description: text(input.description, 'description', 2_000),
    instructions: text(input.instructions, 'instructions', 32_000),
    tools: tools(input.tools),
    scope: scope(input.scope),
    rateLimitTier: tier,
    limits: limits(input.limits, config),
    provider,
    playbook: playbook(input.playbook),
  };
  if (provider === '' && definition.playbook.length === 0) {
    throw invalid('an agent without a provider needs a playbook');
  }
  const usesSaved = definition.playbook.some((s) => s.savedQueryId);
  if (usesSaved && !definition.tools.includes('saved_query.run')) {
    throw invalid('a playbook with saved queries needs the saved_query.run tool');
  }
  if (definition.playbook.some((s) => s.sql) && !definition.tools.includes('query.run')) {
    throw invalid('a playbook with SQL steps needs the query.run tool');
  }
  return definition;
}
