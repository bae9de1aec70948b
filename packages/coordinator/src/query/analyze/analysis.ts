// One query through the analysis steps, on one borrowed session (two connections):
//
//   1. parse        json_serialize_sql: syntax errors, statement count and kind
//   2. inspect      the parse tree: table functions, system catalogs, files (parse-tree.ts)
//   3. placeholders swapped for typed stand-ins, re-parsed and compared (parameters.ts)
//   4. plan         json_serialize_plan, unoptimized: binding errors, column lineage (bound-plan.ts)
//   5. describe     prepare: result column names and types (alongside 4)
//
// Nothing is executed; the shadow tables hold no rows anyway. Nothing but a
// single query statement is bound: steps 3-5 only run once 1 and 2 passed.

import { StatementType } from '@duckdb/node-api';
import { type SqlValue, TributaryError } from '@tributary/core';
import type { AnalysisSession, PreparedShape } from './analysis-session.js';
import { readLineage, type ShadowTableLookup } from './bound-plan.js';
import { errorFromSerialized, errorFromThrown } from './duckdb-errors.js';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  mapTree,
  objectField,
  sameTree,
  stringField,
} from './json.js';
import { placeholderSubstitute } from './parameters.js';
import { inspectStatement } from './parse-tree.js';
import { SourcePositions } from './positions.js';
import { type SqlScan, scanSql, spliceText } from './sql-text.js';
import type { AnalyzedQuery, OutputColumn } from './types.js';

/** What the analysis needs from the shadow catalog it runs against. */
export interface AnalysisEnvironment {
  readonly version: number | undefined;
  readonly lookup: ShadowTableLookup;
  readonly systemRelations: ReadonlySet<string>;
  /** The parse tree of a placeholder substitute, e.g. `(CAST(NULL AS VARCHAR))`; cached. */
  substituteTree(session: AnalysisSession, text: string): Promise<Json>;
}

