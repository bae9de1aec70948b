import { quoteIdentifier } from '@tributary/core';

/**
 * Decides whether a query can run in PostgreSQL as it is, and writes the
 * PostgreSQL SQL for it from DuckDB's own parse tree (`json_serialize_sql`).
 * Deliberately conservative: a whitelist of node kinds, operators, functions
 * and types whose meaning is the same in both systems. Anything else (integer
 * division, window functions, DuckDB-only functions, set operations, CTEs…)
 * returns null and the query runs in DuckDB instead.
 *
 * Written by hand: no library turns DuckDB's parse tree into PostgreSQL SQL.
 */

// biome-ignore lint/suspicious/noExplicitAny: DuckDB's JSON parse tree has no published types
type Node = any;

/**
 * How a column's values compare in PostgreSQL next to DuckDB: `plain` alike;
 * `text` alike under the "C" collation (byte order, DuckDB's); `opaque` not
 * alike (types DuckDB holds as text, jsonb, arrays, intervals, padded
 * character(n)): such a column may only be selected, counted or tested for
 * NULL in PostgreSQL.
 */
export type ColumnKind = 'plain' | 'text' | 'opaque';

/** What the printer needs to know about the source's tables. */
export interface PushdownCatalog {
  source: string;
  /** Real `[schema, table]` for a name written in the query, matched case-insensitively. */
  table(
    schema: string,
    table: string,
  ): { schema: string; table: string; columns: { name: string; kind: ColumnKind }[] } | undefined;
}

interface ColumnEntry {
  name: string;
  kind: ColumnKind;
}

export interface PushdownQuery {
  sql: string;
  /** The caller's parameters followed by the query's string constants. */
  params: unknown[];
}

class NotPortable extends Error {}

const COMPARISONS: Record<string, string> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '<>',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
  COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM',
  COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
};

const OPERATORS: Record<string, string> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '~~': 'LIKE',
  '!~~': 'NOT LIKE',
};

const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'avg']);
// Not lower/upper/ILIKE: PostgreSQL folds case by the database's locale (ASCII only under C), DuckDB by Unicode.
const SCALARS = new Set(['length', 'abs', 'coalesce', 'nullif']);

const CAST_TYPES: Record<string, string> = {
  SMALLINT: 'smallint',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  VARCHAR: 'text',
  BOOLEAN: 'boolean',
  DATE: 'date',
  DOUBLE: 'double precision',
};

/** The base tables a parse tree reads, as written: `[catalog, schema, table]`. */
export function baseTables(tree: Node): { catalog: string; schema: string; table: string }[] {
  const found: { catalog: string; schema: string; table: string }[] = [];
  const visit = (node: Node) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string')
        found.push({
          catalog: node.catalog_name ?? '',
          schema: node.schema_name ?? '',
          table: node.table_name,
        });
      for (const value of Object.values(node)) visit(value);
    }
  };
  visit(tree);
  return found;
}

/** Column names a parse tree mentions (lower-cased), or null when it selects `*` somewhere. */
export function mentionedColumns(tree: Node): Set<string> | null {
  const names = new Set<string>();
  let star = false;
  const visit = (node: Node) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      if (node.class === 'STAR' || node.class === 'COLUMNS') star = true;
      if (node.class === 'COLUMN_REF')
        for (const part of node.column_names ?? []) names.add(String(part).toLowerCase());
      for (const value of Object.values(node)) visit(value);
    }
  };
  visit(tree);
  return star ? null : names;
}

/** PostgreSQL SQL for `statement` (one parsed statement), or null when it is not portable. */
export function pushdownQuery(
  statement: Node,
  catalog: PushdownCatalog,
  callerParams: readonly unknown[],
): PushdownQuery | null {
  const params = [...callerParams];
  try {
    const sql = new Printer(catalog, params, callerParams.length).query(statement.node);
    return { sql, params };
  } catch (error) {
    if (error instanceof NotPortable) return null;
    throw error;
  }
}

