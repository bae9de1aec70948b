// Splitting a query whose tables live on different edges. The input is the
// governed query (step 4 of the query path), in which every catalog table
// is already its filtered, masked projection `(SELECT … FROM t WHERE …) AS
// alias`. Each such projection becomes a *fragment* sent to an edge serving
// its source:
//
//   SELECT <columns the query reads> FROM (<projection>) AS alias
//   WHERE <conjuncts of the enclosing WHERE that read only this table>
//
// and the query that runs at the coordinator reads local tables in its place
// (`memory.main.f<n>`, filled from the fragments' Arrow streams), so
// policies are applied where the data lives and never re-applied or lost.
// Everything is done on DuckDB's parse tree (json_serialize_sql) and printed
// back by DuckDB; values never enter SQL text, placeholders are renumbered.
//
// Filters are copied, not moved: the coordinator still applies them, so a
// conjunct pushed down can only remove rows the coordinator would have
// removed. They are pushed only into tables whose rows the enclosing query
// cannot null-extend (not the inner side of an outer join), only when every
// column resolves to that one table, and never when they hold subqueries,
// lambdas or volatile functions.

import { type SqlValue, TributaryError } from '@tributary/core';
import { sameName, sameTable } from '../../policy/names.js';
import { normalizeForPrinting } from '../../policy/rewrite/faithful-print.js';
import type { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import { baseTableTarget, mapTableRefs } from '../../policy/rewrite/table-refs.js';
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
} from '../analyze/json.js';
import type { ColumnRef, TableRef } from '../analyze/types.js';
import { computeInFragments } from './computed.js';
import { conjunction, conjuncts, VOLATILE_FUNCTIONS } from './conditions.js';
import { formGroups, type Group, groupColumn, movable, rewriteGroups } from './groups.js';
import { aggregateInFragments } from './partial.js';
import { buildScopes, resolveColumn, type Scope, type ScopeIndex } from './scopes.js';
import { findSubtrees, type Subtree } from './subtrees.js';
import type { Unit } from './unit.js';

/** One subquery an edge runs for the coordinator. */
export interface Fragment {
  /** The local table the coordinator loads it into (in the `memory.main` schema). */
  localTable: string;
  table: TableRef;
  sql: string;
  params: SqlValue[];
  /** Columns shipped, in order. */
  columns: string[];
  /** WHERE conjuncts of the query pushed down with it. */
  pushedFilters: number;
  /**
   * Equi-join conditions tying this fragment's rows to another fragment's
   * (`column = other.otherColumn`, inner, in the same SELECT): only rows
   * whose key the other fragment holds can reach the result, so the
   * executor may ship just those (see execute/federate.ts).
   */
  links: FragmentLink[];
  /** The fragment's parse tree (what `sql` prints), for adding key filters. */
  tree: JsonObject;
  /** The alias its table has in `sql` (a group's members keep their own). */
  qualifier: string;
  /**
   * For a group's fragment, each member alone with its own filters: when
   * the join holds more rows than its largest member, it multiplies rows
   * (a join on a non-key column) and the plan falls back to one fragment
   * per table (see execute/federate.ts).
   */
  members?: Fragment[];
  /** For a group's fragment, which group it is, for `FederatedPlan.ungrouped`. */
  group?: string;
}

export interface FragmentLink {
  /** The key column, as the fragment's query names it: `qualifier.column`. */
  qualifier: string;
  column: string;
  /** The other fragment's local table. */
  other: string;
  otherColumn: string;
}

export interface FederatedPlan {
  fragments: Fragment[];
  /** What runs at the coordinator over the fragments' tables. */
  localSql: string;
  /** The parse tree `localSql` prints, for naming its tables anew (plan-cache.ts). */
  localTree: JsonObject;
  localParams: SqlValue[];
  /**
   * The same query planned without the given groups (fragments of this
   * plan that join tables at their edge): their tables travel one by one.
   */
  ungrouped?: (groups: readonly Fragment[]) => Promise<FederatedPlan>;
}

export interface SplitInput {
  /** The governed query and its parameters: the caller's first, then the policies'. */
  sql: string;
  params: readonly SqlValue[];
  callerParams: number;
  /** Every base-table column the query reads (from analysis). */
  columns: readonly ColumnRef[];
  /**
   * Names the n-th fragment's local table (from 1). Concurrent queries share
   * the coordinator's DuckDB, so each execution passes names of its own.
   */
  tableName?: (n: number) => string;
  /** Join same-source tables at their edge (default true). */
  groups?: boolean;
  /** Groups not to form (their `Fragment.group`): their tables travel one by one. */
  ungroup?: readonly string[];
}

const internal = (message: string): TributaryError =>
  new TributaryError('INTERNAL', `federated plan: ${message}`);

/** Expressions a pushed-down filter may not hold (placeholders are fine: they are renumbered). */
const REFUSED_CLASSES: ReadonlySet<string> = new Set(['SUBQUERY', 'LAMBDA', 'LAMBDA_REF', 'WINDOW', 'STAR']);

