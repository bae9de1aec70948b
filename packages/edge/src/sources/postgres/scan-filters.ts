import { quoteIdentifier, type SqlValue } from '@tributary/core';
import { duckTypeOf, type PgColumn } from './types.js';

/**
 * The WHERE conjuncts of a query that are about one PostgreSQL table alone,
 * written as a PostgreSQL condition for the read that loads the table into
 * DuckDB, so only rows the query can keep travel. DuckDB still applies the
 * whole WHERE clause afterwards: a condition here only has to keep every row
 * DuckDB would keep, and it is written so it keeps exactly those.
 *
 * Deliberately narrow: comparisons of a column with a constant or bound
 * parameter, IN lists, BETWEEN, IS [NOT] NULL and LIKE, on column types whose
 * comparisons mean the same in both systems. Values travel as parameters
 * with an explicit PostgreSQL type; text compares under the "C" collation
 * (byte order, as DuckDB compares); LIKE has no escape character, as in
 * DuckDB. Anything else is left to DuckDB.
 *
 * Written by hand, like pushdown.ts: no library maps DuckDB's parse tree to
 * PostgreSQL SQL.
 */

// biome-ignore lint/suspicious/noExplicitAny: DuckDB's JSON parse tree has no published types
type Node = any;

export interface ScanFilter {
  /** A PostgreSQL boolean expression over the table's columns, `$1`… for `params`. */
  where: string;
  params: string[];
}

export interface ScannedTable {
  catalog: string;
  schema: string;
  name: string;
  /** Every column of the table (names resolve against all of them, loaded or not). */
  columns: readonly PgColumn[];
}

class Untranslatable extends Error {}

/** How a column's values compare, as far as both systems agree. */
type ColumnClass =
  | 'integer'
  | 'decimal'
  | 'double'
  | 'text'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'uuid'
  | 'opaque';

function classOf(column: PgColumn): ColumnClass {
  const base = column.pgType.replace(/\(.*\)/, '').trim();
  const duck = duckTypeOf(column.pgType);
  if (['smallint', 'integer', 'bigint'].includes(base)) return 'integer';
  if (duck.startsWith('DECIMAL(')) return 'decimal';
  if (base === 'double precision') return 'double';
  // character(n) compares ignoring its padding in PostgreSQL but not in DuckDB: left out.
  if (base === 'text' || base === 'character varying') return 'text';
  if (base === 'boolean') return 'boolean';
  if (base === 'date') return 'date';
  if (base === 'timestamp without time zone') return 'timestamp';
  if (base === 'uuid') return 'uuid';
  return 'opaque';
}

/** A constant or bound parameter as the query gave it. */
type Value =
  | { kind: 'integer' | 'double' | 'string'; text: string }
  | { kind: 'decimal'; text: string; width: number }
  | { kind: 'boolean'; value: boolean };

const COMPARISONS: Record<string, string> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '<>',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
};
const FLIPPED: Record<string, string> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

const ISO_DATE = /^\d{4}-\d\d-\d\d$/;
const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\d(?: \d\d:\d\d:\d\d(?:\.\d{1,6})?)?$/;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The PostgreSQL condition for `table`'s read, or undefined when nothing can
 * be pushed. The table must appear once in the query. Every SELECT whose FROM
 * reaches it through inner joins (or the preserved side of a left join)
 * contributes its WHERE conjuncts, also through plain projections of it —
 * the `(SELECT cols FROM t WHERE row_filter) AS t` governance puts in its
 * place — where a column passed through unchanged is the table's column and
 * a computed (masked) one is not.
 */
export function scanFilter(
  statements: Node,
  table: ScannedTable,
  callerParams: readonly SqlValue[],
): ScanFilter | undefined {
  const refs: Node[] = [];
  const nodes: Node[] = [];
  const visit = (node: Node) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      if (node.type === 'BASE_TABLE' && matches(node, table)) refs.push(node);
      if (node.type === 'SELECT_NODE') nodes.push(node);
      for (const value of Object.values(node)) visit(value);
    }
  };
  visit(statements);
  if (refs.length !== 1) return undefined;
  const [base] = refs;
  if (base.sample || base.at_clause || (base.column_name_alias ?? []).length > 0) return undefined;
  const where: string[] = [];
  const params: string[] = [];
  for (const node of nodes) {
    // A sample is drawn before WHERE applies: filtering first would change it.
    if (!node.where_clause || node.sample) continue;
    const scope = filteredScope(node.from_table);
    const views = scope.map((ref) => resolve(ref, table, base)).filter((v) => v !== undefined);
    if (views.length !== 1) continue;
    const printer = new FilterPrinter(views[0] as TableView, scope.length === 1, callerParams, params);
    for (const conjunct of conjuncts(node.where_clause)) {
      const condition = printer.tryPredicate(conjunct);
      if (condition !== undefined) where.push(condition);
    }
  }
  return where.length > 0 ? { where: where.join(' AND '), params } : undefined;
}

