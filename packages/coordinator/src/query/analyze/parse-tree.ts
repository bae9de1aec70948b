// Checks on DuckDB's parse tree (json_serialize_sql), made before anything is
// bound: the statement is a query, reads no files, calls no table function
// outside a small allowlist, and names no system catalog. The bound plan is
// checked again afterwards (bound-plan.ts); these checks exist so that the
// refusal names what the client wrote.

import { TributaryError } from '@tributary/core';
import {
  arrayField,
  byteOffset,
  isJsonObject,
  type Json,
  type JsonObject,
  objectField,
  stringField,
  walkJson,
} from './json.js';
import type { SourcePositions } from './positions.js';

/** Table functions a query may call. Everything else (read_csv, query, glob, duckdb_*, …) is refused. */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest']);

/** Scalar functions with side effects or that read the engine's own settings. */
export const DENIED_SCALAR_FUNCTIONS: ReadonlySet<string> = new Set([
  'nextval',
  'currval',
  'setval',
  'current_setting',
  'getvariable',
  'getenv',
]);

const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
const FROM_ITEMS = new Set([
  'BASE_TABLE',
  'JOIN',
  'SUBQUERY',
  'TABLE_FUNCTION',
  'EXPRESSION_LIST',
  'EMPTY',
  'PIVOT',
]);
const SYSTEM_CATALOGS = new Set(['system', 'temp']);
const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog']);
/** Prefixes of DuckDB's built-in views (duckdb_tables, pg_class, sqlite_master, pragma_database_list, …). */
const SYSTEM_PREFIXES = ['duckdb_', 'pg_', 'sqlite_', 'pragma_'];

export interface ParseTreeFacts {
  /** Identifiers of the placeholders the statement uses ("1", "2", …). */
  placeholders: Set<string>;
}

export interface ParseTreeContext {
  positions: SourcePositions;
  /** Lower-cased names of DuckDB's built-in views, read from the shadow instance. */
  systemRelations: ReadonlySet<string>;
}

function refuse(context: ParseTreeContext, message: string, location: Json | undefined, details = {}): never {
  const position = context.positions.originalPosition(byteOffset(location));
  throw TributaryError.invalid(message, position === undefined ? details : { ...details, position });
}

/** Throws INVALID_ARGUMENT for anything but a read-only query over plain table references. */
export function inspectStatement(statement: JsonObject, context: ParseTreeContext): ParseTreeFacts {
  const root = objectField(statement, 'node');
  if (!root || !QUERY_NODES.has(stringField(root, 'type'))) {
    refuse(
      context,
      'only read-only queries (SELECT, WITH … SELECT, VALUES, set operations) are allowed',
      undefined,
    );
  }
  for (const entry of arrayField(statement, 'named_param_map')) {
    const name = isJsonObject(entry) ? stringField(entry, 'key') : '';
    if (!/^\d+$/.test(name)) {
      refuse(
        context,
        `named parameter $${name} is not supported; use positional parameters $1, $2, …`,
        undefined,
      );
    }
  }

  const ctes: { name: string; query: Json | undefined }[] = [];
  walkJson(statement, (object) => {
    const cteMap = objectField(object, 'cte_map');
    for (const entry of cteMap ? arrayField(cteMap, 'map') : []) {
      if (!isJsonObject(entry)) continue;
      const definition = objectField(entry, 'value');
      ctes.push({ name: stringField(entry, 'key').toLowerCase(), query: definition?.query });
    }
  });
  const cteNames = new Set(ctes.map((cte) => cte.name));
  // DuckDB neither binds nor runs a CTE nothing refers to, so no plan (and no
  // report) would show what it names: refuse it rather than let text escape the report.
  for (const cte of ctes) {
    let used = false;
    walkJson(
      statement,
      (object) => {
        if (
          object.type === 'BASE_TABLE' &&
          stringField(object, 'catalog_name') === '' &&
          stringField(object, 'schema_name') === '' &&
          stringField(object, 'table_name').toLowerCase() === cte.name
        ) {
          used = true;
        }
      },
      cte.query,
    );
    if (!used)
      refuse(context, `WITH query ${cte.name} is never used; remove it`, undefined, { cte: cte.name });
  }

  const placeholders = new Set<string>();
  walkJson(statement, (object) => {
    const expressionClass = object.class;
    if (typeof expressionClass === 'string') {
      if (expressionClass === 'PARAMETER') placeholders.add(stringField(object, 'identifier'));
      // COLUMNS($1) / * LIKE $1 would pick columns by a value analysis never sees.
      if (expressionClass === 'STAR' && isJsonObject(object.expr)) {
        walkJson(object.expr, (inner) => {
          if (inner.class === 'PARAMETER') {
            refuse(context, 'parameters cannot select columns (COLUMNS(…), * LIKE …)', object.query_location);
          }
        });
      }
      if (expressionClass === 'FUNCTION') {
        const name = stringField(object, 'function_name').toLowerCase();
        if (DENIED_SCALAR_FUNCTIONS.has(name)) {
          refuse(context, `function ${name} is not allowed`, object.query_location, { function: name });
        }
      }
      return;
    }
    const type = stringField(object, 'type');
    if (Object.hasOwn(object, 'from_table')) checkFromItem(object.from_table, context, cteNames);
    if (type === 'JOIN') {
      checkFromItem(object.left, context, cteNames);
      checkFromItem(object.right, context, cteNames);
    }
    if (type === 'PIVOT') checkFromItem(object.source, context, cteNames);
  });
  return { placeholders };
}

