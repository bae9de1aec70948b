import { TributaryError } from '@tributary/core';
import type { AgentDefinition, AgentRecord, AgentRunRecord } from '../agent-records.js';
import { decodeStringCursor, encodeCursor } from '../cursor.js';
import type { Page } from '../records.js';
import type { AgentRepository } from '../store.js';
import { json, millis, optionalMillis, text } from './columns.js';
import type { Row, Sql, StoreDatabase } from './database.js';

function toAgent(row: Row): AgentRecord {
  return {
    ...json<AgentDefinition>(row.definition, {} as AgentDefinition),
    name: text(row.name),
    tenant: text(row.tenant),
    id: text(row.id),
    owner: text(row.owner),
    version: Number(row.version),
    createdAt: millis(row.created_at),
    updatedAt: millis(row.updated_at),
  };
}

function toRun(row: Row): AgentRunRecord {
  const detail = json<Pick<AgentRunRecord, 'error' | 'answer' | 'queryIds' | 'events'>>(row.detail, {
    answer: '',
    queryIds: [],
    events: [],
  });
  return {
    tenant: text(row.tenant),
    id: text(row.id),
    agentId: text(row.agent_id),
    agentVersion: Number(row.agent_version),
    status: text(row.status) as AgentRunRecord['status'],
    startedBy: text(row.started_by),
    input: text(row.input),
    startedAt: millis(row.started_at),
    endedAt: optionalMillis(row.ended_at),
    ...detail,
  };
}

function definitionJson(definition: AgentDefinition): string {
  const { name: _name, ...rest } = definition;
  return JSON.stringify({
    description: rest.description,
    instructions: rest.instructions,
    tools: rest.tools,
    scope: rest.scope,
    rateLimitTier: rest.rateLimitTier,
    limits: rest.limits,
    provider: rest.provider,
    playbook: rest.playbook,
  });
}

async function selectAgent(sql: Sql, tenant: string, id: string): Promise<AgentRecord | undefined> {
  const row = await sql.one('SELECT * FROM agents WHERE tenant = $tenant AND id = $id', { tenant, id });
  return row ? toAgent(row) : undefined;
}

async function requireNameFree(sql: Sql, tenant: string, name: string, except?: string): Promise<void> {
  const taken = await sql.one(
    `SELECT id FROM agents
     WHERE tenant = $tenant AND name = $name AND ($except::VARCHAR IS NULL OR id <> $except::VARCHAR)`,
    { tenant, name, except: except ?? null },
  );
  if (taken) throw new TributaryError('CONFLICT', `an agent named "${name}" already exists`);
}

function runParams(run: AgentRunRecord) {
  return {
    tenant: run.tenant,
    id: run.id,
    agentId: run.agentId,
    agentVersion: run.agentVersion,
    status: run.status,
    startedBy: run.startedBy,
    input: run.input,
    startedAt: run.startedAt,
    endedAt: run.endedAt ?? null,
    detail: JSON.stringify({
      error: run.error,
      answer: run.answer,
      queryIds: run.queryIds,
      events: run.events,
    }),
  };
}