export async function splitQuery(codec: SqlCodec, input: SplitInput): Promise<FederatedPlan> {
  const parsed = await codec.parse(input.sql);
  const statements = arrayField(parsed, 'statements');
  const statement = statements[0];
  if (parsed.error === true || statements.length !== 1 || !isJsonObject(statement ?? null)) {
    throw internal('the governed query does not parse');
  }
  const root = objectField(statement as JsonObject, 'node') ?? null;
  const units = new Map<JsonObject, Unit>();
  collectUnits(root, units);
  if (units.size === 0) throw internal('the query reads no table');
  const tableName = input.tableName ?? ((n: number) => `f${n}`);
  const fragments: Fragment[] = [];
  for (const subtree of findSubtrees(
    root,
    units,
    buildScopes(root, (ref) => units.get(ref)?.columns),
  )) {
    fragments.push(await runWhole(codec, subtree, input, tableName(fragments.length + 1)));
    for (const unit of subtree.units) units.delete(unit.ref);
  }
  if (units.size === 0) throw internal('the query reads no table');
  const orTemplate = await template(codec, 'SELECT 1 WHERE true OR true', (node) =>
    objectField(node, 'where_clause'),
  );
  const andTemplate = await template(codec, 'SELECT 1 WHERE true AND true', (node) =>
    objectField(node, 'where_clause'),
  );
  const trueTemplate = await template(codec, 'SELECT true', (node) => arrayField(node, 'select_list')[0]);
  const crossTemplate = await template(codec, 'SELECT 1 FROM a, b', (node) =>
    objectField(node, 'from_table'),
  );
  const selectTemplate = await template(codec, 'SELECT 1', (node) => node);
  const scopes = buildScopes(root, (ref) => units.get(ref)?.columns);
  const formed = input.groups === false ? [] : formGroups(scopes, units);
  const groups = formed.filter((group) => !input.ungroup?.includes(groupKey(group)));
  for (const group of formed)
    if (!groups.includes(group)) for (const member of group.members) delete member.group;
  const consumed = new Set<Unit>();
  const removePushed = collectFilters(
    scopes,
    units,
    { and: andTemplate, or: orTemplate, true: trueTemplate },
    consumed,
  );
  correlationLinks(scopes, units);
  semiJoinLinks(scopes, units);
  removePushed();
  // A group inside a conjunct that went to an edge went with it.
  const live = groups.filter((group) => !group.members.some((member) => consumed.has(member)));
  for (const group of groups)
    if (!live.includes(group)) for (const member of group.members) delete member.group;
  // Aliases of the groups' local tables in the coordinator's query.
  const groupNames = new Map(live.map((group, i) => [group, `tributary_group_${i + 1}`]));
  const columnTemplate = await template(
    codec,
    'SELECT "a"."b"',
    (node) => arrayField(node, 'select_list')[0],
  );
  // Two references to a table that need the same rows share one fragment
  // (below); aggregated at its edge for one of them, the table would travel
  // twice (TPC-H Q11's and Q17's subqueries).
  const alone = [...units.values()].filter((unit) => !unit.group && !consumed.has(unit));
  const readTwice = (unit: Unit) =>
    alone.some((other) => other !== unit && sameTable(other.table, unit.table));
  await aggregateInFragments(
    scopes,
    units,
    live,
    (unit) => !unit.group && !consumed.has(unit) && plainReference(unit) && !readTwice(unit),
    (group) => groupNames.get(group) as string,
    codec,
    {
      column: columnTemplate,
      count: await template(
        codec,
        'SELECT CAST(coalesce(sum("a"."b"), 0) AS BIGINT)',
        (node) => arrayField(node, 'select_list')[0],
      ),
      countStar: await template(
        codec,
        'SELECT CAST(coalesce(sum(coalesce("a"."b", 1)), 0) AS BIGINT)',
        (node) => arrayField(node, 'select_list')[0],
      ),
      select: selectTemplate,
    },
  );
  await rewriteGroups(
    root,
    live,
    scopes,
    units,
    codec,
    {
      cross: crossTemplate,
      and: andTemplate,
      select: selectTemplate,
    },
    (group) => groupNames.get(group) as string,
  );
  await computeInFragments(
    scopes,
    units,
    (unit) => !unit.group && !consumed.has(unit) && !unit.partials && plainReference(unit),
    codec,
    selectTemplate,
  );
  const needed = neededColumns(root, units);
  const setOnly = setOnlyUnits(root, scopes, units);

  const fragmentTemplate = await template(codec, 'SELECT 1 FROM t', (node) => node);
  const tableTemplate = await template(codec, 'SELECT 1 FROM memory.main.t', (node) =>
    objectField(node, 'from_table'),
  );
  const fragmentTemplates = {
    distinct: arrayField(
      (await template(codec, 'SELECT DISTINCT 1', (node) => node)) as JsonObject,
      'modifiers',
    ),
    and: andTemplate,
    column: columnTemplate,
    node: fragmentTemplate,
    cross: crossTemplate,
  };

  const byText = new Map<string, Fragment>();
  const localOf = new Map<JsonObject, string>();
  /** Who reads each fragment: a group's members together, or one table. */
  const sharing = new Map<Fragment, Unit[][]>();
  for (const group of live) {
    const fragment = await buildGroupFragment(codec, group, input, fragmentTemplates);
    const key = JSON.stringify([fragment.sql, fragment.params.map(String)]);
    const known = byText.get(key);
    if (known) {
      for (const member of group.members) localOf.set(member.ref, known.localTable);
      sharing.get(known)?.push(group.members);
      continue;
    }
    fragment.members = await Promise.all(
      group.members.map((member) => buildFragment(codec, member, undefined, input, fragmentTemplates)),
    );
    fragment.localTable = tableName(fragments.length + 1);
    fragment.group = groupKey(group);
    fragments.push(fragment);
    byText.set(key, fragment);
    sharing.set(fragment, [group.members]);
    for (const member of group.members) localOf.set(member.ref, fragment.localTable);
  }
  for (const unit of units.values()) {
    if (consumed.has(unit) || unit.group) continue;
    const fragment = await buildFragment(
      codec,
      unit,
      needed.get(unit),
      input,
      fragmentTemplates,
      setOnly.has(unit),
    );
    const key = JSON.stringify([fragment.sql, fragment.params.map(String)]);
    const known = byText.get(key);
    if (known) {
      localOf.set(unit.ref, known.localTable);
      sharing.get(known)?.push([unit]);
      continue;
    }
    sharing.set(fragment, [[unit]]);
    fragment.localTable = tableName(fragments.length + 1);
    fragments.push(fragment);
    byText.set(key, fragment);
    localOf.set(unit.ref, fragment.localTable);
  }

  // A fragment read by several references keeps only the links all of them
  // have, or one reference's join would cut rows another needs. A group's
  // members are one reader: each member's links count.
  for (const [fragment, readers] of sharing) {
    const linksOf = (reader: Unit) =>
      reader.links.flatMap(([column, other, otherColumn]): [string, FragmentLink][] => {
        const table = localOf.get(other.ref);
        if (table === undefined || table === fragment.localTable) return [];
        const qualifier = reader.group ? reader.alias : fragment.qualifier;
        const otherLocal = other.group ? groupColumn(other, otherColumn) : otherColumn;
        const key = JSON.stringify([qualifier.toLowerCase(), column.toLowerCase(), table, otherLocal]);
        return [[key, { qualifier, column, other: table, otherColumn: otherLocal }]];
      });
    const perReader = readers.map((reader) => new Map(reader.flatMap(linksOf)));
    const [first, ...rest] = perReader;
    fragment.links = first
      ? [...first].filter(([key]) => rest.every((links) => links.has(key))).map(([, link]) => link)
      : [];
  }

  const local = mapTableRefs(root, (ref) => {
    const name = localOf.get(ref);
    if (name === undefined) return undefined;
    const group = units.get(ref)?.group;
    return {
      ...(tableTemplate as JsonObject),
      table_name: name,
      alias: group ? (groupNames.get(group) as string) : stringField(ref, 'alias'),
      sample: ref.sample ?? null,
      column_name_alias: ref.column_name_alias ?? [],
    };
  });
  const templates = {
    trueCondition: trueTemplate,
    cast: (await template(
      codec,
      "SELECT CAST('0' AS DOUBLE)",
      (node) => arrayField(node, 'select_list')[0],
    )) as JsonObject,
  };
  const normalized = normalizeForPrinting(local, templates);
  checkLocal(normalized, new Set(fragments.map((f) => f.localTable)), input.callerParams);
  // Conjuncts moved into fragments may take some of the caller's
  // placeholders with them: the rest are numbered from 1 again.
  const { tree: localNode, values: localParams } = renumber(normalized, input.params);
  const localSql = await codec.print({
    error: false,
    statements: [{ node: localNode, named_param_map: [] }],
  });
  const localTree = localNode as JsonObject;
  return live.length === 0
    ? { fragments, localSql, localTree, localParams }
    : {
        fragments,
        localSql,
        localTree,
        localParams,
        ungrouped: (dropped) =>
          splitQuery(codec, {
            ...input,
            ungroup: [...(input.ungroup ?? []), ...dropped.flatMap((fragment) => fragment.group ?? [])],
          }),
      };
}

