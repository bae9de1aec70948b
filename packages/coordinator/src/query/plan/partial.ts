// Partial (eager) aggregation below a join across edges. In a SELECT that
// aggregates over several fragments, when every aggregate call reads the
// columns of one fragment only (a table, or a same-source group) or is
// count(*), that fragment ships one row per distinct key instead of its
// rows:
//
//   SELECT <keys>, <partial aggregates> FROM … WHERE … GROUP BY <keys>
//
// where the keys are every column of it the SELECT reads outside aggregate
// arguments (join keys, group keys, other conditions). The joins and all
// but the aggregates see only those keys, so rows with equal keys meet the
// same rows and may be merged, on either side of an inner or outer join;
// the SELECT's aggregates then combine the partials:
//
//   sum(x) → sum(p)   min(x) → min(p)   max(x) → max(p)
//   count(x) → CAST(coalesce(sum(p), 0) AS BIGINT)
//   count(*) → CAST(coalesce(sum(coalesce(p, 1)), 0) AS BIGINT)
//
// (count is BIGINT and a sum of BIGINTs is not; a row an outer join
// null-extends has no partial, and counts once in count(*); an aggregate
// over no row at all is 0). TPC-H Q13 ships the number of orders per
// customer instead of the orders.
//
// Anything whose effect on merged rows is not certain refuses, and the
// SELECT stays as it was: other aggregates (avg, string_agg…), DISTINCT,
// FILTER or ORDER BY in an aggregate, an aggregate reading several
// fragments, an aggregate of the SELECT written in a subquery, window
// functions, QUALIFY, GROUPING SETS / ROLLUP / CUBE, GROUP BY ALL, `*`
// and positional references, macros (they may hide an aggregate),
// volatile functions, a sample, joins other than plain inner, outer and
// cross ones without USING, the fragment's columns read inside a
// subquery, and any column reference that cannot be placed for certain.

import { boxedNumberText } from '../../policy/rewrite/lossless-json.js';
import type { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  mapTree,
  stringField,
  walkJson,
} from '../analyze/json.js';
import { VOLATILE_FUNCTIONS } from './conditions.js';
import { type Group, keepOutputNames } from './groups.js';
import { resolveColumn, type Scope, type ScopeIndex } from './scopes.js';
import type { Unit } from './unit.js';

/** Aggregates computed at an edge, by output name (`partial.<n>`), over the owner's columns as written. */
export type Partials = Map<string, Json>;

/** Who a fragment's rows are: a table alone, or a group of same-source tables. */
type Owner = Unit | Group;

const DECOMPOSABLE: ReadonlySet<string> = new Set(['sum', 'min', 'max', 'count', 'count_star']);

/**
 * Expressions whose value on merged rows is not the value on the rows
 * merged (windows), or that read columns without naming them (`*`, `#2`).
 */
const REFUSED_CLASSES: ReadonlySet<string> = new Set([
  'WINDOW',
  'STAR',
  'POSITIONAL_REFERENCE',
  'LAMBDA',
  'LAMBDA_REF',
]);

const JOIN_TYPES: ReadonlySet<string> = new Set(['INNER', 'LEFT', 'RIGHT', 'FULL']);

export interface PartialTemplates {
  /** `SELECT "a"."b"` */
  column: Json;
  /** `CAST(coalesce(sum("a"."b"), 0) AS BIGINT)` */
  count: Json;
  /** `CAST(coalesce(sum(coalesce("a"."b", 1)), 0) AS BIGINT)` */
  countStar: Json;
  /** `SELECT 1` */
  select: Json;
}

/**
 * Finds, in every aggregating SELECT, the fragment whose rows may be
 * aggregated at its edge; records its partials (and a table's keys) on it
 * and rewrites the SELECT's aggregates to combine them. `tableAllowed`
 * says which single tables may take them; `groupAlias` names a group's
 * local table (groups are rewritten afterwards: their keys are the member
 * columns still read, see groups.ts).
 */
