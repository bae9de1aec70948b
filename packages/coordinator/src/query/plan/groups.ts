// Same-source join groups. Tables of one SELECT that live on the same
// source and are joined by equality are sent to their edge together, as
// one fragment that joins them there (with the conditions that read only
// them, subqueries on that source included), instead of one fragment per
// table joined at the coordinator: lineitem ⋈ orders filtered by a
// subquery on lineitem (TPC-H Q18, Q21) ships the few matching rows, not
// both tables.
//
// A group replaces its members in the coordinator's query by one local
// table whose columns are named `<alias>.<column>`; every reference to a
// member's column is rewritten to it, and select items keep the names they
// had. Only SELECTs whose FROM is plain inner and cross joins, with every
// column reference resolvable and no `*`, are grouped; anything else keeps
// one fragment per table.

import { sameName } from '../../policy/names.js';
import type { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  objectField,
  stringField,
  walkJson,
} from '../analyze/json.js';
import { conjunction, conjuncts, soleOwner, VOLATILE_FUNCTIONS } from './conditions.js';
import type { Partials } from './partial.js';
import { resolveColumn, type Scope, type ScopeIndex, within } from './scopes.js';
import { hasAggregate } from './subtrees.js';
import type { Unit } from './unit.js';

export interface Group {
  scope: Scope;
  source: string;
  members: Unit[];
  /** Conditions moved into the group's fragment: joins among members, and conjuncts reading only them. */
  conjuncts: Json[];
  /** Member columns the coordinator reads, by output name. */
  outputs: Map<string, { member: Unit; column: string }>;
  /** Select-list expressions over members only, computed at the edge, by output name. */
  computed: Map<string, Json>;
  /** Aggregated at its edge, grouped by its outputs (see partial.ts). */
  partials?: Partials;
}

/** The name a member's column has in the group's local table. */
export const groupColumn = (member: Unit, column: string): string =>
  `${member.alias.toLowerCase()}.${column.toLowerCase()}`;

/** True when a FROM is only tables under plain inner and cross joins (no USING, NATURAL or outer joins). */
function plainInnerFrom(ref: Json): boolean {
  if (!isJsonObject(ref)) return ref === null;
  if (ref.type !== 'JOIN') return true;
  const kind = stringField(ref, 'ref_type');
  if (ref.join_type !== 'INNER' || (kind !== 'REGULAR' && kind !== 'CROSS')) return false;
  if (arrayField(ref, 'using_columns').length > 0) return false;
  return plainInnerFrom(ref.left ?? null) && plainInnerFrom(ref.right ?? null);
}

/** The ON conditions of a plain inner FROM. */
function onConditions(ref: Json): JsonObject[] {
  if (!isJsonObject(ref) || ref.type !== 'JOIN') return [];
  const own = isJsonObject(ref.condition ?? null) ? [ref.condition as JsonObject] : [];
  return [...own, ...onConditions(ref.left ?? null), ...onConditions(ref.right ?? null)];
}

/** Whether a `*` (or COLUMNS) is written in the SELECT itself, outside its subqueries. */
function hasStar(value: Json, top = true): boolean {
  if (Array.isArray(value)) return value.some((item) => hasStar(item, top));
  if (!isJsonObject(value)) return false;
  if (!top && !Object.hasOwn(value, 'class') && value.type === 'SELECT_NODE') return false;
  if (value.class === 'STAR') return true;
  return Object.entries(value).some(
    ([key, child]) => key !== 'from_table' && typeof child === 'object' && hasStar(child, false),
  );
}

/**
 * The multi-table groups of every SELECT that may be grouped: connected
 * components, by equality conditions, of its units on one source.
 */
export function formGroups(index: ScopeIndex, units: ReadonlyMap<JsonObject, Unit>): Group[] {
  const groups: Group[] = [];
  for (const scope of index.scopes.values()) {
    const select = scope.select;
    if (!plainInnerFrom(select.from_table ?? null) || hasStar(select)) continue;
    const members = scope.items.flatMap((item) => {
      const unit = units.get(item.ref);
      const plain =
        (item.ref.sample ?? null) === null && arrayField(item.ref, 'column_name_alias').length === 0;
      return unit && item.pushable && plain ? [unit] : [];
    });
    if (members.length < 2) continue;
    if (!referencesResolve(scope, index)) continue;
    const parent = new Map<Unit, Unit>(members.map((unit) => [unit, unit]));
    const find = (unit: Unit): Unit => {
      let root = unit;
      while (parent.get(root) !== root) root = parent.get(root) as Unit;
      return root;
    };
    const where = objectField(select, 'where_clause');
    const conditions = [...(where ? [where] : []), ...onConditions(select.from_table ?? null)];
    for (const conjunct of conditions.flatMap(conjuncts)) {
      if (conjunct.class !== 'COMPARISON' || conjunct.type !== 'COMPARE_EQUAL') continue;
      const [a, b] = [conjunct.left, conjunct.right].map((side) => memberOf(side, scope, index, units));
      if (!a || !b || a === b || !sameName(a.table.source, b.table.source)) continue;
      parent.set(find(a), find(b));
    }
    const components = new Map<Unit, Unit[]>();
    for (const unit of members) components.set(find(unit), [...(components.get(find(unit)) ?? []), unit]);
    for (const component of components.values()) {
      if (component.length < 2) continue;
      const aliases = new Set(component.map((unit) => unit.alias.toLowerCase()));
      if (aliases.size !== component.length) continue;
      const group: Group = {
        scope,
        source: (component[0] as Unit).table.source,
        members: component,
        conjuncts: [],
        outputs: new Map(),
        computed: new Map(),
      };
      for (const unit of component) unit.group = group;
      groups.push(group);
    }
  }
  return groups;
}