/** A table read as itself: no sample, no positional column aliases. */
const plainReference = (unit: Unit): boolean =>
  (unit.ref.sample ?? null) === null && arrayField(unit.ref, 'column_name_alias').length === 0;

/** A group by its members' aliases and tables, the same in every split of one query. */
function groupKey(group: Group): string {
  return group.members
    .map(({ alias, table }) => `${alias}@${table.source}.${table.schema}.${table.table}`.toLowerCase())
    .sort()
    .join(',');
}

async function template(
  codec: SqlCodec,
  sql: string,
  pick: (node: JsonObject) => Json | undefined,
): Promise<Json> {
  const parsed = await codec.parseFixed(sql);
  const statement = arrayField(parsed, 'statements')[0];
  const node = isJsonObject(statement ?? null) ? objectField(statement as JsonObject, 'node') : undefined;
  const picked = node ? pick(node) : undefined;
  if (picked === undefined) throw internal('template');
  return structuredClone(picked);
}

/** The catalog table a governed projection reads, or undefined when `ref` is not one. */
function projectionOf(ref: JsonObject): { table: TableRef; columns: string[] } | undefined {
  if (stringField(ref, 'type') !== 'SUBQUERY') return undefined;
  const subquery = objectField(ref, 'subquery');
  const node = subquery ? objectField(subquery, 'node') : undefined;
  if (!node || stringField(node, 'type') !== 'SELECT_NODE') return undefined;
  const from = objectField(node, 'from_table');
  if (!from || stringField(from, 'type') !== 'BASE_TABLE') return undefined;
  const target = baseTableTarget(from, new Set());
  if (target.kind !== 'table') return undefined;
  // The rewrite names every column (`expr AS "col"`); a plain column keeps its own name.
  const columns = arrayField(node, 'select_list').map((item) => {
    if (!isJsonObject(item)) return '';
    const alias = stringField(item, 'alias');
    if (alias !== '' || item.class !== 'COLUMN_REF') return alias;
    const names = arrayField(item, 'column_names');
    const last = names[names.length - 1];
    return typeof last === 'string' ? last : '';
  });
  if (columns.some((column) => column === '')) return undefined;
  return { table: target.ref, columns };
}

function collectUnits(tree: Json, units: Map<JsonObject, Unit>): void {
  mapTableRefs(tree, (ref, ctes) => {
    const projection = projectionOf(ref);
    if (projection) {
      units.set(ref, {
        ref,
        table: projection.table,
        alias: stringField(ref, 'alias') || projection.table.table,
        columns: projection.columns,
        filters: [],
        links: [],
      });
      return ref;
    }
    if (stringField(ref, 'type') === 'BASE_TABLE' && baseTableTarget(ref, ctes).kind !== 'cte') {
      // Governance replaces every catalog table; one left bare means it did not.
      throw internal(`table ${stringField(ref, 'table_name')} is not governed`);
    }
    return undefined;
  });
}

/** FROM items of a SELECT: every table ref, and whether filters may be pushed into it. */
function fromItems(ref: Json, pushable: boolean, out: { ref: JsonObject; pushable: boolean }[]): void {
  if (!isJsonObject(ref)) return;
  if (stringField(ref, 'type') !== 'JOIN') {
    out.push({ ref, pushable });
    return;
  }
  const join = stringField(ref, 'join_type');
  const kind = stringField(ref, 'ref_type');
  const plain = kind === 'REGULAR' || kind === 'CROSS';
  fromItems(ref.left ?? null, pushable && plain && ['INNER', 'LEFT', 'SEMI', 'ANTI'].includes(join), out);
  fromItems(ref.right ?? null, pushable && plain && (join === 'INNER' || join === 'RIGHT'), out);
}

interface ConditionGroup {
  /** The node holding the condition, and under which key. */
  holder: JsonObject;
  key: 'where_clause' | 'condition';
  /** Tables a conjunct may be pushed into, and whether it links tables (inner only). */
  items: { ref: JsonObject; pushable: boolean }[];
  links: boolean;
}

/**
 * Finds, for every SELECT, the conjuncts that read one table only and
 * pushes each into that table's fragment; such a conjunct is then removed
 * where it was (the fragment applies exactly it, to rows that cannot be
 * null-extended there), so its columns need not travel. Conjuncts come
 * from the WHERE and inner joins' ON (any table of the SELECT), and from a
 * LEFT JOIN's ON (only tables of its right side, which the ON filters
 * before they are matched). Returns a function applying the removals.
 */
