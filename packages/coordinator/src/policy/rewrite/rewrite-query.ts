// Step 4 of the query path: every base-table reference of a governed table is
// replaced, in DuckDB's own parse tree, by that table's filtered, masked
// projection; the tree is printed back to SQL by DuckDB; and the printed SQL
// is parsed again and verified before it may leave the coordinator:
//
//   1. parse           json_serialize_sql (numbers kept exactly)
//   2. substitute      each BASE_TABLE naming a catalog table → SUBQUERY of its
//                      projection (rewrite/projection.ts), keeping alias,
//                      column aliases and sample; CTE names are left alone
//   3. print           json_deserialize_sql, after making nested cross joins
//                      explicit (faithful-print.ts)
//   4. verify          the printed SQL parses to the tree that was printed;
//                      no catalog table is read outside a generated
//                      projection; every placeholder has a value
//
// Any failure in 2–4 is INTERNAL and nothing runs (fail closed). Policy
// values are appended to the caller's parameters: the caller's `$n` keep
// their numbers, each table's placeholders are shifted past them.

import { type SqlValue, TributaryError } from '@tributary/core';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  mapTree,
  objectField,
  sameTree,
  stringField,
  walkJson,
} from '../../query/analyze/json.js';
import { displayTableName } from '../../query/analyze/sql-text.js';
import type { TableRef } from '../../query/analyze/types.js';
import { unauthorizedError } from '../decide.js';
import { sameName, sameTable } from '../names.js';
import type { AccessDecision, TableAccess } from '../types.js';
import { normalizeForPrinting, sameAfterPrinting } from './faithful-print.js';
import { buildProjection } from './projection.js';
import type { SqlCodec } from './sql-codec.js';
import { baseTableTarget, mapTableRefs } from './table-refs.js';

export interface RewrittenQuery {
  sql: string;
  /** The caller's parameters, then the policies' values. */
  params: SqlValue[];
}

const TRUE_SQL = 'SELECT true';
const CAST_SQL = "SELECT CAST('0' AS DOUBLE)";
const SELECT_PREFIX = 'SELECT ';
const VALUES_SQL = 'SELECT * FROM (VALUES (NULL)) AS valueslist';

const internal = (message: string): TributaryError =>
  new TributaryError('INTERNAL', `query rewrite: ${message}`);

/** A governed table read without an alias: its columns may be written qualified (`hr.main.employees.name`). */
interface UnaliasedUse {
  ref: TableRef;
  written: { catalog: string; schema: string; table: string };
}

export async function rewriteQuery(
  codec: SqlCodec,
  sql: string,
  params: readonly SqlValue[],
  decision: AccessDecision,
): Promise<RewrittenQuery> {
  if (!decision.allowed) throw unauthorizedError(decision);
  const statement = singleStatement(await codec.parse(sql), () =>
    TributaryError.invalid('only a single query can be rewritten'),
  );
  checkCallerParameters(statement, params.length);

  const projections = new Map<TableAccess, JsonObject>();
  const allParams: SqlValue[] = [...params];
  for (const access of decision.tables) {
    projections.set(access, await buildProjection(codec, access, allParams.length));
    allParams.push(...access.params);
  }

  const used = new Set<TableAccess>();
  let substitutions = 0;
  const unaliased: UnaliasedUse[] = [];
  const substituted = mapTableRefs(objectField(statement, 'node') ?? null, (ref, ctes) => {
    if (ref.type !== 'BASE_TABLE') return undefined;
    const target = baseTableTarget(ref, ctes);
    if (target.kind === 'cte') return ref;
    if (target.kind === 'unknown')
      throw internal(`table ${target.written} is neither a CTE nor a catalog table`);
    const access = decision.tables.find((entry) => sameTable(entry.table, target.ref));
    if (access === undefined)
      throw internal(`table ${displayTableName(target.ref)} is not part of the decision`);
    if (ref.at_clause !== null && ref.at_clause !== undefined) {
      throw TributaryError.invalid(
        `AT (time travel) is not supported on governed table ${displayTableName(access.table)}`,
      );
    }
    used.add(access);
    substitutions++;
    const alias = stringField(ref, 'alias');
    if (alias === '') {
      unaliased.push({
        ref: access.table,
        written: {
          catalog: stringField(ref, 'catalog_name'),
          schema: stringField(ref, 'schema_name'),
          table: stringField(ref, 'table_name'),
        },
      });
    }
    return {
      type: 'SUBQUERY',
      alias: alias || stringField(ref, 'table_name'),
      sample: ref.sample ?? null,
      ...(ref.query_location === undefined ? {} : { query_location: ref.query_location }),
      subquery: { node: projections.get(access)!, named_param_map: [] },
      column_name_alias: ref.column_name_alias ?? [],
    };
  });

  if (decision.tables.length === 0 && used.size === 0) return { sql, params: [...params] };
  for (const access of decision.tables) {
    if (!used.has(access))
      throw internal(`table ${displayTableName(access.table)} was decided on but not found`);
  }

  const templates = {
    trueCondition: selectItem(await codec.parseFixed(TRUE_SQL)),
    cast: selectItem(await codec.parseFixed(CAST_SQL)) as JsonObject,
  };
  const original = objectField(statement, 'node') ?? null;
  const expected = normalizeForPrinting(requalifyColumns(substituted, unaliased), templates);
  // DuckDB names an unnamed result column after its printed text, which the
  // rewrite changes: such columns are named as they were.
  for (const { before, after } of changedUnnamedItems(original, expected)) {
    after.alias = await printedName(codec, before);
  }
  const text = await codec.print({ error: false, statements: [{ node: expected, named_param_map: [] }] });
  await verify(codec, text, expected, {
    projections: [...projections.values()],
    substitutions,
    callerParameters: params.length,
    parameters: allParams.length,
  });
  return { sql: text, params: allParams };
}