function memberOf(
  side: Json | undefined,
  scope: Scope,
  index: ScopeIndex,
  units: ReadonlyMap<JsonObject, Unit>,
): Unit | undefined {
  if (!isJsonObject(side ?? null) || (side as JsonObject).class !== 'COLUMN_REF') return undefined;
  const resolved = resolveColumn(side as JsonObject, index);
  if (resolved.kind !== 'item' || resolved.scope !== scope || !resolved.item.pushable) return undefined;
  return units.get(resolved.item.ref);
}

/**
 * Every column reference that may bind in `scope` (written there or in a
 * subquery of it) resolves: the rewrite must find every reference to a
 * member (a whole-row reference to one does not resolve, and refuses).
 */
function referencesResolve(scope: Scope, index: ScopeIndex): boolean {
  for (const [ref, at] of index.scopeOf) {
    if (!within(at, scope)) continue;
    const resolved = resolveColumn(ref, index);
    if (resolved.kind === 'unknown') {
      // It may bind here, further out, or nowhere: it cannot be rewritten safely.
      return false;
    }
  }
  return true;
}

export interface Movable {
  /** Units of the SELECT the conjunct reads. */
  touched: Set<Unit>;
  /** Units read inside its subqueries, which travel with it. */
  inner: Unit[];
}

/**
 * Whether a conjunct of `scope` may run at an edge with the tables it
 * reads: every column binds to a unit of `scope` or inside the conjunct's
 * own subqueries, whose FROM items are all units (no CTE of the enclosing
 * query, no table function), and nothing in it is volatile. The caller
 * checks that all its units share one source.
 */
export function movable(
  conjunct: JsonObject,
  scope: Scope,
  index: ScopeIndex,
  units: ReadonlyMap<JsonObject, Unit>,
): Movable | undefined {
  const touched = new Set<Unit>();
  const inner: Unit[] = [];
  const internal = new Set<Scope>();
  let refused = false;
  const visit = (value: Json, nested: boolean): void => {
    if (refused) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, nested);
      return;
    }
    if (!isJsonObject(value)) return;
    const unit = units.get(value);
    if (unit) {
      inner.push(unit);
      return;
    }
    const cls = stringField(value, 'class');
    if (!Object.hasOwn(value, 'class') && value.type === 'SELECT_NODE') {
      const own = index.scopes.get(value);
      if (!own) {
        refused = true;
        return;
      }
      internal.add(own);
      for (const item of own.items) {
        if (!units.has(item.ref) && item.ref.type !== 'SUBQUERY') refused = true;
      }
      for (const child of Object.values(value)) visit(child, true);
      return;
    }
    if (cls === 'LAMBDA' || cls === 'LAMBDA_REF' || (!nested && (cls === 'WINDOW' || cls === 'STAR'))) {
      refused = true;
      return;
    }
    if (cls === 'FUNCTION' && VOLATILE_FUNCTIONS.has(stringField(value, 'function_name').toLowerCase())) {
      refused = true;
      return;
    }
    if (cls === 'COLUMN_REF') {
      const resolved = resolveColumn(value, index);
      if (resolved.kind === 'unknown') refused = true;
      else if (internal.has(resolved.scope)) return;
      else if (resolved.kind === 'alias' || resolved.scope !== scope) refused = true;
      else {
        const owner = units.get(resolved.item.ref);
        if (!owner || !resolved.item.pushable) refused = true;
        else touched.add(owner);
      }
      return;
    }
    for (const child of Object.values(value)) visit(child, nested);
  };
  visit(conjunct, false);
  return refused || touched.size === 0 ? undefined : { touched, inner };
}

/**
 * Replaces each group's members in its SELECT by one reference (the first
 * member's, which the caller maps to the group's local table), moves the
 * ON conditions left there into the WHERE, and rewrites every reference to
 * a member's column into `<group>."<alias>.<column>"`, keeping the names of
 * select items. Records the columns each group must ship.
 */