function collectFilters(
  index: ScopeIndex,
  units: Map<JsonObject, Unit>,
  templates: { and: Json; or: Json; true: Json },
  consumed: Set<Unit>,
): () => void {
  const removals = new Map<JsonObject, { key: ConditionGroup['key']; removed: Set<JsonObject> }>();
  const remove = (group: ConditionGroup, conjunct: JsonObject) => {
    const entry = removals.get(group.holder) ?? { key: group.key, removed: new Set<JsonObject>() };
    entry.removed.add(conjunct);
    removals.set(group.holder, entry);
  };
  for (const scope of index.scopes.values()) {
    const object = scope.select;
    const items = scope.items;
    const groups: ConditionGroup[] = [
      { holder: object, key: 'where_clause', items, links: true },
      ...joinConditions(object.from_table ?? null, items),
    ];
    for (const group of groups) {
      const condition = group.holder[group.key];
      if (!isJsonObject(condition ?? null)) continue;
      for (const conjunct of conjuncts(condition as JsonObject)) {
        const unit = soleUnit(conjunct, group.items, units);
        if (group.links) {
          linkOf(conjunct, group.items, units);
          for (const common of commonToBranches(conjunct)) linkOf(common, group.items, units);
        }
        if (unit) {
          unit.filters.push(structuredClone(conjunct));
          remove(group, conjunct);
          continue;
        }
        // Conditions among one group's tables, and subqueries on their
        // source, go to the edge with them.
        const moved = group.links ? movable(conjunct, scope, index, units) : undefined;
        const touched = moved ? [...moved.touched] : [];
        const source = touched[0]?.table.source ?? '';
        const target = touched[0]?.group ?? (touched.length === 1 ? touched[0] : undefined);
        if (
          moved &&
          target &&
          touched.every((u) => (u.group ?? u) === target) &&
          moved.inner.every((u) => sameName(u.table.source, source))
        ) {
          const into = 'members' in target ? target.conjuncts : target.filters;
          into.push(structuredClone(conjunct));
          for (const inner of moved.inner) consumed.add(inner);
          remove(group, conjunct);
          continue;
        }
        for (const [implied, filter] of impliedByDisjunction(conjunct, group.items, units, templates))
          implied.filters.push(filter);
      }
    }
  }
  return () => {
    for (const [holder, { key, removed }] of removals) {
      const kept = conjuncts(holder[key] as JsonObject).filter((conjunct) => !removed.has(conjunct));
      holder[key] =
        kept.length === 0
          ? key === 'where_clause'
            ? null
            : structuredClone(templates.true)
          : kept.length === 1
            ? (kept[0] as Json)
            : { ...(structuredClone(templates.and) as JsonObject), children: kept };
    }
  };
}

/** The ON conditions in a FROM whose single-table conjuncts may be pushed down (see collectFilters). */
function joinConditions(ref: Json, items: ConditionGroup['items']): ConditionGroup[] {
  if (!isJsonObject(ref) || stringField(ref, 'type') !== 'JOIN') return [];
  const nested = [...joinConditions(ref.left ?? null, items), ...joinConditions(ref.right ?? null, items)];
  if (stringField(ref, 'ref_type') !== 'REGULAR') return nested;
  const join = stringField(ref, 'join_type');
  if (join === 'INNER') return [{ holder: ref, key: 'condition', items, links: true }, ...nested];
  if (join === 'LEFT') {
    const right: ConditionGroup['items'] = [];
    fromItems(ref.right ?? null, true, right);
    return [{ holder: ref, key: 'condition', items: right, links: false }, ...nested];
  }
  return nested;
}

/** Records `a.x = b.y` between two pushable tables of one SELECT as a link of each. */
function linkOf(
  conjunct: JsonObject,
  items: readonly { ref: JsonObject; pushable: boolean }[],
  units: Map<JsonObject, Unit>,
): void {
  if (conjunct.class !== 'COMPARISON' || conjunct.type !== 'COMPARE_EQUAL') return;
  const sides = [conjunct.left, conjunct.right];
  const resolved = sides.map((side) => {
    if (!isJsonObject(side ?? null) || (side as JsonObject).class !== 'COLUMN_REF') return undefined;
    const unit = soleUnit(side as JsonObject, items, units);
    const names = arrayField(side as JsonObject, 'column_names');
    const column = names[names.length - 1];
    return unit && typeof column === 'string' ? { unit, column } : undefined;
  });
  const [a, b] = resolved;
  if (!a || !b || a.unit === b.unit) return;
  a.unit.links.push([a.column, b.unit, b.column]);
  b.unit.links.push([b.column, a.unit, a.column]);
}

/**
 * `inner.x = outer.y` in the WHERE of a subquery, where `outer` is a table
 * of an enclosing query: for each outer row the subquery sees only inner
 * rows whose key that row holds, so inner rows whose key no outer row holds
 * are never seen, and the inner table may ship only the outer table's keys
 * (TPC-H Q2, Q17, Q22). The reverse does not hold (an outer row without
 * inner rows still counts: `NOT EXISTS`, `count(*) = 0`), so the link is
 * the inner table's only.
 */
function correlationLinks(index: ScopeIndex, units: Map<JsonObject, Unit>): void {
  for (const scope of index.scopes.values()) {
    const where = objectField(scope.select, 'where_clause');
    if (!scope.parent || !where) continue;
    for (const conjunct of conjuncts(where)) {
      if (conjunct.class !== 'COMPARISON' || conjunct.type !== 'COMPARE_EQUAL') continue;
      const [left, right] = [conjunct.left, conjunct.right].map((side) =>
        isJsonObject(side ?? null) && (side as JsonObject).class === 'COLUMN_REF'
          ? resolveColumn(side as JsonObject, index)
          : undefined,
      );
      for (const [own, other] of [
        [left, right],
        [right, left],
      ]) {
        if (own?.kind !== 'item' || other?.kind !== 'item') continue;
        if (own.scope !== scope || other.scope === scope || !own.item.pushable) continue;
        const inner = units.get(own.item.ref);
        const outer = units.get(other.item.ref);
        if (inner && outer && inner !== outer) inner.links.push([own.column, outer, other.column]);
      }
    }
  }
}

/**
 * Tables read only for which of their values exist: every table of an
 * `EXISTS`/`IN`/`ANY` subquery whose SELECT joins plainly and neither
 * aggregates, groups, orders nor limits, so whether a row matches does not
 * depend on duplicates. Their fragments ship distinct rows (TPC-H Q22's
 * `NOT EXISTS` over orders ships customer keys, not orders).
 */
function setOnlyUnits(root: Json, index: ScopeIndex, units: Map<JsonObject, Unit>): Set<Unit> {
  const found = new Set<Unit>();
  const subqueryHolders = new Map<JsonObject, string>();
  walkJson(root, (object) => {
    if (object.class !== 'SUBQUERY') return;
    const statement = objectField(object, 'subquery');
    const node = statement ? objectField(statement, 'node') : undefined;
    if (node) subqueryHolders.set(node, stringField(object, 'subquery_type'));
  });
  for (const scope of index.scopes.values()) {
    const select = scope.select;
    const holder = subqueryHolders.get(select);
    if (holder !== 'EXISTS' && holder !== 'ANY') continue;
    const plain =
      arrayField(select, 'modifiers').length === 0 &&
      arrayField(select, 'group_expressions').length === 0 &&
      (select.having ?? null) === null &&
      (select.qualify ?? null) === null &&
      scope.items.every((item) => item.pushable) &&
      arrayField(select, 'select_list').every(
        (item) =>
          isJsonObject(item) && ['COLUMN_REF', 'CONSTANT', 'STAR'].includes(stringField(item, 'class')),
      );
    if (!plain) continue;
    for (const item of scope.items) {
      const unit = units.get(item.ref);
      if (unit && !unit.group) found.add(unit);
    }
  }
  return found;
}