export class DuckDbAgents implements AgentRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  create(tenant: string, agent: { id: string; owner: string } & AgentDefinition): Promise<AgentRecord> {
    return this.db.write(async (sql) => {
      await requireNameFree(sql, tenant, agent.name);
      const now = this.clock();
      await sql.run(
        `INSERT INTO agents (tenant, id, name, owner, version, definition, created_at, updated_at)
         VALUES ($tenant, $id, $name, $owner, 1, $definition, epoch_ms($now::BIGINT), epoch_ms($now::BIGINT))`,
        {
          tenant,
          id: agent.id,
          name: agent.name,
          owner: agent.owner,
          definition: definitionJson(agent),
          now,
        },
      );
      return (await selectAgent(sql, tenant, agent.id)) as AgentRecord;
    });
  }

  get(tenant: string, id: string): Promise<AgentRecord | undefined> {
    return this.db.read((sql) => selectAgent(sql, tenant, id));
  }

  async list(
    tenant: string,
    query: { owner?: string; limit: number; cursor?: string },
  ): Promise<Page<AgentRecord>> {
    const after = decodeStringCursor('agents', query.cursor);
    const rows = await this.db.read((sql) =>
      sql.all(
        `SELECT * FROM agents
         WHERE tenant = $tenant
           AND ($owner::VARCHAR IS NULL OR owner = $owner::VARCHAR)
           AND ($after::VARCHAR IS NULL OR name > $after::VARCHAR)
         ORDER BY name
         LIMIT $limit::BIGINT`,
        { tenant, owner: query.owner ?? null, after: after ?? null, limit: query.limit + 1 },
      ),
    );
    const items = rows.slice(0, query.limit).map(toAgent);
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor('agents', last.name) }
      : { items };
  }

  update(
    tenant: string,
    id: string,
    definition: AgentDefinition & { expectedVersion?: number },
  ): Promise<AgentRecord> {
    return this.db.write(async (sql) => {
      const current = await selectAgent(sql, tenant, id);
      if (!current) throw TributaryError.notFound(`agent ${id} not found`);
      if (definition.expectedVersion !== undefined && definition.expectedVersion !== current.version) {
        throw new TributaryError(
          'CONFLICT',
          `agent ${id} is at version ${current.version}, not ${definition.expectedVersion}`,
          { current_version: current.version },
        );
      }
      await requireNameFree(sql, tenant, definition.name, id);
      await sql.run(
        `UPDATE agents SET name = $name, definition = $definition, version = $next,
           updated_at = epoch_ms($now::BIGINT)
         WHERE tenant = $tenant AND id = $id`,
        {
          tenant,
          id,
          name: definition.name,
          definition: definitionJson(definition),
          next: current.version + 1,
          now: this.clock(),
        },
      );
      return (await selectAgent(sql, tenant, id)) as AgentRecord;
    });
  }

  delete(tenant: string, id: string): Promise<AgentRecord | undefined> {
    return this.db.write(async (sql) => {
      const agent = await selectAgent(sql, tenant, id);
      if (!agent) return undefined;
      await sql.run('DELETE FROM agent_runs WHERE tenant = $tenant AND agent_id = $id', { tenant, id });
      await sql.run('DELETE FROM agents WHERE tenant = $tenant AND id = $id', { tenant, id });
      return agent;
    });
  }

  saveRun(run: AgentRunRecord): Promise<void> {
    return this.db.write(async (sql) => {
      const params = runParams(run);
      const changed = await sql.run(
        `UPDATE agent_runs SET status = $status, ended_at = epoch_ms($endedAt::BIGINT), detail = $detail
         WHERE tenant = $tenant AND id = $id`,
        {
          tenant: params.tenant,
          id: params.id,
          status: params.status,
          endedAt: params.endedAt,
          detail: params.detail,
        },
      );
      if (changed > 0) return;
      await sql.run(
        `INSERT INTO agent_runs
           (tenant, id, agent_id, agent_version, status, started_by, input, started_at, ended_at, detail)
         VALUES ($tenant, $id, $agentId, $agentVersion, $status, $startedBy, $input,
                 epoch_ms($startedAt::BIGINT), epoch_ms($endedAt::BIGINT), $detail)`,
        params,
      );
    });
  }

  getRun(tenant: string, id: string): Promise<AgentRunRecord | undefined> {
    return this.db.read(async (sql) => {
      const row = await sql.one('SELECT * FROM agent_runs WHERE tenant = $tenant AND id = $id', {
        tenant,
        id,
      });
      return row ? toRun(row) : undefined;
    });
  }

  runningRuns(): Promise<AgentRunRecord[]> {
    return this.db.read(async (sql) =>
      (await sql.all("SELECT * FROM agent_runs WHERE status = 'running' ORDER BY tenant, id")).map(toRun),
    );
  }

  async listRuns(
    tenant: string,
    agentId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<AgentRunRecord>> {
    const before = decodeStringCursor(`agent_runs:${agentId}`, query.cursor);
    const rows = await this.db.read((sql) =>
      sql.all(
        `SELECT * FROM agent_runs
         WHERE tenant = $tenant AND agent_id = $agentId AND ($before::VARCHAR IS NULL OR id < $before::VARCHAR)
         ORDER BY id DESC
         LIMIT $limit::BIGINT`,
        { tenant, agentId, before: before ?? null, limit: query.limit + 1 },
      ),
    );
    const items = rows.slice(0, query.limit).map(toRun);
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor(`agent_runs:${agentId}`, last.id) }
      : { items };
  }
}
