import { randomBytes } from 'node:crypto';
import { TributaryError, toTributaryError } from '@tributary/core';
import { apiKeyView } from '../admin/views.js';
import type { AuditLog } from '../audit/index.js';
import {
  agentScopeKey,
  generateApiKey,
  hashApiKey,
  isTenantAdmin,
  type Principal,
  requireScope,
} from '../auth/index.js';
import type { RequestContext } from '../context.js';
import type {
  AgentRecord,
  AgentRunEventRecord,
  AgentRunRecord,
  ApiKeyRecord,
  Page,
  Store,
} from '../store/index.js';
import { type AgentInput, type AgentsConfig, agentDefinition, effectiveLimits } from './model.js';
import type { ProviderDirectory } from './provider.js';
import { RunFailure, runPlaybook, runWithModel } from './runner.js';
import type { AgentTools } from './tools.js';
import { RunTranscript } from './transcript.js';

export interface AgentServiceDeps {
  store: Pick<Store, 'agents' | 'users' | 'apiKeys'>;
  audit: Pick<AuditLog, 'recordAdmin'>;
  tools: AgentTools;
  providers: ProviderDirectory;
  config: AgentsConfig;
  /** The configured rate-limit tiers an agent may be given. */
  tiers: string[];
  clock?: () => number;
}

const ID = /^agt_[A-Za-z0-9_-]{16}$/;
const RUN_ID = /^arun_[a-z0-9]{9}[A-Za-z0-9_-]{16}$/;
const MAX_PAGE_SIZE = 1_000;
const DEFAULT_PAGE_SIZE = 100;
const MAX_INPUT_CHARS = 32_000;

/** Why a run's signal fired. */
class RunStop {
  constructor(
    readonly kind: 'cancelled' | 'timeout',
    readonly by?: string,
  ) {}
}

interface ActiveRun {
  transcript: RunTranscript;
  controller: AbortController;
  done: Promise<void>;
}