const QUERY_WORDS = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', 'TABLE', '(']);
const ONLY_QUERIES =
  'only read-only queries are allowed (SELECT, WITH … SELECT, VALUES, UNION/INTERSECT/EXCEPT)';

function notAQuery(firstWord: string | undefined): TributaryError {
  if (firstWord && !QUERY_WORDS.has(firstWord)) {
    return TributaryError.invalid(
      `${ONLY_QUERIES}; got ${/^[AEIOU]/i.test(firstWord) ? 'an' : 'a'} ${firstWord} statement`,
      { statement: firstWord },
    );
  }
  return TributaryError.invalid(ONLY_QUERIES);
}

function multipleStatements(count: number): TributaryError {
  return TributaryError.invalid(`only one statement is allowed; found ${count}`, { statements: count });
}

export async function analyzeQuery(
  session: AnalysisSession,
  env: AnalysisEnvironment,
  sql: string,
  params: readonly SqlValue[] | undefined,
): Promise<AnalyzedQuery> {
  const clientText = new SourcePositions(sql);
  const scan = scanSql(sql);

  // 1. parse
  const parsed = await session.parse(sql);
  if (parsed.error === true) {
    if (stringField(parsed, 'error_type') === 'parser')
      throw errorFromSerialized(parsed, { positions: clientText });
    if (!stringField(parsed, 'error_message').startsWith('Only SELECT statements')) {
      throw errorFromSerialized(parsed, { positions: clientText });
    }
    const count = await session.countStatements(sql).catch(() => 1);
    throw count > 1 ? multipleStatements(count) : notAQuery(scan.firstWord);
  }
  const statements = arrayField(parsed, 'statements');
  if (statements.length === 0) throw TributaryError.invalid('empty query: no SQL statement found');
  if (statements.length > 1) throw multipleStatements(statements.length);
  const statement = statements[0];
  if (!isJsonObject(statement)) throw new TributaryError('INTERNAL', 'unreadable parse tree');

  // 2. inspect
  const facts = inspectStatement(statement, { positions: clientText, systemRelations: env.systemRelations });
  const parameterCount = Math.max(0, ...[...facts.placeholders].map(Number));
  if (params !== undefined && params.length !== parameterCount) {
    throw TributaryError.invalid(
      `the query takes ${parameterCount} parameter${parameterCount === 1 ? '' : 's'} but ${params.length} ${params.length === 1 ? 'was' : 'were'} given`,
      { expected: parameterCount, given: params.length },
    );
  }

  // 3. placeholders. Preparing the client's own text tells what DuckDB
  // infers for them (and the result's names, when it can infer every type);
  // its errors are left to the plan step, which reports positions.
  let positions = clientText;
  let original: PreparedShape | undefined;
  if (facts.placeholders.size > 0) {
    const describing = session.describe(sql).catch(() => undefined);
    // With values, their types stand in, so the substitution need not wait for DuckDB's inference.
    const inferred = params === undefined ? (await describing)?.parameterTypes : undefined;
    positions = await substitutePlaceholders(session, env, sql, scan, statement, facts.placeholders, (id) =>
      placeholderSubstitute(params === undefined ? undefined : (params[id - 1] ?? null), inferred?.[id - 1]),
    );
    original = await describing;
  }

  // 4. plan, and 5. describe, side by side on the session's two connections.
  const described = session.describe(positions.analyzedSql).then(
    (shape) => ({ shape }),
    (error: unknown) => ({ error }),
  );
  const planned = await session.plan(positions.analyzedSql);
  const shapeOrError = await described;
  if (planned.error === true) throw errorFromSerialized(planned, { positions, statement });
  const lineage = readLineage(arrayField(planned, 'plans'), env.lookup);
  if ('error' in shapeOrError) throw errorFromThrown(shapeOrError.error);
  const shape = shapeOrError.shape;
  if (shape.statementType !== StatementType.SELECT) throw notAQuery(scan.firstWord);
  const outputColumns = resultColumns(shape.columns, original, params !== undefined);

  return deepFreeze({
    statementType: 'SELECT',
    tables: lineage.tables,
    columns: lineage.columns,
    outputColumns,
    parameterCount,
    catalogVersion: env.version,
  });
}

async function substitutePlaceholders(
  session: AnalysisSession,
  env: AnalysisEnvironment,
  sql: string,
  scan: SqlScan,
  statement: JsonObject,
  placeholders: ReadonlySet<string>,
  substituteFor: (id: number) => string,
): Promise<SourcePositions> {
  const cannotLocate = (): TributaryError =>
    TributaryError.invalid(
      'the query\u2019s parameter placeholders could not be located; use $1, $2, … outside literals',
    );
  const tokens = scan.placeholders;
  const scanned = new Set(tokens.map((token) => token.identifier));
  if (tokens.some((token) => token.named) || scanned.size !== placeholders.size) throw cannotLocate();
  for (const id of placeholders) if (!scanned.has(id)) throw cannotLocate();

  const trees = new Map<string, Json>();
  for (const id of placeholders) trees.set(id, await env.substituteTree(session, substituteFor(Number(id))));
  const { text, splices } = spliceText(sql, tokens, (index) =>
    substituteFor(Number(tokens[index]!.identifier)),
  );

  // The substituted text must parse to the original tree with each placeholder replaced.
  const reparsed = await session.parse(text);
  const statements = arrayField(reparsed, 'statements');
  const expected = mapTree(statement, (object) => {
    if (object.class !== 'PARAMETER') return undefined;
    const tree = trees.get(stringField(object, 'identifier'));
    // `$1 AS label`: the alias belongs to whatever expression stands there.
    return isJsonObject(tree) ? { ...tree, alias: object.alias ?? '' } : tree;
  });
  // With the placeholders gone, the statement has no parameter map either.
  if (isJsonObject(expected)) expected.named_param_map = [];
  if (reparsed.error === true || statements.length !== 1 || !sameTree(expected, statements[0]!))
    throw cannotLocate();
  return new SourcePositions(sql, text, splices);
}

/**
 * Names and types of the result. With placeholders, the substituted text
 * gives the types; the client's own text gives the names (an unaliased
 * expression is named after its text), and also the types when no values were
 * given, whenever DuckDB can infer every placeholder's type there.
 */
function resultColumns(
  analyzed: PreparedShape['columns'],
  original: PreparedShape | undefined,
  valuesGiven: boolean,
): OutputColumn[] {
  const usable =
    original !== undefined &&
    original.columns.length === analyzed.length &&
    original.columns.every((column) => column.sqlType !== undefined);
  return analyzed.map((column, i) => {
    const fromOriginal = usable ? original.columns[i] : undefined;
    const sqlType = (valuesGiven ? column.sqlType : fromOriginal?.sqlType) ?? column.sqlType;
    if (sqlType === undefined) throw new TributaryError('INTERNAL', 'result type could not be determined');
    return { name: fromOriginal?.name ?? column.name, sqlType };
  });
}

/** The parse tree of `SELECT <expression>`'s single expression. */
export async function parseExpression(session: AnalysisSession, expression: string): Promise<Json> {
  const parsed = await session.parse(`SELECT ${expression}`);
  const statement = arrayField(parsed, 'statements')[0];
  const node = isJsonObject(statement) ? objectField(statement, 'node') : undefined;
  const tree = node ? arrayField(node, 'select_list')[0] : undefined;
  if (tree === undefined) throw new TributaryError('INTERNAL', `could not parse ${expression}`);
  return tree;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
