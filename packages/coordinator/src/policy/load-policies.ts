// Loading a policy set: its shape (zod, model.ts), then every piece of SQL
// in it against DuckDB and the catalog. Each predicate, condition and mask
// expression must be exactly one scalar expression over its table's own
// columns and `:user.<attribute>` placeholders — no subqueries, table
// functions, other tables, aggregates or windows — must bind, and predicates
// must be boolean. Tables not (yet) in the catalog get the checks that need
// no columns, and a warning.

import { TributaryError } from '@tributary/core';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  objectField,
  sameTree,
  stringField,
} from '../query/analyze/json.js';
import { displayTableName, quoteIdentifier } from '../query/analyze/sql-text.js';
import type { CatalogTable } from '../query/analyze/types.js';
import { type PolicySet, parsePolicySet, parseTableName } from './model.js';
import { catalogLookup, sameName } from './names.js';
import { compilePolicySql, embedPolicySql, expressionProblem, renderPolicySql } from './policy-sql.js';
import type { SqlCodec } from './rewrite/sql-codec.js';
import { castableType } from './sql-types.js';
import { columnTags } from './tag-rules.js';

export interface PolicyCheck {
  /** Problems that make the set unusable, each prefixed with the policy's id. */
  problems: string[];
  /** Things worth knowing that do not stop the set from loading (tables not in the catalog). */
  warnings: string[];
}

/** Parses and checks a policy set; throws INVALID_ARGUMENT listing every problem. */
export async function loadPolicySet(
  input: unknown,
  codec: SqlCodec,
  catalog: readonly CatalogTable[],
): Promise<{ policies: PolicySet; warnings: string[] }> {
  const policies = parsePolicySet(input);
  const check = await checkPolicySql(codec, policies, catalog);
  if (check.problems.length > 0) {
    throw TributaryError.invalid(`invalid policy set: ${check.problems.join('; ')}`, {
      problems: check.problems,
    });
  }
  return { policies, warnings: check.warnings };
}

/** Checks the SQL of a parsed policy set against the catalog's tables. */
export async function checkPolicySql(
  codec: SqlCodec,
  policies: PolicySet,
  catalogTables: readonly CatalogTable[],
): Promise<PolicyCheck> {
  const catalog = catalogLookup(catalogTables);
  const problems: string[] = [];
  const warnings: string[] = [];
  const tableOf = (id: string, name: string): CatalogTable | undefined => {
    const ref = parseTableName(name);
    const table = ref ? catalog(ref) : undefined;
    if (!table)
      warnings.push(`${id}: table ${name} is not in the catalog; its SQL was checked without columns`);
    return table;
  };
  const hasColumn = (table: CatalogTable | undefined, column: string): boolean =>
    table === undefined || table.columns.some((entry) => sameName(entry.name, column));
  const check = async (id: string, sql: string, table: CatalogTable | undefined, kind: SnippetKind) => {
    const problem = await snippetProblem(codec, sql, table, kind);
    if (problem !== undefined) problems.push(`${id}: ${problem}`);
  };

  for (const filter of policies.rowFilters) {
    await check(filter.id, filter.predicate, tableOf(filter.id, filter.table), 'predicate');
  }
  for (const mask of policies.masks) {
    const table = tableOf(mask.id, mask.table);
    if (!hasColumn(table, mask.column))
      problems.push(`${mask.id}: column ${mask.column} is not in ${mask.table}`);
    if (mask.mask.kind === 'expression') await check(mask.id, mask.mask.sql, table, 'value');
  }
  for (const protection of policies.protections) {
    const table = tableOf(protection.id, protection.table);
    await check(protection.id, protection.condition, table, 'predicate');
    for (const column of protection.columns ?? []) {
      if (!hasColumn(table, column))
        problems.push(`${protection.id}: column ${column} is not in ${protection.table}`);
    }
  }
  policies.tags.forEach((assignment, index) => {
    const table = tableOf(`tags[${index}]`, assignment.table);
    if (assignment.column !== undefined && !hasColumn(table, assignment.column)) {
      problems.push(`tags[${index}]: column ${assignment.column} is not in ${assignment.table}`);
    }
  });
  for (const rule of policies.tagRules) {
    if (rule.mask?.kind !== 'expression') continue;
    const tagged = catalogTables.filter((table) =>
      table.columns.some((column) =>
        columnTags(policies.tags, table, column.name).has(rule.tag.toLowerCase()),
      ),
    );
    if (tagged.length === 0) await check(rule.id, rule.mask.sql, undefined, 'value');
    for (const table of tagged)
      await check(`${rule.id} (${displayTableName(table)})`, rule.mask.sql, table, 'value');
  }
  return { problems, warnings };
}