function singleStatement(parsed: JsonObject, error: () => TributaryError): JsonObject {
  if (parsed.error === true) throw error();
  const statements = arrayField(parsed, 'statements');
  const statement = statements[0];
  if (statements.length !== 1 || statement === undefined || !isJsonObject(statement)) throw error();
  return statement;
}

function selectItem(parsed: JsonObject): Json {
  const node = objectField(
    singleStatement(parsed, () => internal('template')),
    'node',
  );
  const item = node ? arrayField(node, 'select_list')[0] : undefined;
  if (item === undefined) throw internal('template');
  return item;
}

/**
 * Unnamed select-list items of `before` whose counterpart in `after` (the
 * same tree, rewritten) differs, other than `*` expansions. The trees are walked side by side until
 * they part (a table ref replaced, a constant retyped).
 */
function changedUnnamedItems(before: Json, after: Json): { before: Json; after: JsonObject }[] {
  const found: { before: Json; after: JsonObject }[] = [];
  const walk = (a: Json, b: Json): void => {
    if (Array.isArray(a)) {
      if (Array.isArray(b) && a.length === b.length) {
        for (let i = 0; i < a.length; i++) walk(a[i]!, b[i]!);
      }
      return;
    }
    if (!isJsonObject(a) || !isJsonObject(b) || a.type !== b.type || a.class !== b.class) return;
    for (const [key, child] of Object.entries(a)) {
      const counterpart = b[key];
      if (counterpart === undefined) continue;
      if (key === 'select_list' && Array.isArray(child) && Array.isArray(counterpart)) {
        child.forEach((item, i) => {
          const rewritten = counterpart[i];
          if (
            isJsonObject(item) &&
            rewritten !== undefined &&
            isJsonObject(rewritten) &&
            stringField(item, 'alias') === '' &&
            !expandsStar(item) &&
            !sameTree(item, rewritten)
          ) {
            found.push({ before: item, after: rewritten });
          }
        });
      }
      walk(child, counterpart);
    }
  };
  walk(before, after);
  return found;
}

/** `*` and COLUMNS(…) name each column they expand to; an alias would rename them all. */
function expandsStar(item: Json): boolean {
  let star = false;
  walkJson(item, (object) => {
    if (object.class === 'STAR') star = true;
  });
  return star;
}

/**
 * The column name DuckDB gives an unnamed select-list item: a column's own
 * name, or the expression's printed text. (Not quite always: DuckDB keeps
 * `CROSS JOIN` and `,` apart in its names but not in the serialized tree, so
 * a scalar subquery with an explicit CROSS JOIN is named with a comma.)
 */
