import { randomBytes } from 'node:crypto';
import { TributaryError } from '@tributary/core';
import type { AuditLog } from '../audit/index.js';
import { isTenantAdmin, requireScope } from '../auth/index.js';
import type { RequestContext } from '../context.js';
import type { QueryRequest } from '../services/query-service.js';
import type {
  Page,
  SavedQueryContent,
  SavedQueryRecord,
  SavedQueryRepository,
  SavedQueryVersionRecord,
} from '../store/index.js';
import { bindParameters, checkPlaceholders, declaredParameters, positionalSql } from './parameters.js';

/** Checks SQL the way a query would be checked, without running it; throws to refuse it. */
export type SqlChecker = (ctx: RequestContext, sql: string) => Promise<void>;

export interface SavedQueryServiceDeps {
  store: SavedQueryRepository;
  audit: Pick<AuditLog, 'recordAdmin'>;
  /** Refuses SQL that is not one read-only query (syntax, statement kind). */
  checkSql: SqlChecker;
}

export interface NewSavedQuery {
  name: unknown;
  description?: unknown;
  sql: unknown;
  parameters?: unknown;
  comment?: unknown;
}

export interface SavedQueryChange {
  name?: unknown;
  description?: unknown;
  sql?: unknown;
  parameters?: unknown;
  comment?: unknown;
  /** The version the change was made from; CONFLICT when another version was saved since. */
  expectedVersion?: unknown;
}

export interface SavedQueryExecution {
  /** Parameter values by name. */
  parameters?: unknown;
  /** A stored version; the current one when absent. */
  version?: unknown;
  limit?: number;
}

const ID = /^sq_[A-Za-z0-9_-]{16}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,127}$/;
const MAX_PAGE_SIZE = 1_000;
const DEFAULT_PAGE_SIZE = 100;

function name(raw: unknown): string {
  if (typeof raw !== 'string' || !NAME.test(raw)) {
    throw TributaryError.invalid(
      'name is required: up to 128 letters, digits, spaces and _ . : -, starting with a letter or digit',
    );
  }
  return raw;
}

function text(raw: unknown, field: string, max: number): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') throw TributaryError.invalid(`${field} must be a string`);
  if (raw.length > max) throw TributaryError.invalid(`${field} is longer than ${max} characters`);
  return raw;
}

function sqlText(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw TributaryError.invalid('sql is required');
  return raw;
}

