// The decision (step 3 of the query path): for every base table a query
// reads, which rows and which column values the principal may see, or the
// first thing refused.
//
// Per column, in this order:
//   1. an explicit deny (a deny grant covering it, or a deny tag rule whose
//      `unless` does not hold) makes it unreadable — no mask rescues it;
//   2. otherwise an applicable mask (column mask not exempted by role or group, or mask
//      tag rule) makes it readable as the masked value, with or without a grant;
//   3. otherwise an allow grant covering it makes it readable as stored;
//   4. otherwise it is unreadable (deny by default).
// A table is readable when at least one of its columns is granted and not
// denied; a query reading no column of it (count(*)) still needs that.
// Using an unreadable column anywhere in the query refuses it, naming the
// column. The analyzer's column report already attributes columns reached
// through `*`, USING and NATURAL joins to their base tables.

import { TributaryError } from '@tributary/core';
import type { Principal } from '../auth/principal.js';
import { displayTableName, quoteIdentifier } from '../query/analyze/sql-text.js';
import type { AnalyzedQuery, CatalogTable, TableRef } from '../query/analyze/types.js';
import { columnGrants, inRolesOrGroups } from './grants.js';
import { leastRevealing, type MaskCandidate, maskSql, type ValueSql } from './masks.js';
import { type PolicySet, parseTableName } from './model.js';
import { sameName, sameTable } from './names.js';
import { PolicyParams } from './params.js';
import { compilePolicySql, embedPolicySql, renderPolicySql } from './policy-sql.js';
import { protectedValue, protectionsFor, protectsColumn } from './protections.js';
import { applicableFilters } from './row-filters.js';
import { applicableTagRules, columnTags } from './tag-rules.js';
import type {
  AccessControl,
  AccessDecision,
  AccessRefusal,
  CatalogLookup,
  ColumnAccess,
  TableAccess,
  TableExplanation,
} from './types.js';

/** A policy whose SQL cannot be used: the table is refused rather than read unprotected. */
class UnusablePolicy extends Error {}

interface TableAnalysis {
  access: TableAccess;
  readable: boolean;
  /** Why each unreadable column is unreadable, by catalog spelling. */
  reasons: Map<string, string>;
}

function analyzeTable(
  principal: Principal,
  table: CatalogTable,
  policies: PolicySet,
  salt: string,
): TableAnalysis {
  const ref: TableRef = { source: table.source, schema: table.schema, table: table.table };
  const params = new PolicyParams(principal, salt);
  const applied: TableAccess['applied'] = {
    grants: [],
    filters: [],
    masks: [],
    protections: [],
    tagRules: [],
  };
  const adminSql = (id: string, sql: string): string => {
    try {
      return renderPolicySql(compilePolicySql(sql), (attribute) => params.attribute(attribute));
    } catch (error) {
      throw new UnusablePolicy(`policy ${id} cannot be applied: ${(error as Error).message}`);
    }
  };

  const filterParts: string[] = [];
  for (const filter of applicableFilters(policies.rowFilters, principal, ref)) {
    filterParts.push(embedPolicySql(adminSql(filter.id, filter.predicate)));
    applied.filters.push(filter.id);
  }
  const protections = protectionsFor(policies.protections, ref);
  const conditions = new Map<string, string>();
  for (const protection of protections) {
    const condition = embedPolicySql(adminSql(protection.id, protection.condition));
    conditions.set(protection.id, condition);
    if (protection.action === 'skip') {
      filterParts.push(condition);
      applied.protections.push(protection.id);
    }
  }

  const grants = columnGrants(policies.grants, principal, table);
  applied.grants.push(...grants.applied);
  const masks = policies.masks.filter((mask) => {
    const target = parseTableName(mask.table);
    return target !== undefined && sameTable(target, ref) && !inRolesOrGroups(principal, mask.unless);
  });

  const note = (list: string[], id: string): void => {
    if (!list.includes(id)) list.push(id);
  };
  const reasons = new Map<string, string>();
  let readable = false;
  const columns: ColumnAccess[] = table.columns.map((column) => {
    const granted = grants.columns.get(column.name) ?? { allowedBy: [], deniedBy: [] };
    const rules = applicableTagRules(
      policies.tagRules,
      principal,
      columnTags(policies.tags, ref, column.name),
    );
    const denyRules = rules.filter((rule) => rule.effect === 'deny');
    if (granted.deniedBy.length > 0 || denyRules.length > 0) {
      reasons.set(
        column.name,
        granted.deniedBy.length > 0
          ? `denied by grant ${granted.deniedBy[0]}`
          : `denied by tag rule ${denyRules[0]!.id}`,
      );
      for (const rule of denyRules) note(applied.tagRules, rule.id);
      return { name: column.name, sqlType: column.sqlType, access: 'denied' };
    }
    if (granted.allowedBy.length > 0) readable = true;

    const candidates: MaskCandidate[] = [
      ...masks
        .filter((mask) => sameName(mask.column, column.name))
        .map((mask): MaskCandidate => ({ id: mask.id, origin: 'mask', spec: mask.mask })),
      ...rules
        .filter((rule) => rule.effect === 'mask' && rule.mask !== undefined)
        .map((rule): MaskCandidate => ({ id: rule.id, origin: 'tagRule', spec: rule.mask! })),
    ];
    const mask = leastRevealing(candidates);
    if (mask === undefined && granted.allowedBy.length === 0) {
      reasons.set(column.name, 'no grant covers it');
      return { name: column.name, sqlType: column.sqlType, access: 'denied' };
    }

    let value: ValueSql = { sql: quoteIdentifier(column.name), sqlType: column.sqlType };
    let changed = false;
    if (mask !== undefined) {
      value = maskSql(mask.spec, column, params, (sql) => adminSql(mask.id, sql));
      note(mask.origin === 'mask' ? applied.masks : applied.tagRules, mask.id);
      changed = true;
    }
    for (const protection of protections) {
      if (!protectsColumn(protection, column.name)) continue;
      value = protectedValue(protection.action, conditions.get(protection.id)!, value);
      note(applied.protections, protection.id);
      changed = true;
    }
    const access: ColumnAccess = {
      name: column.name,
      sqlType: column.sqlType,
      access: mask === undefined ? 'read' : 'masked',
    };
    if (changed) access.expression = value.sql;
    return access;
  });

  const access: TableAccess = { table: ref, columns, params: params.values, applied };
  if (filterParts.length > 0) access.filter = filterParts.join(' AND ');
  return { access, readable, reasons };
}