async function printedName(codec: SqlCodec, item: Json): Promise<string> {
  if (isJsonObject(item) && item.class === 'COLUMN_REF' && Array.isArray(item.column_names)) {
    const last = item.column_names[item.column_names.length - 1];
    if (typeof last === 'string') return last;
  }
  const template = objectField(
    singleStatement(await codec.parseFixed('SELECT 1'), () => internal('template')),
    'node',
  );
  if (!template) throw internal('template');
  const node = { ...template, select_list: [item] };
  const text = await codec.print({ error: false, statements: [{ node, named_param_map: [] }] });
  if (!text.startsWith(SELECT_PREFIX)) throw internal('unexpected printed form of a select item');
  return text.slice(SELECT_PREFIX.length);
}

function parameterIds(tree: Json): number[] {
  const ids: number[] = [];
  walkJson(tree, (object) => {
    if (object.class === 'PARAMETER') ids.push(Number(stringField(object, 'identifier')));
  });
  return ids;
}

function checkCallerParameters(statement: JsonObject, given: number): void {
  for (const id of parameterIds(statement)) {
    if (!Number.isInteger(id) || id < 1 || id > given) {
      throw TributaryError.invalid(`parameter $${id} has no value (${given} given)`);
    }
  }
}

/**
 * `hr.main.employees.name`, `hr.employees.name` and `main.employees.name`
 * bind to a base table read without an alias; the projection replacing it is
 * aliased `employees`, so such references are shortened to `employees.name`.
 */
function requalifyColumns(tree: Json, unaliased: readonly UnaliasedUse[]): Json {
  if (unaliased.length === 0) return tree;
  return mapTree(tree, (object) => {
    if (object.class !== 'COLUMN_REF' || !Array.isArray(object.column_names)) return undefined;
    const names = object.column_names.map((name) => (typeof name === 'string' ? name : ''));
    for (const { ref, written } of unaliased) {
      const at = (i: number, name: string): boolean => names[i] !== undefined && sameName(names[i], name);
      let prefix = 0;
      if (names.length >= 4 && at(0, ref.source) && at(1, ref.schema) && at(2, ref.table)) prefix = 3;
      else if (names.length >= 3 && (at(0, ref.schema) || at(0, ref.source)) && at(1, ref.table)) prefix = 2;
      if (prefix > 0) return { ...object, column_names: [written.table, ...names.slice(prefix)] };
    }
    return undefined;
  });
}

interface Expectations {
  projections: readonly JsonObject[];
  substitutions: number;
  callerParameters: number;
  parameters: number;
}

async function verify(codec: SqlCodec, text: string, expected: Json, expect: Expectations): Promise<void> {
  const reparsed = singleStatement(await codec.parse(text), () =>
    internal('the rewritten query does not parse'),
  );
  const node = objectField(reparsed, 'node') ?? null;
  const wrapperNode = objectField(
    singleStatement(await codec.parseFixed(VALUES_SQL), () => internal('template')),
    'node',
  );
  const valuesWrapper = wrapperNode ? objectField(wrapperNode, 'from_table') : undefined;
  if (!valuesWrapper || !sameAfterPrinting(expected, node, valuesWrapper)) {
    throw internal('DuckDB printed the rewritten query differently from its parse tree; it is not run');
  }

  let found = 0;
  mapTableRefs(node, (ref, ctes) => {
    if (ref.type === 'SUBQUERY') {
      const inner = objectField(ref, 'subquery');
      const innerNode = inner?.node ?? null;
      if (expect.projections.some((projection) => sameTree(projection, innerNode))) {
        found++;
        return ref;
      }
      return undefined;
    }
    if (ref.type !== 'BASE_TABLE') return undefined;
    if (baseTableTarget(ref, ctes).kind === 'cte') return ref;
    throw internal(`a table reference escaped the rewrite (${stringField(ref, 'table_name')})`);
  });
  if (found !== expect.substitutions) throw internal('the rewritten query does not hold every projection');

  const ids = new Set(parameterIds(node));
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 1 || id > expect.parameters)
      throw internal(`placeholder $${id} has no value`);
  }
  for (let id = expect.callerParameters + 1; id <= expect.parameters; id++) {
    if (!ids.has(id)) throw internal(`policy parameter $${id} is not used`);
  }
}