/** The unit a column reference binds to in `scope` itself, when it may be filtered there. */
function unitIn(
  expression: Json | undefined,
  scope: Scope | undefined,
  index: ScopeIndex,
  units: Map<JsonObject, Unit>,
): { unit: Unit; column: string } | undefined {
  if (!scope || !isJsonObject(expression ?? null) || (expression as JsonObject).class !== 'COLUMN_REF') {
    return undefined;
  }
  const resolved = resolveColumn(expression as JsonObject, index);
  if (resolved.kind !== 'item' || resolved.scope !== scope || !resolved.item.pushable) return undefined;
  const unit = units.get(resolved.item.ref);
  return unit ? { unit, column: resolved.column } : undefined;
}

/**
 * `x IN (SELECT y FROM inner …)` and `EXISTS (SELECT … WHERE inner.y =
 * x)` as conjuncts of a WHERE keep only rows whose x some inner row holds,
 * so x's table may ship only the inner table's keys (TPC-H Q18, Q20). The
 * inner table's loaded rows are a superset of those the subquery reads,
 * so its keys are too.
 */
function semiJoinLinks(index: ScopeIndex, units: Map<JsonObject, Unit>): void {
  for (const scope of index.scopes.values()) {
    const where = objectField(scope.select, 'where_clause');
    if (!where) continue;
    for (const conjunct of conjuncts(where)) {
      if (conjunct.class !== 'SUBQUERY') continue;
      const statement = objectField(conjunct, 'subquery');
      const node = statement ? objectField(statement, 'node') : undefined;
      const inner = node ? index.scopes.get(node) : undefined;
      if (!node || !inner) continue;
      const pairs: [Json | undefined, Json | undefined][] = [];
      if (conjunct.subquery_type === 'ANY' && conjunct.comparison_type === 'COMPARE_EQUAL') {
        const selected = arrayField(node, 'select_list');
        if (selected.length === 1) pairs.push([conjunct.child, selected[0]]);
      } else if (conjunct.subquery_type === 'EXISTS') {
        const condition = objectField(node, 'where_clause');
        for (const part of condition ? conjuncts(condition) : []) {
          if (part.class !== 'COMPARISON' || part.type !== 'COMPARE_EQUAL') continue;
          pairs.push([part.left, part.right], [part.right, part.left]);
        }
      }
      for (const [outerSide, innerSide] of pairs) {
        const outer = unitIn(outerSide, scope, index, units);
        const reducer = unitIn(innerSide, inner, index, units);
        if (outer && reducer && outer.unit !== reducer.unit) {
          outer.unit.links.push([outer.column, reducer.unit, reducer.column]);
        }
      }
    }
  }
}

/**
 * Conjuncts written in every branch of a disjunction, which hold wherever
 * it does: `(p.k = l.k AND …) OR (p.k = l.k AND …)` joins p and l as surely
 * as a top-level `p.k = l.k` (TPC-H Q19).
 */
function commonToBranches(expression: JsonObject): JsonObject[] {
  if (expression.class !== 'CONJUNCTION' || expression.type !== 'CONJUNCTION_OR') return [];
  const [first, ...rest] = arrayField(expression, 'children')
    .filter(isJsonObject)
    .map((branch) => conjuncts(branch));
  if (!first || rest.length === 0) return [];
  return first.filter((candidate) =>
    rest.every((branch) => branch.some((other) => sameTree(candidate, other))),
  );
}

/**
 * `(A1 AND B1) OR (A2 AND B2)`, where A1 and A2 read only table T, implies
 * `A1 OR A2` on T: every row of T the query can keep satisfies it. Pushed
 * down, it lets an edge drop rows a disjunction across tables (TPC-H Q7,
 * Q19) would otherwise make it ship.
 */
function impliedByDisjunction(
  expression: JsonObject,
  items: readonly { ref: JsonObject; pushable: boolean }[],
  units: Map<JsonObject, Unit>,
  templates: { and: Json; or: Json },
): Map<Unit, Json> {
  const implied = new Map<Unit, Json>();
  if (expression.class !== 'CONJUNCTION' || expression.type !== 'CONJUNCTION_OR') return implied;
  const branches = arrayField(expression, 'children').filter(isJsonObject);
  const perBranch = branches.map((branch) => {
    const parts = new Map<Unit, JsonObject[]>();
    for (const part of conjuncts(branch)) {
      const unit = soleUnit(part, items, units);
      if (unit) parts.set(unit, [...(parts.get(unit) ?? []), part]);
    }
    return parts;
  });
  const first = perBranch[0];
  if (!first || branches.length < 2) return implied;
  for (const unit of first.keys()) {
    if (!perBranch.every((parts) => parts.has(unit))) continue;
    const children = perBranch.map((parts) => {
      const own = parts.get(unit) as JsonObject[];
      return own.length === 1 ? (own[0] as Json) : { ...(templates.and as JsonObject), children: own };
    });
    implied.set(unit, structuredClone({ ...(templates.or as JsonObject), children }));
  }
  return implied;
}

/**
 * The columns the query reads of each table, by name: every column name
 * written anywhere outside the projections (a superset, which is safe),
 * USING columns, a table referenced as a whole row, and all columns where
 * a `*` could expand to the table (but not `EXISTS (SELECT * …)`, which
 * reads no column). NATURAL joins take every column of their tables.
 */