class Printer {
  private columns = new Map<string, ColumnEntry>();
  private aliases = new Map<string, Node>();
  /** The scope of the last query printed (what a `SELECT *` subquery passes through). */
  private lastColumns = new Map<string, ColumnEntry>();
  /** Printing an operand whose order or equality matters: text columns take the "C" collation. */
  private ordering = false;
  /** Printing a column that is only selected, counted or tested for NULL. */
  private bare = false;
  /** The select list passes through an opaque column (DISTINCT would compare it). */
  private opaqueOutput = false;

  constructor(
    private readonly catalog: PushdownCatalog,
    private readonly params: unknown[],
    private readonly callerParamCount: number,
  ) {}

  query(node: Node): string {
    if (node?.type !== 'SELECT_NODE') throw new NotPortable();
    if ((node.cte_map?.map ?? []).length > 0) throw new NotPortable();
    if (node.sample || node.qualify || node.aggregate_handling !== 'STANDARD_HANDLING')
      throw new NotPortable();
    const outerColumns = this.columns;
    const outerAliases = this.aliases;
    this.columns = new Map();
    this.aliases = new Map();
    const from = node.from_table ? ` FROM ${this.tableRef(node.from_table)}` : '';
    for (const item of node.select_list) if (item.alias) this.aliases.set(item.alias.toLowerCase(), item);
    const outerOpaque = this.opaqueOutput;
    this.opaqueOutput = false;
    let distinct = '';
    let order = '';
    let limit = '';
    for (const modifier of node.modifiers ?? []) {
      if (modifier.type === 'DISTINCT_MODIFIER') {
        if ((modifier.distinct_on_targets ?? []).length > 0) throw new NotPortable();
        distinct = 'DISTINCT ';
      } else if (modifier.type === 'ORDER_MODIFIER') {
        order = ` ORDER BY ${modifier.orders.map((o: Node) => this.orderTerm(o)).join(', ')}`;
      } else if (modifier.type === 'LIMIT_MODIFIER') {
        if (modifier.limit) limit += ` LIMIT ${this.expr(modifier.limit)}`;
        if (modifier.offset) limit += ` OFFSET ${this.expr(modifier.offset)}`;
      } else throw new NotPortable();
    }
    const select = node.select_list.map((item: Node) => this.selectItem(item)).join(', ');
    if (distinct && this.opaqueOutput) throw new NotPortable();
    this.opaqueOutput = outerOpaque;
    let sql = `SELECT ${distinct}${select}${from}`;
    if (node.where_clause) sql += ` WHERE ${this.expr(node.where_clause)}`;
    const groups = node.group_expressions ?? [];
    if (groups.length > 0) {
      const sets = node.group_sets ?? [];
      if (sets.length !== 1 || sets[0].length !== groups.length) throw new NotPortable();
      sql += ` GROUP BY ${groups.map((g: Node) => this.expr(g)).join(', ')}`;
    }
    if (node.having) sql += ` HAVING ${this.expr(node.having)}`;
    sql += order + limit;
    this.lastColumns = this.columns;
    this.columns = outerColumns;
    this.aliases = outerAliases;
    return sql;
  }

  private selectItem(item: Node): string {
    let text: string;
    if (item.class === 'COLUMN_REF') {
      text = this.within({ bare: true, ordering: false }, () => this.expr(item));
      if (this.entry(item.column_names)?.kind === 'opaque') this.opaqueOutput = true;
    } else {
      if (item.class === 'STAR' && [...this.columns.values()].some((c) => c.kind === 'opaque'))
        this.opaqueOutput = true;
      text = this.within({ bare: false, ordering: false }, () => this.expr(item));
    }
    return item.alias ? `${text} AS ${quoteIdentifier(item.alias)}` : text;
  }