function matches(ref: Node, table: ScannedTable): boolean {
  const same = (a: unknown, b: string) => String(a ?? '').toLowerCase() === b.toLowerCase();
  return (
    same(ref.catalog_name, table.catalog) &&
    same(ref.schema_name || 'main', table.schema) &&
    same(ref.table_name, table.name)
  );
}

/** The relations whose rows a SELECT's WHERE clause filters one for one. */
function filteredScope(from: Node): Node[] {
  if (!from) return [];
  if (from.type === 'BASE_TABLE' || from.type === 'SUBQUERY') return [from];
  if (from.type !== 'JOIN' || !['REGULAR', 'CROSS'].includes(from.ref_type)) return [];
  if (from.join_type === 'INNER') return [...filteredScope(from.left), ...filteredScope(from.right)];
  // A WHERE condition on the preserved side of a left join removes the same rows before or after it.
  if (from.join_type === 'LEFT') return filteredScope(from.left);
  return [];
}

/** The table as a relation in FROM shows it: its qualifier and its visible columns (null: computed). */
interface TableView {
  qualifier: string;
  columns: Map<string, PgColumn | null>;
}

function resolve(ref: Node, table: ScannedTable, base: Node): TableView | undefined {
  if (ref === base) {
    const columns = new Map<string, PgColumn | null>(table.columns.map((c) => [c.name.toLowerCase(), c]));
    return { qualifier: String(ref.alias || ref.table_name).toLowerCase(), columns };
  }
  if (ref.type !== 'SUBQUERY' || !ref.alias || ref.sample || (ref.column_name_alias ?? []).length > 0)
    return undefined;
  const node = ref.subquery?.node;
  if (!isProjection(node)) return undefined;
  const inner = resolve(node.from_table, table, base);
  if (!inner) return undefined;
  const columns = new Map<string, PgColumn | null>();
  const add = (name: string, column: PgColumn | null) =>
    // A name given twice is ambiguous: neither is pushed.
    columns.set(name, columns.has(name) ? null : column);
  for (const item of node.select_list) {
    if (item.class === 'STAR') {
      if (
        item.relation_name ||
        item.exclude_list?.length ||
        item.replace_list?.length ||
        item.columns ||
        item.expr
      )
        return undefined;
      for (const [name, column] of inner.columns) add(name, column);
    } else if (item.class === 'COLUMN_REF') {
      const parts = item.column_names.map((p: unknown) => String(p).toLowerCase());
      const column =
        parts.length === 1 || (parts.length === 2 && parts[0] === inner.qualifier)
          ? (inner.columns.get(parts.at(-1)) ?? null)
          : null;
      add(String(item.alias || parts.at(-1)).toLowerCase(), column);
    } else if (item.alias) add(String(item.alias).toLowerCase(), null);
  }
  return { qualifier: String(ref.alias).toLowerCase(), columns };
}

/**
 * A SELECT that passes its one relation's rows through one for one: no
 * grouping, DISTINCT, LIMIT, ORDER, window or sample, so filtering its input
 * on a passed-through column equals filtering its output.
 */
function isProjection(node: Node): boolean {
  if (node?.type !== 'SELECT_NODE') return false;
  if ((node.cte_map?.map ?? []).length > 0 || (node.modifiers ?? []).length > 0) return false;
  if ((node.group_expressions ?? []).length > 0 || node.having || node.qualify || node.sample) return false;
  if (node.aggregate_handling !== 'STANDARD_HANDLING') return false;
  if (!['BASE_TABLE', 'SUBQUERY'].includes(node.from_table?.type)) return false;
  return !JSON.stringify(node.select_list).includes('"class":"WINDOW"');
}

function conjuncts(node: Node): Node[] {
  if (node.class === 'CONJUNCTION' && node.type === 'CONJUNCTION_AND')
    return node.children.flatMap(conjuncts);
  return [node];
}