function neededColumns(root: Json, units: Map<JsonObject, Unit>): Map<Unit, Set<string> | 'all'> {
  const names = new Set<string>();
  const everything = new Set<Unit>();
  const settled = new Set<JsonObject>();
  const unitsUnder = (ref: Json): Unit[] => {
    const found: Unit[] = [];
    walkJson(ref, (object) => {
      const unit = units.get(object);
      if (unit) found.push(unit);
    });
    return found;
  };
  const starsIn = (value: Json): JsonObject[] => {
    const stars: JsonObject[] = [];
    walkJson(value, (object) => {
      if (object.class === 'STAR') stars.push(object);
    });
    return stars;
  };
  const aliases = new Map([...units.values()].map((unit) => [unit.alias.toLowerCase(), unit]));
  const visit = (value: Json): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isJsonObject(value) || units.has(value)) return;
    if (value.class === 'SUBQUERY' && value.subquery_type === 'EXISTS') {
      const subquery = objectField(value, 'subquery');
      const node = subquery ? objectField(subquery, 'node') : undefined;
      for (const item of node ? arrayField(node, 'select_list') : []) {
        if (isJsonObject(item) && item.class === 'STAR') settled.add(item);
      }
    }
    if (!Object.hasOwn(value, 'class') && value.type === 'SELECT_NODE') {
      const stars = starsIn(value.select_list ?? null).filter((star) => !settled.has(star));
      if (stars.length > 0) for (const unit of unitsUnder(value.from_table ?? null)) everything.add(unit);
      for (const star of stars) settled.add(star);
    }
    if (!Object.hasOwn(value, 'class') && value.type === 'JOIN') {
      for (const name of arrayField(value, 'using_columns'))
        if (typeof name === 'string') names.add(name.toLowerCase());
      if (value.ref_type === 'NATURAL') for (const unit of unitsUnder(value)) everything.add(unit);
    }
    if (value.class === 'STAR' && !settled.has(value))
      for (const unit of units.values()) everything.add(unit);
    if (value.class === 'COLUMN_REF') {
      const written = arrayField(value, 'column_names').filter((n): n is string => typeof n === 'string');
      for (const name of written) names.add(name.toLowerCase());
      const whole = written.length === 1 ? aliases.get((written[0] as string).toLowerCase()) : undefined;
      if (whole) everything.add(whole);
    }
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) visit(child);
  };
  visit(root);
  return new Map([...units.values()].map((unit) => [unit, everything.has(unit) ? 'all' : names]));
}

/** The one pushable unit every column of `conjunct` belongs to, if there is one. */
function soleUnit(
  conjunct: JsonObject,
  items: readonly { ref: JsonObject; pushable: boolean }[],
  units: Map<JsonObject, Unit>,
): Unit | undefined {
  let found: Unit | undefined;
  let refused = false;
  let columns = 0;
  const allKnown = items.every((item) => units.has(item.ref));
  walkJson(conjunct, (object) => {
    if (refused) return;
    const cls = stringField(object, 'class');
    if (REFUSED_CLASSES.has(cls)) {
      refused = true;
      return;
    }
    if (cls === 'FUNCTION' && VOLATILE_FUNCTIONS.has(stringField(object, 'function_name').toLowerCase())) {
      refused = true;
      return;
    }
    if (cls !== 'COLUMN_REF') return;
    columns++;
    const names = arrayField(object, 'column_names').map((n) => (typeof n === 'string' ? n : ''));
    let unit: Unit | undefined;
    if (names.length === 2) {
      const matches = items.filter((item) => sameName(aliasOf(item.ref, units), names[0]!));
      const candidate = matches.length === 1 ? units.get(matches[0]!.ref) : undefined;
      if (candidate?.columns.some((c) => sameName(c, names[1]!))) unit = candidate;
    } else if (names.length === 1 && allKnown) {
      const owners = items.filter((item) => units.get(item.ref)?.columns.some((c) => sameName(c, names[0]!)));
      if (owners.length === 1) unit = units.get(owners[0]!.ref);
    }
    const item = unit ? items.find((i) => i.ref === unit.ref) : undefined;
    if (!unit || !item?.pushable || (found && found !== unit)) {
      refused = true;
      return;
    }
    found = unit;
  });
  if (refused || columns === 0 || !found) return undefined;
  const ref = found.ref;
  if (ref.sample !== null && ref.sample !== undefined) return undefined;
  if (arrayField(ref, 'column_name_alias').length > 0) return undefined;
  return found;
}

function aliasOf(ref: JsonObject, units: Map<JsonObject, Unit>): string {
  return units.get(ref)?.alias ?? stringField(ref, 'alias');
}

interface FragmentTemplates {
  distinct: Json[];
  and: Json;
  column: Json;
  node: Json;
  cross: Json;
}

const hasSubquery = (value: Json): boolean => {
  let found = false;
  walkJson(value, (object) => {
    if (object.class === 'SUBQUERY') found = true;
  });
  return found;
};

/**
 * A group's fragment: its members under their own aliases, joined by the
 * conditions moved into the group, shipping the columns the coordinator
 * reads as `"<alias>.<column>"`.
 */
async function buildGroupFragment(
  codec: SqlCodec,
  group: Group,
  input: SplitInput,
  templates: FragmentTemplates,
): Promise<Fragment> {
  const first = group.members[0] as Unit;
  const outputs = [...group.outputs];
  const partials = [...(group.partials ?? [])];
  if (outputs.length === 0 && group.computed.size === 0 && partials.length === 0) {
    const column = first.columns[0] as string;
    outputs.push([groupColumn(first, column), { member: first, column }]);
  }
  const conditions = [...group.members.flatMap((member) => member.filters), ...group.conjuncts];
  const columnRef = ({ member, column }: { member: Unit; column: string }, alias: string): JsonObject => ({
    ...(templates.column as JsonObject),
    column_names: [member.alias, column],
    alias,
  });
  const node: JsonObject = {
    ...(structuredClone(templates.node) as JsonObject),
    select_list: [
      ...outputs.map(([name, output]) => columnRef(output, name)),
      ...group.computed.values(),
      ...partials.map(([name, aggregate]) => ({ ...(aggregate as JsonObject), alias: name })),
    ],
    from_table: group.members
      .map((member): Json => ({ ...member.ref, alias: member.alias }))
      .reduce((left, right) => ({ ...(structuredClone(templates.cross) as JsonObject), left, right })),
    where_clause: conjunction(conditions, templates.and),
    ...(group.partials ? groupedBy(outputs.map(([, output]) => columnRef(output, ''))) : {}),
  };
  const { tree: numbered, values: params } = renumber(node, input.params);
  const sql = await codec.print({ error: false, statements: [{ node: numbered, named_param_map: [] }] });
  return {
    localTable: '',
    table: first.table,
    sql,
    params,
    columns: [...outputs.map(([name]) => name), ...group.computed.keys(), ...partials.map(([name]) => name)],
    pushedFilters: conditions.length,
    links: [],
    tree: numbered as JsonObject,
    qualifier: first.alias,
  };
}

/** `GROUP BY <keys>` as one grouping set, for a fragment aggregated at its edge. */
const groupedBy = (keys: JsonObject[]): JsonObject => ({
  group_expressions: keys,
  group_sets: [keys.map((_, i) => i)],
});

