// A governed table's filtered, masked projection:
//
//   (SELECT <expr> AS "col", … FROM "source"."schema"."table" WHERE <filter>) AS <alias>
//
// built as SQL text from the TableAccess, parsed by DuckDB, and then checked
// as a tree before it is used: exactly the table's columns under their own
// names, read from exactly that one table, no subqueries, no other relations,
// no aggregates or windows, only the table's own columns, and only its own
// placeholders. Whatever the policy SQL holds, the projection cannot read
// anything else or lose its filter to a stray parenthesis.

import { TributaryError } from '@tributary/core';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  mapTree,
  objectField,
  stringField,
} from '../../query/analyze/json.js';
import { displayTableName, quoteIdentifier, quoteTableName } from '../../query/analyze/sql-text.js';
import { expressionProblem } from '../policy-sql.js';
import { castableType } from '../sql-types.js';
import type { TableAccess } from '../types.js';
import type { SqlCodec } from './sql-codec.js';

export function projectionSql(access: TableAccess): string {
  const items = access.columns.map((column) => {
    const value =
      column.access === 'denied'
        ? `CAST(NULL AS ${castableType(column.sqlType)})`
        : (column.expression ?? quoteIdentifier(column.name));
    return `${value} AS ${quoteIdentifier(column.name)}`;
  });
  const where = access.filter === undefined ? '' : ` WHERE ${access.filter}`;
  return `SELECT ${items.join(', ')} FROM ${quoteTableName(access.table)}${where}`;
}

/**
 * The projection's query node, checked, with its placeholders moved past
 * `offset` (the caller's parameters and earlier tables' come first).
 */
export async function buildProjection(
  codec: SqlCodec,
  access: TableAccess,
  offset: number,
): Promise<JsonObject> {
  const name = displayTableName(access.table);
  const fail = (problem: string): never => {
    throw new TributaryError('INTERNAL', `the policy projection of ${name} failed its check: ${problem}`);
  };
  if (access.columns.length === 0) fail('no columns');
  const parsed = await codec.parse(projectionSql(access));
  if (parsed.error === true) fail(stringField(parsed, 'error_message') || 'it does not parse');
  const statements = arrayField(parsed, 'statements');
  const node =
    statements.length === 1 && isJsonObject(statements[0]!) ? objectField(statements[0], 'node') : undefined;
  if (node === undefined) return fail('not one statement');
  const problem = projectionProblem(node, access, codec.aggregateFunctions);
  if (problem !== undefined) fail(problem);
  return mapTree(node, (object) =>
    object.class === 'PARAMETER'
      ? { ...object, identifier: String(offset + Number(stringField(object, 'identifier'))) }
      : undefined,
  ) as JsonObject;
}

const isEmptyList = (value: Json | undefined): boolean => Array.isArray(value) && value.length === 0;

function projectionProblem(
  node: JsonObject,
  access: TableAccess,
  aggregateFunctions: ReadonlySet<string>,
): string | undefined {
  if (stringField(node, 'type') !== 'SELECT_NODE') return 'not a SELECT';
  const cteMap = objectField(node, 'cte_map');
  if (!cteMap || !isEmptyList(cteMap.map)) return 'unexpected WITH clause';
  for (const key of ['modifiers', 'group_expressions', 'group_sets'])
    if (!isEmptyList(node[key])) return `unexpected ${key}`;
  for (const key of ['having', 'qualify', 'sample']) if (node[key] !== null) return `unexpected ${key}`;
  if (stringField(node, 'aggregate_handling') !== 'STANDARD_HANDLING') return 'unexpected aggregate handling';

  const from = objectField(node, 'from_table');
  if (
    !from ||
    stringField(from, 'type') !== 'BASE_TABLE' ||
    stringField(from, 'catalog_name') !== access.table.source ||
    stringField(from, 'schema_name') !== access.table.schema ||
    stringField(from, 'table_name') !== access.table.table ||
    stringField(from, 'alias') !== '' ||
    from.at_clause !== null ||
    from.sample !== null ||
    !isEmptyList(from.column_name_alias)
  ) {
    return 'it does not read exactly the governed table';
  }

  const items = arrayField(node, 'select_list');
  if (items.length !== access.columns.length) return 'the columns do not match the catalog';
  const rules = {
    columns: new Set(access.columns.map((column) => column.name.toLowerCase())),
    parameterCount: access.params.length,
    aggregateFunctions,
  };
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!isJsonObject(item) || stringField(item, 'alias') !== access.columns[i]!.name)
      return 'the columns do not match the catalog';
    const problem = expressionProblem(item, rules);
    if (problem !== undefined) return `column ${access.columns[i]!.name}: ${problem}`;
  }
  const where = node.where_clause;
  if ((where === null) !== (access.filter === undefined)) return 'the row filter is missing';
  if (where !== null && where !== undefined) {
    const problem = expressionProblem(where, rules);
    if (problem !== undefined) return `row filter: ${problem}`;
  }
  return undefined;
}