  /** Prints under the given context flags, restoring the outer ones after. */
  private within<T>(flags: { bare: boolean; ordering: boolean }, print: () => T): T {
    const outer = { bare: this.bare, ordering: this.ordering };
    this.bare = flags.bare;
    this.ordering = flags.ordering;
    try {
      return print();
    } finally {
      this.bare = outer.bare;
      this.ordering = outer.ordering;
    }
  }

  private ordered(node: Node): string {
    return this.within({ bare: false, ordering: true }, () => this.expr(node));
  }

  private orderTerm(order: Node): string {
    const direction = { ASCENDING: ' ASC', DESCENDING: ' DESC', ORDER_DEFAULT: '' }[order.type as string];
    // DuckDB and PostgreSQL place NULLs differently by default, so the order is always spelled out.
    const nulls = {
      'NULLS FIRST': ' NULLS FIRST',
      'NULLS LAST': ' NULLS LAST',
      NULLS_FIRST: ' NULLS FIRST',
      NULLS_LAST: ' NULLS LAST',
      ORDER_DEFAULT: ' NULLS LAST',
    }[order.null_order as string];
    if (direction === undefined || nulls === undefined) throw new NotPortable();
    // An output name is ordered by its expression, which can take the "C" collation; both systems
    // prefer the output name over an input column of the same name.
    const expression = order.expression;
    const alias =
      expression.class === 'COLUMN_REF' && expression.column_names.length === 1
        ? this.aliases.get(String(expression.column_names[0]).toLowerCase())
        : undefined;
    if (alias && this.numericForSure(alias)) return `${quoteIdentifier(alias.alias)}${direction}${nulls}`;
    return `${this.ordered(alias ?? expression)}${direction}${nulls}`;
  }