class FilterPrinter {
  constructor(
    private readonly view: TableView,
    private readonly alone: boolean,
    private readonly callerParams: readonly SqlValue[],
    readonly params: string[],
  ) {}

  /** The predicate in PostgreSQL, or undefined (its parameters not kept) when it does not translate. */
  tryPredicate(node: Node): string | undefined {
    const mark = this.params.length;
    try {
      return this.predicate(node);
    } catch (error) {
      if (!(error instanceof Untranslatable)) throw error;
      this.params.length = mark;
      return undefined;
    }
  }

  private predicate(node: Node): string {
    switch (node.class) {
      case 'CONJUNCTION': {
        const op = { CONJUNCTION_AND: ' AND ', CONJUNCTION_OR: ' OR ' }[node.type as string];
        if (!op) throw new Untranslatable();
        return `(${node.children.map((c: Node) => this.predicate(c)).join(op)})`;
      }
      case 'COLUMN_REF': {
        const column = this.column(node);
        if (classOf(column) !== 'boolean') throw new Untranslatable();
        return quoteIdentifier(column.name);
      }
      case 'COMPARISON': {
        const op = COMPARISONS[node.type];
        if (!op) throw new Untranslatable();
        if (node.left.class === 'COLUMN_REF') return this.comparison(this.column(node.left), op, node.right);
        if (node.right.class === 'COLUMN_REF')
          return this.comparison(this.column(node.right), FLIPPED[op] as string, node.left);
        throw new Untranslatable();
      }
      case 'BETWEEN': {
        if (node.input?.class !== 'COLUMN_REF') throw new Untranslatable();
        const column = this.column(node.input);
        return `(${this.comparison(column, '>=', node.lower)} AND ${this.comparison(column, '<=', node.upper)})`;
      }
      case 'OPERATOR': {
        const [first, ...rest] = node.children as Node[];
        switch (node.type) {
          case 'OPERATOR_NOT':
            return `(NOT ${this.predicate(first)})`;
          case 'OPERATOR_IS_NULL':
          case 'OPERATOR_IS_NOT_NULL': {
            if (first?.class !== 'COLUMN_REF') throw new Untranslatable();
            const test = node.type === 'OPERATOR_IS_NULL' ? 'IS NULL' : 'IS NOT NULL';
            return `(${quoteIdentifier(this.column(first).name)} ${test})`;
          }
          case 'COMPARE_IN':
          case 'COMPARE_NOT_IN': {
            if (first?.class !== 'COLUMN_REF' || rest.length === 0) throw new Untranslatable();
            const column = this.column(first);
            const values = rest.map((v) => this.operand(column, v, '='));
            const not = node.type === 'COMPARE_NOT_IN' ? 'NOT ' : '';
            return `(${this.subject(column)} ${not}IN (${values.join(', ')}))`;
          }
          default:
            throw new Untranslatable();
        }
      }
      case 'FUNCTION': {
        const op = { '~~': 'LIKE', '!~~': 'NOT LIKE' }[String(node.function_name)];
        const [subject, pattern] = node.children ?? [];
        if (!node.is_operator || !op || node.children.length !== 2 || subject?.class !== 'COLUMN_REF')
          throw new Untranslatable();
        const column = this.column(subject);
        if (classOf(column) !== 'text') throw new Untranslatable();
        const value = this.value(pattern);
        if (value.kind !== 'string') throw new Untranslatable();
        // DuckDB's LIKE has no escape character unless one is named.
        return `(${this.subject(column)} ${op} ${this.bind(value.text, 'text')} ESCAPE '')`;
      }
      default:
        throw new Untranslatable();
    }
  }

  /** `column op value`, or a throw when the pair compares differently in the two systems. */
  private comparison(column: PgColumn, op: string, valueNode: Node): string {
    return `(${this.subject(column)} ${op} ${this.operand(column, valueNode, op)})`;
  }

  private subject(column: PgColumn): string {
    const quoted = quoteIdentifier(column.name);
    return classOf(column) === 'text' ? `${quoted} COLLATE "C"` : quoted;
  }