type SnippetKind = 'predicate' | 'value';

const ONE_EXPRESSION =
  'must be one complete SQL expression (no alias, FROM, WHERE, set operation or second item)';

/** Why one piece of admin SQL is unusable, or undefined. */
async function snippetProblem(
  codec: SqlCodec,
  sql: string,
  table: CatalogTable | undefined,
  kind: SnippetKind,
): Promise<string | undefined> {
  let text: string;
  let attributes: number;
  try {
    const compiled = compilePolicySql(sql);
    attributes = compiled.attributes.length;
    text = renderPolicySql(compiled, (attribute) => `$${compiled.attributes.indexOf(attribute) + 1}`);
  } catch (error) {
    return (error as Error).message;
  }

  const bare = await singleExpression(codec, `SELECT ${text}`);
  if (typeof bare === 'string') return bare;
  // Embedded in generated SQL it must stay the same single expression.
  const embedded = await singleExpression(codec, `SELECT ${embedPolicySql(text)}`);
  if (typeof embedded === 'string' || !sameTree(bare, embedded)) return 'must be one complete SQL expression';

  const problem = expressionProblem(bare, {
    columns: table ? new Set(table.columns.map((column) => column.name.toLowerCase())) : undefined,
    parameterCount: attributes,
    aggregateFunctions: codec.aggregateFunctions,
  });
  if (problem !== undefined) return problem;
  if (table === undefined) return undefined;

  // Bound (never run) over a row shaped like the table. In WHERE, DuckDB
  // also refuses aggregates and window functions.
  const row = table.columns
    .map((column) => `CAST(NULL AS ${castableType(column.sqlType)}) AS ${quoteIdentifier(column.name)}`)
    .join(', ');
  const operand = embedPolicySql(text);
  const where = kind === 'predicate' ? operand : `(${operand} IS NULL OR true)`;
  try {
    const described = await codec.describe(`SELECT ${operand} FROM (SELECT ${row}) AS t WHERE ${where}`);
    const type = described.columns[0]?.sqlType;
    if (kind === 'predicate' && type !== undefined && type !== 'BOOLEAN') {
      return `must be a boolean condition (it is ${type})`;
    }
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
  return undefined;
}

/** The expression of `SELECT <expression>` with nothing else in the statement, or why not. */
async function singleExpression(codec: SqlCodec, sql: string): Promise<Json | string> {
  const parsed = await codec.parse(sql);
  if (parsed.error === true) {
    // Syntax errors say where; anything else (a second statement, say) is not an expression.
    const message = stringField(parsed, 'error_message');
    return stringField(parsed, 'error_type') === 'parser' && message !== '' ? message : ONE_EXPRESSION;
  }
  const statements = arrayField(parsed, 'statements');
  const statement = statements[0];
  const node =
    statements.length === 1 && isJsonObject(statement ?? null)
      ? objectField(statement as JsonObject, 'node')
      : undefined;
  const items = node ? arrayField(node, 'select_list') : [];
  const from = node ? objectField(node, 'from_table') : undefined;
  const cteMap = node ? objectField(node, 'cte_map') : undefined;
  const plain =
    node !== undefined &&
    stringField(node, 'type') === 'SELECT_NODE' &&
    items.length === 1 &&
    isJsonObject(items[0]!) &&
    stringField(items[0], 'alias') === '' &&
    from !== undefined &&
    stringField(from, 'type') === 'EMPTY' &&
    arrayField(cteMap ?? {}, 'map').length === 0 &&
    arrayField(node, 'modifiers').length === 0 &&
    arrayField(node, 'group_expressions').length === 0 &&
    node.where_clause === null &&
    node.having === null &&
    node.qualify === null &&
    node.sample === null &&
    stringField(node, 'aggregate_handling') === 'STANDARD_HANDLING';
  if (!plain)
    return 'must be one complete SQL expression (no alias, FROM, WHERE, set operation or second item)';
  return items[0]!;
}