/** Decides one query. Tables are checked in the analyzer's order, each table before its columns. */
export function decideAccess(
  principal: Principal,
  query: AnalyzedQuery,
  catalog: CatalogLookup,
  policies: PolicySet,
  salt: string,
): AccessDecision {
  const refuse = (refusal: AccessRefusal): AccessDecision => ({ allowed: false, refusal, tables: [] });
  const tables: TableAccess[] = [];
  for (const ref of query.tables) {
    const table = catalog(ref);
    if (table === undefined) return refuse({ table: ref, reason: 'the table is not in the catalog' });
    let analysis: TableAnalysis;
    try {
      analysis = analyzeTable(principal, table, policies, salt);
    } catch (error) {
      if (error instanceof UnusablePolicy) return refuse({ table: ref, reason: error.message });
      throw error;
    }
    if (!analysis.readable) return refuse({ table: ref, reason: unreadableReason(analysis) });
    for (const used of query.columns) {
      if (!sameTable(used.table, ref)) continue;
      const column = analysis.access.columns.find((entry) => sameName(entry.name, used.column));
      if (column === undefined) {
        return refuse({ table: ref, column: used.column, reason: 'the column is not in the catalog' });
      }
      if (column.access === 'denied') {
        return refuse({ table: ref, column: column.name, reason: analysis.reasons.get(column.name)! });
      }
    }
    tables.push(analysis.access);
  }
  return { allowed: true, tables };
}

function unreadableReason(analysis: TableAnalysis): string {
  const explicit = [...analysis.reasons.values()].find((reason) => reason.startsWith('denied by'));
  return explicit === undefined
    ? 'no grant allows reading this table'
    : `no column of this table is readable (${explicit})`;
}

/** The policy engine as an AccessControl. Stateless: the policy set travels with each call. */
export class PolicyAccessControl implements AccessControl {
  decide(
    principal: Principal,
    query: AnalyzedQuery,
    catalog: CatalogLookup,
    policies: PolicySet,
    salt: string,
  ): AccessDecision {
    return decideAccess(principal, query, catalog, policies, salt);
  }
}

/** "What can I see in this table?": every column's access, the row filter, and what is denied. */
export function explainAccess(
  principal: Principal,
  table: CatalogTable,
  policies: PolicySet,
  salt: string,
): TableExplanation {
  let analysis: TableAnalysis;
  try {
    analysis = analyzeTable(principal, table, policies, salt);
  } catch (error) {
    if (!(error instanceof UnusablePolicy)) throw error;
    return {
      table: { source: table.source, schema: table.schema, table: table.table },
      columns: table.columns.map((column) => ({
        name: column.name,
        sqlType: column.sqlType,
        access: 'denied',
      })),
      params: [],
      applied: { grants: [], filters: [], masks: [], protections: [], tagRules: [] },
      readable: false,
      deniedColumns: table.columns.map((column) => column.name),
    };
  }
  const deniedColumns = analysis.readable
    ? analysis.access.columns.filter((column) => column.access === 'denied').map((column) => column.name)
    : table.columns.map((column) => column.name);
  return { ...analysis.access, readable: analysis.readable, deniedColumns };
}

/** QUERY_UNAUTHORIZED naming what was refused. */
export function unauthorizedError(decision: AccessDecision): TributaryError {
  const refusal = decision.refusal;
  if (refusal === undefined) return new TributaryError('QUERY_UNAUTHORIZED', 'query not authorized');
  const table = displayTableName(refusal.table);
  const what = refusal.column === undefined ? `table ${table}` : `column ${refusal.column} of ${table}`;
  const details: Record<string, string> = { table, reason: refusal.reason };
  if (refusal.column !== undefined) details.column = refusal.column;
  return new TributaryError(
    'QUERY_UNAUTHORIZED',
    `not authorized to read ${what}: ${refusal.reason}`,
    details,
  );
}