  /** The bound, typed PostgreSQL value for comparing `column` with `node`. */
  private operand(column: PgColumn, node: Node, op: string): string {
    const value = this.value(node);
    const klass = classOf(column);
    switch (klass) {
      case 'integer':
      case 'decimal':
        // Integers and decimals compare exactly in both systems; a double would compare as a double in DuckDB.
        if (value.kind === 'integer' || value.kind === 'decimal') return this.bind(value.text, 'numeric');
        break;
      case 'double':
        // DuckDB converts the other side to DOUBLE; PostgreSQL's float8 input rounds the same text alike.
        if (
          value.kind === 'integer' ||
          value.kind === 'double' ||
          (value.kind === 'decimal' && value.width <= 15)
        )
          return this.bind(value.text, 'float8');
        break;
      case 'text':
        if (value.kind === 'string') return this.bind(value.text, 'text');
        break;
      case 'boolean':
        if (value.kind === 'boolean' && (op === '=' || op === '<>'))
          return this.bind(String(value.value), 'boolean');
        break;
      case 'date':
        if (value.kind === 'string' && ISO_DATE.test(value.text)) return this.bind(value.text, 'date');
        break;
      case 'timestamp':
        if (value.kind === 'string' && ISO_TIMESTAMP.test(value.text))
          return this.bind(value.text, 'timestamp');
        break;
      case 'uuid':
        if (value.kind === 'string' && CANONICAL_UUID.test(value.text) && (op === '=' || op === '<>'))
          return this.bind(value.text, 'uuid');
        break;
    }
    throw new Untranslatable();
  }

  private bind(text: string, type: string): string {
    this.params.push(text);
    return `$${this.params.length}::${type}`;
  }

  private value(node: Node): Value {
    if (node?.class === 'CONSTANT') return constantValue(node.value);
    if (node?.class === 'PARAMETER') {
      const index = Number(node.identifier);
      if (!Number.isInteger(index) || index < 1 || index > this.callerParams.length)
        throw new Untranslatable();
      return parameterValue(this.callerParams[index - 1] as SqlValue);
    }
    // `DATE '2024-01-02'` and the like: a text constant cast to the column's own kind of type.
    if (node?.class === 'CAST' && !node.try_cast && node.child?.class === 'CONSTANT') {
      const inner = constantValue(node.child.value);
      if (inner.kind === 'string' && ['DATE', 'TIMESTAMP'].includes(node.cast_type?.id)) return inner;
    }
    throw new Untranslatable();
  }

  /** The table column a reference names, or a throw when it may name something else. */
  private column(node: Node): PgColumn {
    const parts = (node.column_names ?? []).map((p: unknown) => String(p).toLowerCase());
    let name: string;
    if (parts.length === 1 && this.alone) name = parts[0];
    else if (parts.length === 2 && parts[0] === this.view.qualifier) name = parts[1];
    else throw new Untranslatable();
    const column = this.view.columns.get(name);
    if (!column) throw new Untranslatable();
    return column;
  }
}

function constantValue(value: Node): Value {
  if (value.is_null) throw new Untranslatable();
  const v = value.value;
  switch (value.type?.id) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'HUGEINT':
      // The parse tree is JSON: integers past 2^53 have already lost digits.
      if (!Number.isSafeInteger(v)) throw new Untranslatable();
      return { kind: 'integer', text: String(v) };
    case 'DECIMAL': {
      const scale = Number(value.type.type_info?.scale);
      const width = Number(value.type.type_info?.width);
      if (!Number.isSafeInteger(v) || !Number.isInteger(scale) || scale < 0) throw new Untranslatable();
      const digits = String(Math.abs(v)).padStart(scale + 1, '0');
      const text = `${v < 0 ? '-' : ''}${scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
      return { kind: 'decimal', text, width };
    }
    case 'DOUBLE':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Untranslatable();
      return { kind: 'double', text: String(v) };
    case 'VARCHAR':
      return { kind: 'string', text: String(v) };
    case 'BOOLEAN':
      return { kind: 'boolean', value: Boolean(v) };
    default:
      throw new Untranslatable();
  }
}

/** A caller's parameter, typed as the engine binds it (see @tributary/engine's bindParameters). */
function parameterValue(value: SqlValue): Value {
  switch (typeof value) {
    case 'boolean':
      return { kind: 'boolean', value };
    case 'bigint':
      return { kind: 'integer', text: value.toString() };
    case 'number':
      if (Number.isSafeInteger(value)) return { kind: 'integer', text: String(value) };
      if (!Number.isFinite(value)) throw new Untranslatable();
      return { kind: 'double', text: String(value) };
    case 'string':
      return { kind: 'string', text: value };
    default:
      throw new Untranslatable();
  }
}
