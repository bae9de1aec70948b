import { createHash } from 'node:crypto';
import { type SqlValue, TributaryError } from '@tributary/core';
import type { Principal } from '../auth/index.js';
import { type Catalog, type CatalogTable as CatalogEntry, parseTableName } from '../catalog/index.js';
import {
  type AccessControl,
  type AccessDecision,
  catalogLookup,
  explainAccess,
  loadPolicySet,
  narrowDecision,
  narrowExplanation,
  PolicyAccessControl,
  type PolicySet,
  rewriteQuery,
  type SqlCodec,
  type TableExplanation,
  type TagAssignment,
  unauthorizedError,
} from '../policy/index.js';
import type { AnalyzedQuery, CatalogTable } from '../query/analyze/index.js';
import type { Store } from '../store/index.js';

/** How long a loaded policy set is trusted before the store is asked again (changes made elsewhere). */
const RECHECK_MS = 1_000;

interface TenantPolicies {
  policies: PolicySet;
  salt: string;
  policyVersion: number;
  tagsStamp: string;
  catalogVersion: number;
  checkedAt: number;
}

export interface GovernedQuery {
  sql: string;
  params: SqlValue[];
  decision: AccessDecision;
}

/** The analyzer's view of catalog tables, which the policy engine shares. */
export function analyzerTables(tables: readonly CatalogEntry[]): CatalogTable[] {
  return tables.map((t) => ({
    source: t.ref.source,
    schema: t.ref.schema,
    table: t.ref.table,
    columns: t.columns.map((c) => ({ name: c.name, sqlType: c.sql_type })),
  }));
}

function tagAssignments(records: Awaited<ReturnType<Store['tags']['list']>>): TagAssignment[] {
  const assignments: TagAssignment[] = [];
  for (const record of records) {
    if (record.tags.length > 0) assignments.push({ table: record.table, tags: record.tags });
    for (const [column, tags] of Object.entries(record.columns)) {
      if (tags.length > 0) assignments.push({ table: record.table, column, tags });
    }
  }
  return assignments;
}

/**
 * Steps 3 and 4 of the query path for every protocol: decide what the
 * principal may read (deny by default) and rewrite the query so every
 * governed table is replaced by its filtered, masked projection. A tenant's
 * policy document and tags come from the store; a new version takes effect
 * on the next query here and within a second on other coordinators.
 */
/** Rewrites remembered, by query text and decision shape. */
const REWRITE_CACHE_SIZE = 2_000;

export class Governance {
  private readonly cache = new Map<string, TenantPolicies>();
  /**
   * The rewritten SQL depends only on the caller's SQL, the number of its
   * parameters and the decision's shape (projections, filters, how many
   * policy values each table binds) — not on the values — so it is computed
   * once per shape; the values are appended in the rewrite's own order.
   */
  private readonly rewrites = new Map<string, string>();
  private readonly loading = new Map<string, Promise<TenantPolicies>>();

  constructor(
    private readonly store: Store,
    private readonly codec: SqlCodec,
    private readonly catalog: Catalog,
    private readonly access: AccessControl = new PolicyAccessControl(),
  ) {}

  /** Validates a document completely (shape and SQL against the catalog) before it is stored. */
  async validateDocument(document: unknown): Promise<void> {
    const tables = analyzerTables(this.catalog.snapshot().tables);
    await loadPolicySet(withVersion(document, 0), this.codec, tables);
  }

  /** Every tenant's policies are read again on their next query (another replica changed the store). */
  invalidateAll(): void {
    this.cache.clear();
  }

  invalidate(tenant: string): void {
    this.cache.delete(tenant);
  }

  async enforce(
    principal: Principal,
    analyzed: AnalyzedQuery,
    sql: string,
    params: SqlValue[],
  ): Promise<GovernedQuery> {
    const decision = await this.decide(principal, analyzed);
    if (!decision.allowed) throw unauthorizedError(decision);
    const key = JSON.stringify([
      sql,
      params.length,
      decision.tables.map((t) => [t.table, t.columns, t.filter ?? null, t.params.length]),
    ]);
    const known = this.rewrites.get(key);
    const policyValues = decision.tables.flatMap((t) => t.params);
    if (known !== undefined) return { sql: known, params: [...params, ...policyValues], decision };
    const rewritten = await rewriteQuery(this.codec, sql, params, decision);
    if (this.rewrites.size >= REWRITE_CACHE_SIZE)
      this.rewrites.delete(this.rewrites.keys().next().value as string);
    this.rewrites.set(key, rewritten.sql);
    return { sql: rewritten.sql, params: rewritten.params, decision };
  }

  async decide(principal: Principal, analyzed: AnalyzedQuery): Promise<AccessDecision> {
    const tenant = await this.policiesOf(principal.tenant);
    const tables = analyzerTables(this.catalog.snapshot().tables);
    const decision = this.access.decide(
      principal,
      analyzed,
      catalogLookup(tables),
      tenant.policies,
      tenant.salt,
    );
    // An agent: the owner's decision, narrowed by the agent's scope.
    return principal.agent ? narrowDecision(decision, analyzed, principal.agent.scope) : decision;
  }

