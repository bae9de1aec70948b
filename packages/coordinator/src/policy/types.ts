// The narrow interface between the query path and the policy engine, in the
// spirit of Trino's SystemAccessControl: given who asks and what a query
// touches, say whether it may run and, per table, which rows and which
// (possibly masked) column values it may see.

import type { SqlValue } from '@tributary/core';
import type { Principal } from '../auth/principal.js';
import type { AnalyzedQuery, CatalogTable, TableRef } from '../query/analyze/types.js';
import type { PolicySet } from './model.js';

/** Finds a catalog table by name (case-insensitively, as DuckDB does). */
export type CatalogLookup = (ref: TableRef) => CatalogTable | undefined;

/** How one column of a governed table reaches the query. */
export interface ColumnAccess {
  name: string;
  /** The catalog's DuckDB type. */
  sqlType: string;
  /**
   * read: as stored (unless a row-conditional protection changes it on some
   * rows). masked: `expression` replaces it everywhere (select list,
   * predicates, joins, grouping). denied: never readable; the rewrite
   * projects a NULL of its type so `*`, EXCLUDE and positional aliases keep
   * their shape.
   */
  access: 'read' | 'masked' | 'denied';
  /**
   * SQL over the base table's columns with $1… placeholders that index
   * TableAccess.params. Set when row-conditional protections or masks change
   * the value.
   */
  expression?: string;
}

/** What a principal may see of one base table. */
export interface TableAccess {
  table: TableRef;
  /** Every catalog column, in catalog order. */
  columns: ColumnAccess[];
  /** The combined row predicate ($n placeholders as in `columns`), or undefined when every row is visible. */
  filter?: string;
  /** Values for the placeholders of `filter` and the column expressions, $1 first. */
  params: SqlValue[];
  /** Ids of the policies that shaped this access, for ValidateQuery reasons and the audit log. */
  applied: {
    grants: string[];
    filters: string[];
    masks: string[];
    protections: string[];
    tagRules: string[];
  };
}

export interface AccessRefusal {
  table: TableRef;
  /** Set when a column, not the whole table, was refused. */
  column?: string;
  reason: string;
}

export interface AccessDecision {
  allowed: boolean;
  /** The first thing refused (tables in the analyzer's order, then their columns). */
  refusal?: AccessRefusal;
  /** One per base table the query reads, in the analyzer's order; empty when refused. */
  tables: TableAccess[];
}

/** The decision point: given a principal and what a query touches. */
export interface AccessControl {
  decide(
    principal: Principal,
    query: AnalyzedQuery,
    catalog: CatalogLookup,
    policies: PolicySet,
    salt: string,
  ): AccessDecision;
}

/** "What can I see in this table?" */
export interface TableExplanation extends TableAccess {
  /** False when no grant lets the principal read any column (queries on the table are refused). */
  readable: boolean;
  deniedColumns: string[];
}