/** Whether a fragment aggregates at its edge (partial aggregation, or a whole subquery). */
export const aggregatesAtEdge = (fragment: Fragment): boolean =>
  arrayField(fragment.tree, 'group_expressions').length > 0;

async function buildFragment(
  codec: SqlCodec,
  unit: Unit,
  needed: ReadonlySet<string> | 'all' | undefined,
  input: SplitInput,
  templates: FragmentTemplates,
  distinct = false,
): Promise<Fragment> {
  const read = new Set(
    input.columns.filter((c) => sameTable(c.table, unit.table)).map((c) => c.column.toLowerCase()),
  );
  // Positional column aliases need every column, in order.
  const renamed = arrayField(unit.ref, 'column_name_alias').length > 0;
  let columns =
    renamed || needed === 'all'
      ? unit.columns
      : unit.columns.filter((c) => read.has(c.toLowerCase()) && needed?.has(c.toLowerCase()));
  if (columns.length === 0) columns = unit.columns.slice(0, 1);
  // Aggregated at the edge, it ships exactly its keys: any other column would split its groups.
  if (unit.partials) columns = unit.partials.keys;
  // Every fragment of one table is written under the table's own name, so
  // two references to it (`lineitem l1`, `lineitem l3`) that need the same
  // rows and columns become one fragment. One whose filters hold subqueries
  // keeps its alias, which names in those subqueries may use.
  const alias = unit.filters.some(hasSubquery) ? unit.alias : unit.table.table;
  const underAlias = (expression: Json) =>
    mapTree(expression, (object) => {
      if (object.class !== 'COLUMN_REF') return undefined;
      const names = arrayField(object, 'column_names');
      if (names.length !== 2 || typeof names[0] !== 'string' || !sameName(names[0], unit.alias))
        return undefined;
      return { ...object, column_names: [alias, names[1] as Json] };
    });
  const filters = unit.filters.map(underAlias);
  const computed = [...(unit.computed ?? []), ...(unit.partials?.aggregates ?? [])];
  const columnRef = (column: string): JsonObject => ({
    ...(templates.column as JsonObject),
    column_names: [alias, column],
    alias: column,
  });
  const node: JsonObject = {
    ...(structuredClone(templates.node) as JsonObject),
    ...(distinct ? { modifiers: structuredClone(templates.distinct) } : {}),
    select_list: [
      ...columns.map(columnRef),
      ...computed.map(([name, expression]) => ({ ...(underAlias(expression) as JsonObject), alias: name })),
    ],
    from_table: {
      ...unit.ref,
      alias,
      sample: null,
      column_name_alias: [],
    },
    where_clause: conjunction(filters, templates.and),
    ...(unit.partials ? groupedBy(columns.map((column) => ({ ...columnRef(column), alias: '' }))) : {}),
  };
  // Placeholders: the fragment's own, numbered from 1 in order of appearance.
  const { tree: numbered, values: params } = renumber(node, input.params);
  const sql = await codec.print({ error: false, statements: [{ node: numbered, named_param_map: [] }] });
  return {
    localTable: '',
    table: unit.table,
    sql,
    params,
    columns: [...columns, ...computed.map(([name]) => name)],
    pushedFilters: unit.filters.length,
    links: [],
    tree: numbered as JsonObject,
    qualifier: alias,
  };
}

/** Fail closed: the local query reads only fragment tables and CTEs, and only the caller's placeholders. */
function checkLocal(node: Json, locals: ReadonlySet<string>, callerParams: number): void {
  mapTableRefs(node, (ref, ctes) => {
    if (stringField(ref, 'type') !== 'BASE_TABLE') return undefined;
    const target = baseTableTarget(ref, ctes);
    if (target.kind === 'cte') return ref;
    if (
      stringField(ref, 'catalog_name') === 'memory' &&
      stringField(ref, 'schema_name') === 'main' &&
      locals.has(stringField(ref, 'table_name'))
    ) {
      return ref;
    }
    throw internal('a table reference escaped the split');
  });
  walkJson(node, (object) => {
    if (object.class === 'PARAMETER' && !(Number(stringField(object, 'identifier')) <= callerParams)) {
      throw internal('the coordinator query holds a policy placeholder');
    }
  });
}

/**
 * The fragment with `TRY_CAST(<column> AS BIGINT) IN (<keys>)` added for each
 * key filter, the keys bound as one JSON array parameter each (never as SQL
 * text). Only integer keys are filtered, so the cast cannot drop a row whose
 * key the join would match. The filter wraps the table it applies to,
 * `(SELECT * FROM (<projection>) AS t WHERE <keys>) AS t`, so the edge's
 * DuckDB applies it before the fragment's joins and subqueries rather than
 * after them (TPC-H Q21 at SF 1: 2.6 s → 0.5 s at the edge).
 */
export async function withKeyFilters(
  codec: SqlCodec,
  fragment: Fragment,
  filters: readonly { qualifier: string; column: string; keysJson: string }[],
): Promise<{ sql: string; params: SqlValue[] }> {
  if (filters.length === 0) return { sql: fragment.sql, params: fragment.params };
  const condition = await template(
    codec,
    'SELECT 1 WHERE TRY_CAST("t"."c" AS BIGINT) IN (SELECT unnest(CAST(CAST($1 AS JSON) AS BIGINT[])))',
    (node) => objectField(node, 'where_clause'),
  );
  const and = await template(codec, 'SELECT 1 WHERE true AND true', (node) =>
    objectField(node, 'where_clause'),
  );
  const wrapper = (await template(codec, 'SELECT * FROM (SELECT * FROM t) AS t', (node) =>
    objectField(node, 'from_table'),
  )) as JsonObject;
  const params: SqlValue[] = [...fragment.params];
  const byTable = new Map<string, Json[]>();
  for (const { qualifier, column, keysJson } of filters) {
    params.push(keysJson);
    const id = String(params.length);
    const added = mapTree(structuredClone(condition), (object) => {
      if (object.class === 'COLUMN_REF') return { ...object, column_names: [qualifier, column] };
      if (object.class === 'PARAMETER') return { ...object, identifier: id };
      return undefined;
    });
    const key = qualifier.toLowerCase();
    byTable.set(key, [...(byTable.get(key) ?? []), added]);
  }
  const wrap = (ref: Json): Json => {
    if (!isJsonObject(ref)) return ref;
    if (ref.type === 'JOIN') return { ...ref, left: wrap(ref.left ?? null), right: wrap(ref.right ?? null) };
    const alias = stringField(ref, 'alias');
    const conditions = byTable.get(alias.toLowerCase());
    if (!conditions) return ref;
    byTable.delete(alias.toLowerCase());
    const inner = objectField(objectField(wrapper, 'subquery') as JsonObject, 'node') as JsonObject;
    return {
      ...wrapper,
      alias,
      subquery: {
        node: {
          ...inner,
          from_table: ref,
          where_clause:
            conditions.length === 1
              ? (conditions[0] as Json)
              : { ...(and as JsonObject), children: conditions },
        },
        named_param_map: [],
      },
    };
  };
  const node: JsonObject = { ...fragment.tree, from_table: wrap(fragment.tree.from_table ?? null) };
  if (byTable.size > 0) throw internal('a key filter names no table of its fragment');
  const sql = await codec.print({ error: false, statements: [{ node, named_param_map: [] }] });
  return { sql, params };
}