export async function rewriteGroups(
  root: Json,
  groups: readonly Group[],
  index: ScopeIndex,
  units: ReadonlyMap<JsonObject, Unit>,
  codec: SqlCodec,
  templates: { cross: Json; and: Json; select: Json },
  groupAlias: (group: Group) => string,
): Promise<void> {
  const byScope = new Map<Scope, Group[]>();
  for (const group of groups) byScope.set(group.scope, [...(byScope.get(group.scope) ?? []), group]);
  for (const [scope, own] of byScope) {
    const select = scope.select;
    await keepOutputNames(select, codec, templates.select);
    computeAtEdge(select, scope, index, units, groupAlias);
    const members = new Set(own.flatMap((group) => group.members));
    const leaves: JsonObject[] = [];
    const collect = (ref: Json): void => {
      if (!isJsonObject(ref)) return;
      if (ref.type === 'JOIN') {
        collect(ref.left ?? null);
        collect(ref.right ?? null);
      } else leaves.push(ref);
    };
    collect(select.from_table ?? null);
    const moved = onConditions(select.from_table ?? null).flatMap(conjuncts);
    const kept = leaves.filter((leaf) => {
      const unit = units.get(leaf);
      return !unit || !members.has(unit) || unit.group?.members[0] === unit;
    });
    select.from_table = kept.reduce((left, right) => ({
      ...(structuredClone(templates.cross) as JsonObject),
      left,
      right,
    }));
    const where = objectField(select, 'where_clause');
    const all = [...(where ? conjuncts(where) : []), ...moved];
    select.where_clause = conjunction(all, templates.and);
  }
  // References in conditions that moved to an edge are no longer in the query.
  const present = new Set<JsonObject>();
  walkJson(root, (object) => {
    if (object.class === 'COLUMN_REF') present.add(object);
  });
  for (const [ref, at] of index.scopeOf) {
    if (!present.has(ref)) continue;
    const resolved = resolveColumn(ref, index);
    if (resolved.kind !== 'item') continue;
    const member = units.get(resolved.item.ref);
    const group = member?.group;
    if (!member || !group || group.scope !== resolved.scope || !within(at, group.scope)) continue;
    const name = groupColumn(member, resolved.column);
    group.outputs.set(name, { member, column: resolved.column });
    ref.column_names = [groupAlias(group), name];
  }
}

/**
 * In a SELECT that neither groups nor aggregates, a select item reading
 * columns of one group only (`l_extendedprice * (1 - l_discount) -
 * ps_supplycost * l_quantity AS amount`, TPC-H Q9) is computed at the edge:
 * one column travels instead of the four it reads.
 */
function computeAtEdge(
  select: JsonObject,
  scope: Scope,
  index: ScopeIndex,
  units: ReadonlyMap<JsonObject, Unit>,
  groupAlias: (group: Group) => string,
): void {
  if (arrayField(select, 'group_expressions').length > 0 || hasAggregate(select.select_list ?? null)) return;
  const list = arrayField(select, 'select_list');
  list.forEach((item, position) => {
    if (!isJsonObject(item) || item.class === 'COLUMN_REF' || item.class === 'CONSTANT') return;
    const group = soleOwner(item, (column) => {
      const resolved = resolveColumn(column, index);
      return resolved.kind === 'item' && resolved.scope === scope
        ? units.get(resolved.item.ref)?.group
        : undefined;
    });
    if (!group) return;
    const name = `computed.${group.computed.size + 1}`;
    group.computed.set(name, { ...structuredClone(item), alias: name });
    list[position] = {
      class: 'COLUMN_REF',
      type: 'COLUMN_REF',
      alias: stringField(item, 'alias'),
      query_location: item.query_location ?? null,
      column_names: [groupAlias(group), name],
    };
  });
}

/**
 * Gives every unnamed select item the name DuckDB gives it, so that
 * rewriting the columns inside it does not rename the result.
 */
export async function keepOutputNames(
  select: JsonObject,
  codec: SqlCodec,
  selectTemplate: Json,
): Promise<void> {
  for (const item of arrayField(select, 'select_list')) {
    if (!isJsonObject(item) || stringField(item, 'alias') !== '') continue;
    if (item.class === 'COLUMN_REF') {
      const names = arrayField(item, 'column_names');
      const last = names[names.length - 1];
      if (typeof last === 'string') item.alias = last;
    } else {
      const printed = await codec.print({
        error: false,
        statements: [
          { node: { ...(selectTemplate as JsonObject), select_list: [item] }, named_param_map: [] },
        ],
      });
      item.alias = printed.replace(/^SELECT /, '');
    }
  }
}