export async function aggregateInFragments(
  index: ScopeIndex,
  units: ReadonlyMap<JsonObject, Unit>,
  groups: readonly Group[],
  tableAllowed: (unit: Unit) => boolean,
  groupAlias: (group: Group) => string,
  codec: SqlCodec,
  templates: PartialTemplates,
): Promise<void> {
  // References this module writes are to local tables: they bind for certain.
  const written = new Set<JsonObject>();
  for (const scope of index.scopes.values()) {
    const plan = planScope(scope, index, units, groups, tableAllowed, codec, written);
    if (!plan) continue;
    await keepOutputNames(scope.select, codec, templates.select);
    const { owner, aggregates } = plan;
    const partials: Partials = new Map();
    const alias = 'members' in owner ? groupAlias(owner) : owner.alias;
    for (const aggregate of aggregates) {
      const name = partialName(partials, aggregate);
      const combined = combine(aggregate, alias, name, templates);
      walkJson(combined, (object) => {
        if (object.class === 'COLUMN_REF') written.add(object);
      });
      for (const key of Object.keys(aggregate)) delete aggregate[key];
      Object.assign(aggregate, combined);
    }
    if ('members' in owner) owner.partials = partials;
    else owner.partials = { keys: plan.keys, aggregates: partials };
  }
}

interface ScopePlan {
  owner: Owner;
  /** The SELECT's aggregate calls, all of them the owner's or count(*). */
  aggregates: JsonObject[];
  /** The owner's columns read outside them (for a table: its column names). */
  keys: string[];
}