/** Whether a fragment's WHERE holds subqueries (a correlated aggregate, `EXISTS`). */
export function hasSubqueryConditions(fragment: Fragment): boolean {
  const where = objectField(fragment.tree, 'where_clause');
  return where !== undefined && hasSubquery(where);
}

/**
 * Counts past which a fragment is simply large: counting stops there, so
 * sizing a fragment never costs a full join or scan.
 */
export const COUNT_CAP = 1_000_000;

/**
 * `SELECT count(*) FROM (<fragment> LIMIT cap)`: how many rows the fragment
 * would ship, up to COUNT_CAP + 1, and at most as many as it really would:
 * conjuncts holding subqueries (a correlated aggregate, `EXISTS`) are left
 * out, as they can cost as much as the fragment itself and only remove rows.
 */
export async function countingQuery(
  codec: SqlCodec,
  fragment: Fragment,
): Promise<{ sql: string; params: SqlValue[] }> {
  const wrapper = await template(codec, 'SELECT count(*) AS n FROM (SELECT 1) AS rows_of', (node) => node);
  const limit = arrayField(
    (await template(codec, `SELECT 1 LIMIT ${COUNT_CAP + 1}`, (node) => node)) as JsonObject,
    'modifiers',
  );
  const and = await template(codec, 'SELECT 1 WHERE true AND true', (node) =>
    objectField(node, 'where_clause'),
  );
  const where = objectField(fragment.tree, 'where_clause');
  const kept = (where ? conjuncts(where) : []).filter((conjunct) => !hasSubquery(conjunct));
  // A fragment aggregated at its edge is counted before it aggregates:
  // still an upper bound, found without aggregating everything, and for a
  // group, how many rows its join makes (see checkGroups in federate.ts).
  const grouping = arrayField(fragment.tree, 'group_expressions');
  const counted = {
    ...fragment.tree,
    ...(grouping.length > 0
      ? { select_list: grouping, group_expressions: [], group_sets: [], having: null }
      : {}),
    where_clause: conjunction(kept, and),
    // DISTINCT only makes a count cost more; without it the count is still an upper bound.
    modifiers: [
      ...arrayField(fragment.tree, 'modifiers').filter(
        (modifier) => !isJsonObject(modifier) || modifier.type !== 'DISTINCT_MODIFIER',
      ),
      ...limit,
    ],
  };
  return overSubquery(codec, wrapper as JsonObject, counted, fragment.params);
}

/** `SELECT * FROM (<fragment>) LIMIT rows`: the fragment's first `rows` rows, computed no further. */
export async function limitedQuery(
  codec: SqlCodec,
  fragment: Fragment,
  rows: number,
): Promise<{ sql: string; params: SqlValue[] }> {
  const wrapper = (await template(
    codec,
    `SELECT * FROM (SELECT 1) AS rows_of LIMIT ${Math.trunc(rows)}`,
    (node) => node,
  )) as JsonObject;
  return overSubquery(codec, wrapper, fragment.tree, fragment.params);
}

/** `wrapper` (a template reading `(SELECT 1) AS rows_of`) reading `node` instead, printed with its values. */
async function overSubquery(
  codec: SqlCodec,
  wrapper: JsonObject,
  node: JsonObject,
  params: readonly SqlValue[],
): Promise<{ sql: string; params: SqlValue[] }> {
  const from = objectField(wrapper, 'from_table') as JsonObject;
  const { tree, values } = renumber(
    { ...wrapper, from_table: { ...from, subquery: { node, named_param_map: [] } } },
    params,
  );
  const sql = await codec.print({
    error: false,
    statements: [{ node: tree as JsonObject, named_param_map: [] }],
  });
  return { sql, params: values };
}

/**
 * A subtree's fragment: its query as written (already governed), and in its
 * place a query reading the local table its rows are loaded into.
 */
async function runWhole(
  codec: SqlCodec,
  subtree: Subtree,
  input: SplitInput,
  localTable: string,
): Promise<Fragment> {
  const { tree: numbered, values: params } = renumber(subtree.node, input.params);
  const sql = await codec.print({ error: false, statements: [{ node: numbered, named_param_map: [] }] });
  const reader = (await template(codec, 'SELECT "c" FROM memory.main.t', (node) => node)) as JsonObject;
  const column = arrayField(reader, 'select_list')[0] as JsonObject;
  const from = objectField(reader, 'from_table') as JsonObject;
  const replacement: JsonObject = {
    ...reader,
    select_list: subtree.columns.map((name) => ({ ...column, column_names: [name] })),
    from_table: { ...from, table_name: localTable },
  };
  subtree.holder[subtree.key] = { node: replacement, named_param_map: [] };
  const first = subtree.units[0] as Unit;
  return {
    localTable,
    table: first.table,
    sql,
    params,
    columns: subtree.columns,
    pushedFilters: 0,
    links: [],
    tree: numbered as JsonObject,
    qualifier: '',
  };
}

/** Numbers the placeholders of `tree` 1, 2, … in order of first appearance, with their values. */
function renumber(tree: Json, values: readonly SqlValue[]): { tree: Json; values: SqlValue[] } {
  const order = new Map<string, number>();
  const picked: SqlValue[] = [];
  const numbered = mapTree(tree, (object) => {
    if (object.class !== 'PARAMETER') return undefined;
    const id = stringField(object, 'identifier');
    let next = order.get(id);
    if (next === undefined) {
      const index = Number(id) - 1;
      if (!Number.isInteger(index) || index < 0 || index >= values.length) {
        throw internal(`placeholder $${id} has no value`);
      }
      next = order.size + 1;
      order.set(id, next);
      picked.push(values[index] as SqlValue);
    }
    return { ...object, identifier: String(next) };
  });
  return { tree: numbered, values: picked };
}