  /** The tenant's policy version and tags as one stamp: it changes whenever either does. */
  async policyStamp(tenant: string): Promise<string> {
    const policies = await this.policiesOf(tenant);
    return `${policies.policyVersion}:${createHash('sha256').update(policies.tagsStamp).digest('base64url')}`;
  }

  /** "What can I see in this table?" */
  async explain(principal: Principal, tableName: string): Promise<TableExplanation> {
    const entry = this.catalog.snapshot().resolve(tableName);
    const [table] = analyzerTables([entry]);
    const tenant = await this.policiesOf(principal.tenant);
    const explanation = explainAccess(principal, table as CatalogTable, tenant.policies, tenant.salt);
    return principal.agent ? narrowExplanation(explanation, principal.agent.scope) : explanation;
  }

  /** Admin-set tags of a table's columns: a column carries its own tags and the table's. */
  async columnTags(
    tenant: string,
    ref: { source: string; schema: string; table: string },
  ): Promise<(column: string) => string[]> {
    const { policies } = await this.policiesOf(tenant);
    const name = `${ref.source}.${ref.schema}.${ref.table}`.toLowerCase();
    const own = policies.tags.filter((t) => t.table.toLowerCase() === name);
    const tableTags = own.filter((t) => !t.column).flatMap((t) => t.tags);
    return (column) => [
      ...new Set([
        ...tableTags,
        ...own.filter((t) => t.column?.toLowerCase() === column.toLowerCase()).flatMap((t) => t.tags),
      ]),
    ];
  }

  /** Whether the principal may read anything of a table: catalog listings show only those. */
  async readableTables(principal: Principal, tables: readonly CatalogEntry[]): Promise<Set<string>> {
    const tenant = await this.policiesOf(principal.tenant);
    const readable = new Set<string>();
    for (const [index, table] of analyzerTables(tables).entries()) {
      const owners = explainAccess(principal, table, tenant.policies, tenant.salt);
      const explanation = principal.agent ? narrowExplanation(owners, principal.agent.scope) : owners;
      if (explanation.readable) {
        const ref = (tables[index] as CatalogEntry).ref;
        readable.add(`${ref.source}.${ref.schema}.${ref.table}`.toLowerCase());
      }
    }
    return readable;
  }

  private async policiesOf(tenant: string): Promise<TenantPolicies> {
    const cached = this.cache.get(tenant);
    const catalogVersion = this.catalog.snapshot().version;
    if (cached && cached.catalogVersion === catalogVersion && Date.now() - cached.checkedAt < RECHECK_MS) {
      return cached;
    }
    const pending = this.loading.get(tenant);
    if (pending) return pending;
    const load = this.load(tenant, cached, catalogVersion).finally(() => this.loading.delete(tenant));
    this.loading.set(tenant, load);
    return load;
  }

  private async load(
    tenant: string,
    cached: TenantPolicies | undefined,
    catalogVersion: number,
  ): Promise<TenantPolicies> {
    const [record, tagRecords, tenantRecord] = await Promise.all([
      this.store.policies.current(tenant),
      this.store.tags.list(tenant),
      this.store.tenants.ensure(tenant),
    ]);
    const policyVersion = record?.version ?? 0;
    const tagsStamp = tagRecords.map((t) => `${t.table}@${t.updatedAt}`).join(',');
    if (
      cached &&
      cached.policyVersion === policyVersion &&
      cached.tagsStamp === tagsStamp &&
      cached.catalogVersion === catalogVersion
    ) {
      cached.checkedAt = Date.now();
      return cached;
    }
    const document = record ? (JSON.parse(record.document) as Record<string, unknown>) : {};
    const tables = analyzerTables(this.catalog.snapshot().tables);
    let policies: PolicySet;
    try {
      ({ policies } = await loadPolicySet(
        { ...withVersion(document, policyVersion), tags: tagAssignments(tagRecords) },
        this.codec,
        tables,
      ));
    } catch (error) {
      // A stored document that no longer fits the catalog must not open
      // anything up: fail closed until an admin fixes it.
      throw new TributaryError(
        'UNAVAILABLE',
        `the policy set of tenant ${tenant} (version ${policyVersion}) cannot be applied: ${(error as Error).message}`,
      );
    }
    const loaded: TenantPolicies = {
      policies,
      salt: tenantRecord.hashSalt,
      policyVersion,
      tagsStamp,
      catalogVersion,
      checkedAt: Date.now(),
    };
    this.cache.set(tenant, loaded);
    return loaded;
  }
}

function withVersion(document: unknown, version: number): Record<string, unknown> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw TributaryError.invalid('the policy document must be a JSON object');
  }
  const { version: _ignored, tags, ...rest } = document as Record<string, unknown>;
  if (tags !== undefined) {
    throw TributaryError.invalid('tags are managed with PutTags, not in the policy document');
  }
  return { ...rest, version };
}

export { parseTableName };