function pageSize(raw: number | undefined): number {
  const size = raw || DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw TributaryError.invalid(`page_size must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** Run ids sort by start time, so listings are newest first by id. */
function newRunId(now: number): string {
  return `arun_${now.toString(36).padStart(9, '0')}${randomBytes(12).toString('base64url')}`;
}

/**
 * Agents and their runs, protocol-free. An agent is owned by a user of the
 * tenant; the owner and the tenant's admins manage it. A run executes as
 * the agent: its owner's principal with the agent's scope attached, so
 * every query is decided by the owner's policies narrowed by the scope, and
 * audited with the agent and the run. Runs execute in this process; their
 * state and transcript are saved when they start and when they end.
 */
export class AgentService {
  private readonly active = new Map<string, ActiveRun>();
  private readonly clock: () => number;

  constructor(private readonly deps: AgentServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  async create(ctx: RequestContext, input: AgentInput & { owner?: unknown }): Promise<AgentRecord> {
    this.requireManager(ctx);
    const { principal } = ctx;
    const owner = typeof input.owner === 'string' && input.owner !== '' ? input.owner : principal.subject;
    if (owner !== principal.subject) {
      if (!isTenantAdmin(principal)) {
        throw new TributaryError('UNAUTHORIZED', 'only a tenant admin may create an agent for another user');
      }
      const user = await this.deps.store.users.findBySubject(principal.tenant, owner);
      if (!user || user.disabled) throw TributaryError.invalid(`owner ${owner} is not a user of this tenant`);
    }
    const definition = agentDefinition(input, this.deps.config, this.choices(principal.tenant));
    const agent = await this.deps.store.agents.create(principal.tenant, {
      ...definition,
      id: `agt_${randomBytes(12).toString('base64url')}`,
      owner,
    });
    this.record(ctx, 'agent.create', agent.id, undefined, agent);
    return agent;
  }

  async get(ctx: RequestContext, id: string): Promise<AgentRecord> {
    requireScope(ctx.principal, 'query');
    return this.find(ctx, id);
  }

  async list(
    ctx: RequestContext,
    request: { pageSize?: number; pageToken?: string },
  ): Promise<Page<AgentRecord>> {
    this.requireManager(ctx);
    const { principal } = ctx;
    return this.deps.store.agents.list(principal.tenant, {
      owner: isTenantAdmin(principal) ? undefined : principal.subject,
      limit: pageSize(request.pageSize),
      cursor: request.pageToken || undefined,
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: AgentInput & { expectedVersion?: unknown },
  ): Promise<AgentRecord> {
    this.requireManager(ctx);
    const before = await this.find(ctx, id);
    const expected = input.expectedVersion;
    if (expected !== undefined && expected !== null && expected !== 0) {
      if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 1) {
        throw TributaryError.invalid('expected_version must be a positive integer');
      }
    }
    const definition = agentDefinition(input, this.deps.config, this.choices(ctx.principal.tenant));
    const after = await this.deps.store.agents.update(ctx.principal.tenant, before.id, {
      ...definition,
      expectedVersion: typeof expected === 'number' && expected > 0 ? expected : undefined,
    });
    this.record(ctx, 'agent.update', id, before, after);
    return after;
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    this.requireManager(ctx);
    const agent = await this.find(ctx, id);
    for (const [runId, run] of this.active) {
      if (run.transcript.run.agentId === agent.id) await this.stop(runId, ctx.principal.subject);
    }
    const deleted = await this.deps.store.agents.delete(ctx.principal.tenant, agent.id);
    if (!deleted) throw TributaryError.notFound(`agent ${id} not found`);
    this.record(ctx, 'agent.delete', id, deleted, undefined);
  }

  /**
   * Starts a run and follows it: the events so far and each new one until
   * the run ends. The run does not depend on the caller staying: when
   * `ctx.signal` fires only the following stops.
   */
  async run(
    ctx: RequestContext,
    id: string,
    input: unknown,
  ): Promise<{ run: AgentRunRecord; events: AsyncIterable<AgentRunEventRecord> }> {
    requireScope(ctx.principal, 'query');
    const agent = await this.find(ctx, id);
    const caller = ctx.principal;
    const callerIsAgent = caller.agent?.id === agent.id;
    if (!callerIsAgent && (caller.agent || caller.subject !== agent.owner)) {
      throw new TributaryError('UNAUTHORIZED', "only the agent's owner, or the agent itself, may run it");
    }
    const question = input === undefined || input === null ? '' : input;
    if (typeof question !== 'string' || question.length > MAX_INPUT_CHARS) {
      throw TributaryError.invalid(`input must be a string of at most ${MAX_INPUT_CHARS} characters`);
    }
    const provider = agent.provider ? this.deps.providers.client(caller.tenant, agent.provider) : undefined;
    const limits = effectiveLimits(agent.limits, this.deps.config);
    const startedAt = this.clock();
    const record: AgentRunRecord = {
      tenant: caller.tenant,
      id: newRunId(startedAt),
      agentId: agent.id,
      agentVersion: agent.version,
      status: 'running',
      startedBy: callerIsAgent ? `agent:${agent.id}` : caller.subject,
      input: question,
      startedAt,
      answer: '',
      queryIds: [],
      events: [],
    };
    await this.deps.store.agents.saveRun(record);
    const transcript = new RunTranscript(record, this.clock);
    transcript.emit({ kind: 'run_started', agentId: agent.id, agentVersion: agent.version });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RunStop('timeout')), limits.maxRunTimeMs);
    timer.unref();
    // The owner's principal, narrowed by the agent's scope, for every tool call of the run.
    const principal: Principal = {
      ...caller,
      agent: {
        id: agent.id,
        runId: record.id,
        scope: agent.scope,
        rateLimitTier: agent.rateLimitTier,
      },
    };
    const runCtx: RequestContext = {
      requestId: ctx.requestId,
      trace: ctx.trace,
      principal,
      protocol: ctx.protocol,
      signal: controller.signal,
      deadline: startedAt + limits.maxRunTimeMs,
      logger: ctx.logger.child({ agentId: agent.id, runId: record.id }),
    };
    const settings = { limits, previewRows: this.deps.config.preview_rows };
    const work = provider
      ? runWithModel(runCtx, agent, this.deps.tools, transcript, settings, provider, question)
      : runPlaybook(runCtx, agent, this.deps.tools, transcript, settings);
    const done = work
      .then(
        (outcome) => {
          record.answer = outcome.answer;
          record.status = 'succeeded';
          transcript.emit({ kind: 'run_finished', message: outcome.answer, rowCount: outcome.rowCount });
        },
        (error: unknown) => {
          // The query's own deadline (the run's) may fire at the edge just before the run's timer.
          const code = error instanceof RunFailure ? error.error.code : toTributaryError(error).code;
          const remaining = startedAt + limits.maxRunTimeMs - this.clock();
          const late = remaining <= 0 || (code === 'DEADLINE_EXCEEDED' && remaining < 250);
          if (late && !controller.signal.aborted) controller.abort(new RunStop('timeout'));
          this.fail(transcript, controller.signal, error, limits.maxRunTimeMs);
        },
      )
      .then(async () => {
        clearTimeout(timer);
        record.endedAt = this.clock();
        await this.deps.store.agents.saveRun(record);
      })
      .catch((error: unknown) => runCtx.logger.error({ err: error }, 'could not save the agent run'))
      .finally(() => this.active.delete(record.id));
    this.active.set(record.id, { transcript, controller, done });
    runCtx.logger.info({ provider: agent.provider || undefined }, 'agent run started');
    return { run: record, events: transcript.follow(ctx.signal) };
  }

  private fail(transcript: RunTranscript, signal: AbortSignal, error: unknown, maxRunTimeMs: number): void {
    const { run } = transcript;
    const stop = signal.aborted && signal.reason instanceof RunStop ? signal.reason : undefined;
    let failure: TributaryError;
    if (stop?.kind === 'cancelled') {
      run.status = 'cancelled';
      failure = new TributaryError('CANCELLED', `the run was cancelled by ${stop.by}`);
    } else if (stop?.kind === 'timeout') {
      run.status = 'failed';
      failure = new TributaryError('DEADLINE_EXCEEDED', `the run reached its limit of ${maxRunTimeMs} ms`, {
        max_run_time_ms: maxRunTimeMs,
      });
    } else {
      run.status = 'failed';
      failure = error instanceof RunFailure ? error.error : toTributaryError(error);
    }
    run.error = { code: failure.code, message: failure.message };
    transcript.emit({ kind: 'run_failed', error: run.error });
  }

  async listRuns(
    ctx: RequestContext,
    agentId: string,
    request: { pageSize?: number; pageToken?: string },
  ): Promise<Page<AgentRunRecord>> {
    requireScope(ctx.principal, 'query');
    const agent = await this.find(ctx, agentId);
    const page = await this.deps.store.agents.listRuns(ctx.principal.tenant, agent.id, {
      limit: pageSize(request.pageSize),
      cursor: request.pageToken || undefined,
    });
    return { ...page, items: page.items.map((run) => this.active.get(run.id)?.transcript.run ?? run) };
  }

  async getRun(ctx: RequestContext, runId: string): Promise<AgentRunRecord> {
    requireScope(ctx.principal, 'query');
    const live = this.active.get(runId)?.transcript.run;
    const run =
      live && live.tenant === ctx.principal.tenant
        ? live
        : RUN_ID.test(runId)
          ? await this.deps.store.agents.getRun(ctx.principal.tenant, runId)
          : undefined;
    if (!run) throw TributaryError.notFound(`agent run ${runId} not found`);
    // Visible to whoever may see the agent; anyone else learns nothing, not even that it exists.
    await this.find(ctx, run.agentId).catch(() => {
      throw TributaryError.notFound(`agent run ${runId} not found`);
    });
    return run;
  }

  /** Stops a running run and waits until it has ended; a finished run is returned as it is. */
  async cancelRun(ctx: RequestContext, runId: string): Promise<AgentRunRecord> {
    const run = await this.getRun(ctx, runId);
    if (this.active.has(run.id))
      await this.stop(
        run.id,
        ctx.principal.agent ? `agent:${ctx.principal.agent.id}` : ctx.principal.subject,
      );
    return this.getRun(ctx, runId);
  }

  /** An API key that authenticates as the agent: its owner's stored user, narrowed to the agent. */
  async createApiKey(
    ctx: RequestContext,
    agentId: string,
    request: { name?: unknown; expiresAt?: unknown },
  ): Promise<{ key: ApiKeyRecord; ownerSubject: string; secret: string }> {
    this.requireManager(ctx);
    const agent = await this.find(ctx, agentId);
    const name = typeof request.name === 'string' && request.name !== '' ? request.name : agent.name;
    if (name.length > 100) throw TributaryError.invalid('name is longer than 100 characters');
    let expiresAt: number | undefined;
    if (request.expiresAt !== undefined && request.expiresAt !== null && request.expiresAt !== '') {
      expiresAt = typeof request.expiresAt === 'string' ? Date.parse(request.expiresAt) : Number.NaN;
      if (!Number.isFinite(expiresAt)) throw TributaryError.invalid('expires_at must be an RFC 3339 time');
      if (expiresAt <= this.clock()) throw TributaryError.invalid('expires_at must be in the future');
    }
    const owner = await this.deps.store.users.findBySubject(ctx.principal.tenant, agent.owner);
    if (!owner || owner.disabled) {
      throw TributaryError.invalid(
        `the agent's owner ${agent.owner} is not a stored user of this tenant; an admin must create it first`,
      );
    }
    const secret = generateApiKey();
    const key = await this.deps.store.apiKeys.create(ctx.principal.tenant, {
      id: `key_${randomBytes(12).toString('base64url')}`,
      name,
      ownerUserId: owner.id,
      scopes: ['query', 'catalog', agentScopeKey(agent.id)],
      expiresAt,
      secretSha256: hashApiKey(secret),
    });
    this.record(ctx, 'agent.api_key.create', agent.id, undefined, apiKeyView(key, owner.subject));
    return { key, ownerSubject: owner.subject, secret };
  }

  /**
   * Runs execute in the process that started them, and each coordinator
   * has its own store: a run still marked running at start-up was cut off
   * by the previous process stopping, and is recorded as failed.
   */
  async start(): Promise<void> {
    for (const run of await this.deps.store.agents.runningRuns()) {
      const transcript = new RunTranscript(run, this.clock);
      run.status = 'failed';
      run.error = { code: 'UNAVAILABLE', message: 'the coordinator stopped during the run' };
      transcript.emit({ kind: 'run_failed', error: run.error });
      run.endedAt = this.clock();
      await this.deps.store.agents.saveRun(run);
    }
  }

  /** Cancels every running run (shutdown) and waits for them to end. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.stop(id, 'the coordinator shutting down')));
  }

  private async stop(runId: string, by: string): Promise<void> {
    const run = this.active.get(runId);
    if (!run) return;
    run.controller.abort(new RunStop('cancelled', by));
    await run.done;
  }

  private choices(tenant: string) {
    return { providers: this.deps.providers.names(tenant), tiers: this.deps.tiers };
  }

  /** People manage agents; an agent's own key cannot change agents. */
  private requireManager(ctx: RequestContext): void {
    requireScope(ctx.principal, 'query');
    if (ctx.principal.agent) throw new TributaryError('UNAUTHORIZED', 'an agent cannot manage agents');
  }

  /** The agent, if the caller may see it: its owner, a tenant admin, or the agent itself. */
  private async find(ctx: RequestContext, id: string): Promise<AgentRecord> {
    const { principal } = ctx;
    const agent = ID.test(id) ? await this.deps.store.agents.get(principal.tenant, id) : undefined;
    const visible =
      agent &&
      (principal.agent
        ? principal.agent.id === agent.id
        : agent.owner === principal.subject || isTenantAdmin(principal));
    if (!agent || !visible) throw TributaryError.notFound(`agent ${id} not found`);
    return agent;
  }

  private record(ctx: RequestContext, action: string, target: string, before: unknown, after: unknown): void {
    this.deps.audit.recordAdmin({
      requestId: ctx.requestId,
      tenant: ctx.principal.tenant,
      subject: ctx.principal.subject,
      keyId: ctx.principal.keyId,
      action,
      target,
      before,
      after,
    });
  }
}