function planScope(
  scope: Scope,
  index: ScopeIndex,
  units: ReadonlyMap<JsonObject, Unit>,
  groups: readonly Group[],
  tableAllowed: (unit: Unit) => boolean,
  codec: SqlCodec,
  written: ReadonlySet<JsonObject>,
): ScopePlan | undefined {
  const select = scope.select;
  // Below a join only: a table aggregated alone runs whole at its edge
  // where it can (subtrees.ts), and where it cannot (a correlated
  // subquery) its fragment is better shared with the table's other readers.
  if (scope.items.length < 2 || !plainShape(select)) return undefined;
  const own = ownObjects(select);
  const aggregates: JsonObject[] = [];
  for (const object of own) {
    const cls = stringField(object, 'class');
    if (REFUSED_CLASSES.has(cls)) return undefined;
    if (cls !== 'FUNCTION') continue;
    const name = stringField(object, 'function_name').toLowerCase();
    if (VOLATILE_FUNCTIONS.has(name) || codec.macroFunctions.has(name)) return undefined;
    if (!codec.aggregateFunctions.has(name)) continue;
    if (!decomposable(object)) return undefined;
    aggregates.push(object);
  }
  if (aggregates.length === 0 && arrayField(select, 'group_expressions').length === 0) return undefined;

  // Where each column reference of the SELECT (and of its subqueries) binds.
  const ownerOf = (item: JsonObject): Owner | undefined => {
    const unit = units.get(item);
    if (!unit) return undefined;
    if (unit.group) return groups.includes(unit.group) && unit.group.scope === scope ? unit.group : undefined;
    return tableAllowed(unit) ? unit : undefined;
  };
  const candidates = new Set(scope.items.flatMap((item) => ownerOf(item.ref) ?? []));
  if (candidates.size === 0) return undefined;
  const ownRefs = new Set(own.filter((object) => object.class === 'COLUMN_REF'));
  const binding = new Map<JsonObject, Owner | 'other'>();
  let unknown = false;
  const keyColumns = new Map<JsonObject, string>();
  const ownAggregates = new Set(aggregates);
  // `(SELECT sum(u.z))` reading only the SELECT's columns is the SELECT's
  // aggregate, though written in a subquery: it would count merged rows.
  let outerAggregate = false;
  const visit = (value: Json, inSubqueryAggregate = false): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, inSubqueryAggregate);
      return;
    }
    // The projections' insides are the edge's.
    if (!isJsonObject(value) || units.has(value)) return;
    if (value.class === 'COLUMN_REF' && !written.has(value)) {
      const resolved = resolveColumn(value, index);
      if (resolved.kind === 'unknown') unknown = true;
      if (resolved.kind !== 'item' || resolved.scope !== scope) return;
      if (inSubqueryAggregate) outerAggregate = true;
      const owner = ownerOf(resolved.item.ref);
      // Read in a subquery, a fragment's columns are read row by row: it keeps its rows.
      if (owner && !ownRefs.has(value)) candidates.delete(owner);
      binding.set(value, owner ?? 'other');
      keyColumns.set(value, resolved.column);
      return;
    }
    const aggregate =
      inSubqueryAggregate ||
      (value.class === 'FUNCTION' &&
        !ownAggregates.has(value) &&
        codec.aggregateFunctions.has(stringField(value, 'function_name').toLowerCase()));
    for (const child of Object.values(value)) if (typeof child === 'object') visit(child, aggregate);
  };
  visit(select);
  if (unknown || outerAggregate) return undefined;

  // Every aggregate but count(*) must read the one owner's columns only.
  const readers = new Set<Owner | 'other'>();
  const inAggregates = new Set<JsonObject>();
  for (const aggregate of aggregates) {
    const readBy = new Set<Owner | 'other'>();
    let subquery = false;
    walkJson(aggregate, (object) => {
      if (object.class === 'SUBQUERY') subquery = true;
      if (object.class !== 'COLUMN_REF') return;
      inAggregates.add(object);
      // Bound outside the SELECT (a correlated value) or to anything else: not computable at the edge.
      readBy.add(binding.get(object) ?? 'other');
    });
    if (subquery) return undefined;
    if (readBy.size === 0 && !isCountStar(aggregate)) return undefined;
    if (readBy.size > 1) return undefined;
    for (const reader of readBy) readers.add(reader);
  }
  if (readers.size > 1 || readers.has('other')) return undefined;
  const [reader] = readers as Set<Owner>;
  const owner = reader ?? pick(candidates);
  if (!owner || !candidates.has(owner)) return undefined;

  const read = new Set<string>();
  for (const [ref, bound] of binding)
    if (bound === owner && !inAggregates.has(ref)) read.add((keyColumns.get(ref) as string).toLowerCase());
  // Grouped by nothing, a fragment would give one row even with none to
  // aggregate, and the join would keep rows it should drop.
  if (read.size === 0) return undefined;
  const columns = 'members' in owner ? [] : owner.columns.filter((column) => read.has(column.toLowerCase()));
  return { owner, aggregates, keys: columns };
}

/**
 * A SELECT whose rows may be merged below its FROM: plain GROUP BY (one
 * grouping set of all its expressions), no QUALIFY or sample, and a FROM of
 * plain inner, outer and cross joins without USING.
 */
function plainShape(select: JsonObject): boolean {
  const groups = arrayField(select, 'group_expressions');
  const sets = arrayField(select, 'group_sets');
  const plainGroups =
    groups.length === 0
      ? sets.length === 0
      : sets.length === 1 &&
        Array.isArray(sets[0]) &&
        sets[0].length === groups.length &&
        groups.every((_, i) =>
          (sets[0] as Json[]).some((position) => Number(boxedNumberText(position) ?? position) === i),
        );
  if (!plainGroups || stringField(select, 'aggregate_handling') !== 'STANDARD_HANDLING') return false;
  if ((select.qualify ?? null) !== null || (select.sample ?? null) !== null) return false;
  const plainFrom = (ref: Json): boolean => {
    if (!isJsonObject(ref) || ref.type !== 'JOIN') return true;
    const kind = stringField(ref, 'ref_type');
    if ((kind !== 'REGULAR' && kind !== 'CROSS') || !JOIN_TYPES.has(stringField(ref, 'join_type')))
      return false;
    if (arrayField(ref, 'using_columns').length > 0) return false;
    return plainFrom(ref.left ?? null) && plainFrom(ref.right ?? null);
  };
  return plainFrom(select.from_table ?? null);
}