  private tableRef(ref: Node): string {
    if (ref.sample || ref.at_clause || (ref.column_name_alias ?? []).length > 0) throw new NotPortable();
    const alias = ref.alias ? ` AS ${quoteIdentifier(ref.alias)}` : '';
    switch (ref.type) {
      case 'BASE_TABLE': {
        if (ref.catalog_name.toLowerCase() !== this.catalog.source.toLowerCase()) throw new NotPortable();
        const table = this.catalog.table(ref.schema_name || 'main', ref.table_name);
        if (!table) throw new NotPortable();
        for (const column of table.columns) this.columns.set(column.name.toLowerCase(), column);
        return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}${alias}`;
      }
      case 'SUBQUERY': {
        if (!ref.alias) throw new NotPortable();
        const inner = new Printer(this.catalog, this.params, this.callerParamCount);
        const sql = inner.query(ref.subquery?.node);
        // The subquery's output names are what the outer query can refer to.
        for (const item of ref.subquery.node.select_list) {
          if (item.class === 'STAR') continue;
          const name = item.alias || (item.class === 'COLUMN_REF' ? item.column_names.at(-1) : undefined);
          if (!name) throw new NotPortable();
          // A computed output's comparisons are not known to agree: it is only passed on.
          const kind: ColumnKind =
            item.class === 'COLUMN_REF'
              ? (inner.lastColumns.get(String(item.column_names.at(-1)).toLowerCase())?.kind ?? 'opaque')
              : 'opaque';
          this.columns.set(String(name).toLowerCase(), { name, kind });
        }
        for (const [key, value] of inner.exposedStarColumns(ref.subquery.node)) this.columns.set(key, value);
        return `(${sql})${alias}`;
      }
      case 'JOIN': {
        if (ref.ref_type !== 'REGULAR' || (ref.using_columns ?? []).length > 0) throw new NotPortable();
        const kind = { INNER: 'JOIN', LEFT: 'LEFT JOIN' }[ref.join_type as string];
        if (!kind || !ref.condition) throw new NotPortable();
        const left = this.tableRef(ref.left);
        const right = this.tableRef(ref.right);
        return `${left} ${kind} ${right} ON ${this.expr(ref.condition)}`;
      }
      default:
        throw new NotPortable();
    }
  }

  /** The columns a `SELECT *` subquery passes through. */
  private exposedStarColumns(node: Node): Map<string, ColumnEntry> {
    return node.select_list.some((item: Node) => item.class === 'STAR') ? this.lastColumns : new Map();
  }

  private entry(parts: string[]): ColumnEntry | undefined {
    return this.columns.get(String(parts.at(-1)).toLowerCase());
  }

  private column(parts: string[]): string {
    if (parts.length > 2) throw new NotPortable();
    const name = parts.at(-1) as string;
    const entry = this.entry(parts);
    if (entry === undefined) {
      const alias = parts.length === 1 ? this.aliases.get(name.toLowerCase()) : undefined;
      // An output name outside ORDER BY (DuckDB allows it in WHERE and GROUP BY) is not followed.
      if (!alias?.alias) throw new NotPortable();
      if (this.ordering && !this.numericForSure(alias)) throw new NotPortable();
      return quoteIdentifier(alias.alias);
    }
    if (entry.kind === 'opaque' && !this.bare) throw new NotPortable();
    // A qualifier is a table alias the query itself wrote; it is repeated as written.
    const quoted =
      parts.length === 2
        ? `${quoteIdentifier(parts[0] as string)}.${quoteIdentifier(entry.name)}`
        : quoteIdentifier(entry.name);
    return entry.kind === 'text' && this.ordering ? `${quoted} COLLATE "C"` : quoted;
  }

  /**
   * Whether an output expression is numeric for sure (an aggregate but min/max, length, abs or
   * arithmetic), so ordering by its name needs no collation.
   */
  private numericForSure(node: Node): boolean {
    if (node.class !== 'FUNCTION') return false;
    const name = String(node.function_name).toLowerCase();
    return ['count_star', 'count', 'sum', 'avg', 'length', 'abs', '+', '-', '*'].includes(name);
  }

  private constant(value: Node): string {
    if (value.is_null) return 'NULL';
    switch (value.type?.id) {
      case 'INTEGER':
      case 'BIGINT':
      case 'SMALLINT':
      case 'TINYINT':
      case 'HUGEINT':
        // The parse tree is JSON: integers past 2^53 have already lost digits in JSON.parse.
        if (!Number.isSafeInteger(value.value)) throw new NotPortable();
        return String(value.value);
      case 'BOOLEAN':
        return value.value ? 'TRUE' : 'FALSE';
      case 'VARCHAR':
        // Caller text travels as a bound parameter, never inside the SQL.
        this.params.push(String(value.value));
        return `$${this.params.length}::text`;
      default:
        throw new NotPortable();
    }
  }

  private expr(node: Node): string {
    if (node.class !== 'COLUMN_REF' && node.class !== 'STAR' && node.alias && node.alias.length > 0) {
      // An alias inside an expression tree is only meaningful in the select list, handled by the caller.
    }
    switch (node.class) {
      case 'COLUMN_REF':
        return this.column(node.column_names);
      case 'STAR':
        if (node.exclude_list?.length || node.replace_list?.length || node.columns || node.expr)
          throw new NotPortable();
        return node.relation_name ? `${quoteIdentifier(node.relation_name)}.*` : '*';
      case 'CONSTANT':
        return this.constant(node.value);
      case 'PARAMETER': {
        const index = Number(node.identifier);
        if (!Number.isInteger(index) || index < 1 || index > this.callerParamCount) throw new NotPortable();
        return `$${index}`;
      }
      case 'COMPARISON': {
        const op = COMPARISONS[node.type];
        if (!op) throw new NotPortable();
        return `(${this.ordered(node.left)} ${op} ${this.ordered(node.right)})`;
      }
      case 'CONJUNCTION': {
        const op = { CONJUNCTION_AND: ' AND ', CONJUNCTION_OR: ' OR ' }[node.type as string];
        if (!op) throw new NotPortable();
        return `(${node.children.map((c: Node) => this.expr(c)).join(op)})`;
      }
      case 'OPERATOR': {
        const nullTest = node.type === 'OPERATOR_IS_NULL' || node.type === 'OPERATOR_IS_NOT_NULL';
        const children: string[] = node.children.map((c: Node) =>
          nullTest && c.class === 'COLUMN_REF'
            ? this.within({ bare: true, ordering: false }, () => this.expr(c))
            : node.type === 'OPERATOR_NOT' || nullTest
              ? this.within({ bare: false, ordering: false }, () => this.expr(c))
              : this.ordered(c),
        );
        switch (node.type) {
          case 'OPERATOR_NOT':
            return `(NOT ${children[0]})`;
          case 'OPERATOR_IS_NULL':
            return `(${children[0]} IS NULL)`;
          case 'OPERATOR_IS_NOT_NULL':
            return `(${children[0]} IS NOT NULL)`;
          case 'COMPARE_IN':
            return `(${children[0]} IN (${children.slice(1).join(', ')}))`;
          case 'COMPARE_NOT_IN':
            return `(${children[0]} NOT IN (${children.slice(1).join(', ')}))`;
          default:
            throw new NotPortable();
        }
      }
      case 'BETWEEN':
        return `(${this.ordered(node.input)} BETWEEN ${this.ordered(node.lower)} AND ${this.ordered(node.upper)})`;
      case 'CASE': {
        // Its result type is not known here: it cannot take a collation, so it is not compared.
        if (this.ordering) throw new NotPortable();
        const checks = node.case_checks.map(
          (c: Node) => `WHEN ${this.expr(c.when_expr)} THEN ${this.expr(c.then_expr)}`,
        );
        return `(CASE ${checks.join(' ')} ELSE ${this.expr(node.else_expr)} END)`;
      }
      case 'CAST': {
        const type = CAST_TYPES[node.cast_type?.id];
        if (!type || node.try_cast) throw new NotPortable();
        const cast = `CAST(${this.within({ bare: false, ordering: false }, () => this.expr(node.child))} AS ${type})`;
        return type === 'text' && this.ordering ? `${cast} COLLATE "C"` : cast;
      }
      case 'FUNCTION':
        return this.func(node);
      default:
        throw new NotPortable();
    }
  }

  private func(node: Node): string {
    if (
      node.filter ||
      (node.order_bys?.orders ?? []).length > 0 ||
      node.export_state ||
      node.schema ||
      node.catalog
    )
      throw new NotPortable();
    const name = String(node.function_name).toLowerCase();
    if (this.ordering && (name === 'coalesce' || name === 'nullif')) throw new NotPortable();
    // count(x) only tests x for NULL; min/max and LIKE order or match text; the rest compute.
    const context =
      name === 'count' && !node.distinct
        ? { bare: node.children[0]?.class === 'COLUMN_REF', ordering: false }
        : ['min', 'max', 'count', '~~', '!~~'].includes(name)
          ? { bare: false, ordering: true }
          : { bare: false, ordering: false };
    const args: string[] = node.children.map((c: Node) => this.within(context, () => this.expr(c)));
    if (node.is_operator) {
      const op = OPERATORS[name];
      if (!op || node.distinct) throw new NotPortable();
      if (args.length === 1 && (op === '-' || op === '+')) return `(${op}${args[0]})`;
      if (args.length !== 2) throw new NotPortable();
      // DuckDB's LIKE has no escape character unless one is named; PostgreSQL's is the backslash.
      if (op.endsWith('LIKE')) return `(${args[0]} ${op} ${args[1]} ESCAPE '')`;
      return `(${args[0]} ${op} ${args[1]})`;
    }
    if (name === 'count_star' && args.length === 0 && !node.distinct) return 'count(*)';
    if (AGGREGATES.has(name) && args.length === 1)
      return `${name}(${node.distinct ? 'DISTINCT ' : ''}${args[0]})`;
    if (SCALARS.has(name) && !node.distinct && args.length > 0) return `${name}(${args.join(', ')})`;
    throw new NotPortable();
  }
}