function pageSize(raw: number | undefined): number {
  const size = raw || DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw TributaryError.invalid(`page_size must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/**
 * Saved queries: named, versioned SQL with typed parameters, shared within
 * a tenant. Any principal of the tenant with the `query` scope reads and
 * executes them (execution is governed for the caller like any query);
 * only the creator and the tenant's admins change or delete them. Every
 * change is a new, immutable version and an admin audit record.
 * Protocol-free.
 */
export class SavedQueryService {
  constructor(private readonly deps: SavedQueryServiceDeps) {}

  async create(ctx: RequestContext, input: NewSavedQuery): Promise<SavedQueryRecord> {
    requireScope(ctx.principal, 'query');
    const content = await this.content(ctx, input);
    const query = await this.deps.store.create(ctx.principal.tenant, {
      ...content,
      id: `sq_${randomBytes(12).toString('base64url')}`,
      owner: ctx.principal.subject,
      comment: text(input.comment, 'comment', 1_000),
    });
    this.record(ctx, 'saved_query.create', query.id, undefined, query);
    return query;
  }

  async get(ctx: RequestContext, id: string): Promise<SavedQueryRecord> {
    requireScope(ctx.principal, 'query');
    return this.find(ctx, id);
  }

  async list(
    ctx: RequestContext,
    request: { filter?: string; pageSize?: number; pageToken?: string },
  ): Promise<Page<SavedQueryRecord>> {
    requireScope(ctx.principal, 'query');
    return this.deps.store.list(ctx.principal.tenant, {
      filter: text(request.filter, 'filter', 256) || undefined,
      limit: pageSize(request.pageSize),
      cursor: request.pageToken || undefined,
    });
  }

  /** Saves a new version: the current content with the given fields replaced. */
  async update(ctx: RequestContext, id: string, change: SavedQueryChange): Promise<SavedQueryRecord> {
    requireScope(ctx.principal, 'query');
    const before = await this.find(ctx, id);
    this.requireOwner(ctx, before);
    const expected = change.expectedVersion;
    if (
      expected !== undefined &&
      expected !== null &&
      (!Number.isSafeInteger(expected) || (expected as number) < 1)
    ) {
      throw TributaryError.invalid('expected_version must be a positive integer');
    }
    const content = await this.content(ctx, {
      name: change.name ?? before.name,
      description: change.description ?? before.description,
      sql: change.sql ?? before.sql,
      parameters: change.parameters ?? before.parameters,
    });
    const after = await this.deps.store.addVersion(ctx.principal.tenant, before.id, {
      ...content,
      author: ctx.principal.subject,
      comment: text(change.comment, 'comment', 1_000),
      expectedVersion: typeof expected === 'number' ? expected : undefined,
    });
    this.record(ctx, 'saved_query.update', id, before, after);
    return after;
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    requireScope(ctx.principal, 'query');
    const before = await this.find(ctx, id);
    this.requireOwner(ctx, before);
    const deleted = await this.deps.store.delete(ctx.principal.tenant, before.id);
    if (!deleted) throw TributaryError.notFound(`saved query ${id} not found`);
    this.record(ctx, 'saved_query.delete', id, deleted, undefined);
  }

  async listVersions(
    ctx: RequestContext,
    id: string,
    request: { pageSize?: number; pageToken?: string },
  ): Promise<Page<SavedQueryVersionRecord>> {
    requireScope(ctx.principal, 'query');
    const query = await this.find(ctx, id);
    return this.deps.store.listVersions(ctx.principal.tenant, query.id, {
      limit: pageSize(request.pageSize),
      cursor: request.pageToken || undefined,
    });
  }

  async getVersion(ctx: RequestContext, id: string, version: unknown): Promise<SavedQueryVersionRecord> {
    requireScope(ctx.principal, 'query');
    const query = await this.find(ctx, id);
    const number = typeof version === 'string' && /^\d{1,9}$/.test(version) ? Number(version) : version;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
      throw TributaryError.invalid('version must be a positive integer');
    }
    const found = await this.deps.store.getVersion(ctx.principal.tenant, query.id, number);
    if (!found) throw TributaryError.notFound(`saved query ${id} has no version ${number}`);
    return found;
  }

  /**
   * The query request that executes a version (the current one by default)
   * with the caller's parameter values bound; run it through QueryService
   * (or a query run) like any other query, governed for the caller.
   */
  async prepare(
    ctx: RequestContext,
    id: string,
    execution: SavedQueryExecution,
  ): Promise<{ request: QueryRequest; savedQuery: { id: string; version: number } }> {
    requireScope(ctx.principal, 'query');
    const values = execution.parameters ?? {};
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw TributaryError.invalid('parameters must be an object of parameter name → value');
    }
    const content: SavedQueryContent & { version: number } =
      execution.version === undefined || execution.version === null
        ? await this.find(ctx, id)
        : await this.getVersion(ctx, id, execution.version);
    const bound = bindParameters(content.sql, content.parameters, values as Record<string, unknown>);
    return {
      request: { sql: bound.sql, params: bound.params, limit: execution.limit ?? 0 },
      savedQuery: { id, version: content.version },
    };
  }

  private async content(ctx: RequestContext, input: NewSavedQuery): Promise<SavedQueryContent> {
    const sql = sqlText(input.sql);
    const parameters = declaredParameters(input.parameters);
    checkPlaceholders(sql, parameters);
    await this.deps.checkSql(ctx, positionalSql(sql, parameters));
    return {
      name: name(input.name),
      description: text(input.description, 'description', 2_000),
      sql,
      parameters,
    };
  }

  private async find(ctx: RequestContext, id: string): Promise<SavedQueryRecord> {
    const query = ID.test(id) ? await this.deps.store.get(ctx.principal.tenant, id) : undefined;
    if (!query) throw TributaryError.notFound(`saved query ${id} not found`);
    return query;
  }

  private requireOwner(ctx: RequestContext, query: SavedQueryRecord): void {
    if (query.owner !== ctx.principal.subject && !isTenantAdmin(ctx.principal)) {
      throw new TributaryError(
        'UNAUTHORIZED',
        "only the saved query's creator or a tenant admin may change it",
      );
    }
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