/** The SELECT's own expression nodes: not its subqueries', nor its FROM items' (but its ON conditions). */
function ownObjects(select: JsonObject): JsonObject[] {
  const found: JsonObject[] = [];
  const visit = (value: Json): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isJsonObject(value)) return;
    if (!Object.hasOwn(value, 'class') && value.type === 'SELECT_NODE') return;
    found.push(value);
    for (const child of Object.values(value)) if (typeof child === 'object') visit(child);
  };
  const conditions = (ref: Json): void => {
    if (!isJsonObject(ref) || ref.type !== 'JOIN') return;
    visit(ref.condition ?? null);
    conditions(ref.left ?? null);
    conditions(ref.right ?? null);
  };
  for (const [key, value] of Object.entries(select)) {
    if (key === 'from_table') conditions(value);
    else if (key !== 'cte_map') visit(value);
  }
  return found;
}

/** sum, min, max, count or count(*), with nothing that looks at rows as such. */
function decomposable(call: JsonObject): boolean {
  const name = stringField(call, 'function_name').toLowerCase();
  if (!DECOMPOSABLE.has(name)) return false;
  if (stringField(call, 'schema') !== '' || stringField(call, 'catalog') !== '') return false;
  if (call.distinct === true || call.export_state === true || (call.filter ?? null) !== null) return false;
  const order = call.order_bys;
  if (isJsonObject(order ?? null) && arrayField(order as JsonObject, 'orders').length > 0) return false;
  const args = arrayField(call, 'children').length;
  return name === 'count_star' ? args === 0 : args === 1;
}

const isCountStar = (call: JsonObject): boolean =>
  stringField(call, 'function_name').toLowerCase() === 'count_star';

/**
 * With only count(*) to compute, any fragment may take it: a group, which
 * joins the most rows at its edge, before a table.
 */
function pick(candidates: ReadonlySet<Owner>): Owner | undefined {
  const all = [...candidates];
  return all.find((owner) => 'members' in owner) ?? all[0];
}

/** An aggregate's shape, without positions or name, to compute each partial once. */
const shapeOf = (expression: Json): string =>
  JSON.stringify(expression, (key, value) =>
    key === 'query_location' || key === 'alias' ? undefined : value,
  );

function partialName(partials: Partials, aggregate: JsonObject): string {
  const shape = shapeOf(aggregate);
  const known = [...partials].find(([, partial]) => shapeOf(partial) === shape)?.[0];
  if (known) return known;
  const name = `partial.${partials.size + 1}`;
  partials.set(name, { ...structuredClone(aggregate), alias: '' });
  return name;
}

/** The aggregate over the partials that stands for `aggregate`, under its name. */
function combine(
  aggregate: JsonObject,
  alias: string,
  name: string,
  templates: PartialTemplates,
): JsonObject {
  const function_name = stringField(aggregate, 'function_name').toLowerCase();
  const column = { ...(structuredClone(templates.column) as JsonObject), column_names: [alias, name] };
  const around = (template: Json): JsonObject =>
    mapTree(structuredClone(template), (object) =>
      object.class === 'COLUMN_REF' ? structuredClone(column) : undefined,
    ) as JsonObject;
  const combined =
    function_name === 'count'
      ? around(templates.count)
      : function_name === 'count_star'
        ? around(templates.countStar)
        : { ...structuredClone(aggregate), children: [column] };
  return {
    ...combined,
    alias: stringField(aggregate, 'alias'),
    query_location: aggregate.query_location ?? null,
  };
}