function checkFromItem(
  item: Json | undefined,
  context: ParseTreeContext,
  cteNames: ReadonlySet<string>,
): void {
  if (!isJsonObject(item)) return;
  const type = stringField(item, 'type');
  const location = item.query_location;
  if (type === 'SHOW_REF') refuse(context, 'DESCRIBE, SHOW and SUMMARIZE are not allowed', location);
  if (!FROM_ITEMS.has(type)) refuse(context, `unsupported FROM clause item (${type || 'unknown'})`, location);
  if (type === 'TABLE_FUNCTION') {
    const call = objectField(item, 'function');
    const name = call ? stringField(call, 'function_name') : '';
    const qualified =
      call !== undefined && (stringField(call, 'schema') !== '' || stringField(call, 'catalog') !== '');
    if (!ALLOWED_TABLE_FUNCTIONS.has(name.toLowerCase()) || qualified) {
      refuse(context, `table function ${name || '(unknown)'} is not allowed`, location, { function: name });
    }
  }
  if (type === 'BASE_TABLE') checkBaseTable(item, context, cteNames);
}

function checkBaseTable(item: JsonObject, context: ParseTreeContext, cteNames: ReadonlySet<string>): void {
  const catalog = stringField(item, 'catalog_name');
  const schema = stringField(item, 'schema_name');
  const table = stringField(item, 'table_name');
  const written = [catalog, schema, table].filter((part) => part !== '').join('.');
  const location = item.query_location;
  const systemReference = (): never =>
    refuse(context, `system catalog reference ${written} is not allowed`, location, { table: written });

  if (SYSTEM_CATALOGS.has(catalog.toLowerCase()) || SYSTEM_SCHEMAS.has(schema.toLowerCase()))
    systemReference();
  // `a.b` may name catalog a (schema main) or schema a of the default catalog.
  if (catalog === '' && SYSTEM_CATALOGS.has(schema.toLowerCase())) systemReference();

  const lowerTable = table.toLowerCase();
  const unqualified = catalog === '' && schema === '';
  if (unqualified && cteNames.has(lowerTable)) return;
  if (unqualified || (catalog === '' && schema.toLowerCase() === 'main')) {
    if (
      context.systemRelations.has(lowerTable) ||
      SYSTEM_PREFIXES.some((prefix) => lowerTable.startsWith(prefix))
    ) {
      systemReference();
    }
    // DuckDB would read a file (or URL) named like this through a replacement scan.
    if (/[./\\:]/.test(table)) {
      refuse(context, `file and URL references are not allowed: ${table}`, location, { table });
    }
  }
}
