// Name scopes of a parse tree, enough to tell where a column reference
// binds without a catalog: each SELECT's FROM items with the columns they
// expose (when they can be known from the tree alone), and the enclosing
// scope a correlated reference reaches. DuckDB binds a name to the
// innermost scope that has it; where an item's columns cannot be known
// (a table function, a `*` in a derived table), the answer is "unknown",
// and planning treats an unknown reference as one it may not move.

import { sameName } from '../../policy/names.js';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  objectField,
  stringField,
} from '../analyze/json.js';

export interface FromItem {
  ref: JsonObject;
  alias: string;
  /** The columns it exposes, or undefined when they cannot be known from the tree. */
  columns: readonly string[] | undefined;
  /** False on the null-extended side of an outer join (or under anything but plain joins). */
  pushable: boolean;
}

export interface Scope {
  select: JsonObject;
  /** The scope a name not found here is looked up in. */
  parent: Scope | undefined;
  items: FromItem[];
  /** Names given in the select list (`expr AS name`), which later clauses may use. */
  selectAliases: ReadonlySet<string>;
}

export type Resolution =
  | { kind: 'item'; item: FromItem; scope: Scope; column: string }
  /** A select-list alias of that scope. */
  | { kind: 'alias'; scope: Scope }
  | { kind: 'unknown' };

export interface ScopeIndex {
  /** The scope of every SELECT node. */
  scopes: Map<JsonObject, Scope>;
  /** The innermost scope of every column reference. */
  scopeOf: Map<JsonObject, Scope>;
}

/**
 * Builds the scopes of `root`. `opaque(ref)` marks FROM items whose inside
 * is not walked (the governed projections), with the columns they expose.
 */
export function buildScopes(
  root: Json,
  opaque: (ref: JsonObject) => readonly string[] | undefined,
): ScopeIndex {
  const index: ScopeIndex = { scopes: new Map(), scopeOf: new Map() };
  const walk = (value: Json, scope: Scope | undefined, ctes: ReadonlyMap<string, JsonObject>): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, scope, ctes);
      return;
    }
    if (!isJsonObject(value)) return;
    let visible = ctes;
    const defined = cteDefinitions(value);
    if (defined.size > 0) visible = new Map([...ctes, ...defined]);
    if (value.class === 'COLUMN_REF') {
      if (scope) index.scopeOf.set(value, scope);
      return;
    }
    if (!Object.hasOwn(value, 'class') && value.type === 'SELECT_NODE') {
      const own: Scope = {
        select: value,
        parent: scope,
        items: [],
        selectAliases: new Set(
          arrayField(value, 'select_list').flatMap((item) =>
            isJsonObject(item) && stringField(item, 'alias') !== ''
              ? [stringField(item, 'alias').toLowerCase()]
              : [],
          ),
        ),
      };
      index.scopes.set(value, own);
      fromItems(value.from_table ?? null, true, own.items, opaque, visible);
      for (const [key, child] of Object.entries(value)) {
        if (key === 'from_table') walkFrom(child, own, visible);
        else walk(child, own, visible);
      }
      return;
    }
    for (const child of Object.values(value)) walk(child, scope, visible);
  };
  // FROM: join conditions bind in the SELECT's scope; a derived table's
  // query sees the enclosing scopes too (DuckDB joins laterally when it
  // refers to them), so the SELECT is its parent, which over-approximates.
  const walkFrom = (value: Json, scope: Scope, ctes: ReadonlyMap<string, JsonObject>): void => {
    if (!isJsonObject(value)) return;
    if (opaque(value) !== undefined) return;
    if (value.type === 'JOIN') {
      walkFrom(value.left ?? null, scope, ctes);
      walkFrom(value.right ?? null, scope, ctes);
      walk(value.condition ?? null, scope, ctes);
      return;
    }
    walk(value, scope, ctes);
  };
  walk(root, undefined, new Map());
  return index;
}

/** Where a column reference binds, looking outward from its scope. */
export function resolveColumn(ref: JsonObject, index: ScopeIndex): Resolution {
  const scope = index.scopeOf.get(ref);
  const names = arrayField(ref, 'column_names').map((name) => (typeof name === 'string' ? name : ''));
  if (!scope || names.length === 0 || names.length > 2 || names.some((name) => name === '')) {
    return { kind: 'unknown' };
  }
  for (let at: Scope | undefined = scope; at; at = at.parent) {
    if (names.length === 2) {
      const [qualifier, column] = names as [string, string];
      const matches = at.items.filter((item) => sameName(item.alias, qualifier));
      if (matches.length > 1) return { kind: 'unknown' };
      const [item] = matches;
      if (item) {
        if (item.columns && !item.columns.some((c) => sameName(c, column))) return { kind: 'unknown' };
        return { kind: 'item', item, scope: at, column };
      }
      continue;
    }
    const [column] = names as [string];
    if (at.items.some((item) => item.columns === undefined)) return { kind: 'unknown' };
    const owners = at.items.filter((item) => item.columns?.some((c) => sameName(c, column)));
    if (owners.length > 1) return { kind: 'unknown' };
    const [owner] = owners;
    if (owner) return { kind: 'item', item: owner, scope: at, column };
    if (at.selectAliases.has(column.toLowerCase())) return { kind: 'alias', scope: at };
  }
  return { kind: 'unknown' };
}

/** Whether `inner` is `outer` or nested in it. */
export function within(inner: Scope, outer: Scope): boolean {
  for (let at: Scope | undefined = inner; at; at = at.parent) if (at === outer) return true;
  return false;
}

function fromItems(
  ref: Json,
  pushable: boolean,
  out: FromItem[],
  opaque: (ref: JsonObject) => readonly string[] | undefined,
  ctes: ReadonlyMap<string, JsonObject>,
): void {
  if (!isJsonObject(ref)) return;
  if (stringField(ref, 'type') === 'JOIN') {
    const join = stringField(ref, 'join_type');
    const kind = stringField(ref, 'ref_type');
    const plain = kind === 'REGULAR' || kind === 'CROSS';
    fromItems(
      ref.left ?? null,
      pushable && plain && ['INNER', 'LEFT', 'SEMI', 'ANTI'].includes(join),
      out,
      opaque,
      ctes,
    );
    fromItems(
      ref.right ?? null,
      pushable && plain && (join === 'INNER' || join === 'RIGHT'),
      out,
      opaque,
      ctes,
    );
    return;
  }
  if (stringField(ref, 'type') === 'EMPTY') return;
  const columns = itemColumns(ref, opaque, ctes);
  const alias =
    stringField(ref, 'alias') || (ref.type === 'BASE_TABLE' ? stringField(ref, 'table_name') : '');
  out.push({ ref, alias, columns, pushable });
}

function itemColumns(
  ref: JsonObject,
  opaque: (ref: JsonObject) => readonly string[] | undefined,
  ctes: ReadonlyMap<string, JsonObject>,
): readonly string[] | undefined {
  const own = opaque(ref);
  const renamed = arrayField(ref, 'column_name_alias').filter(
    (name): name is string => typeof name === 'string',
  );
  let columns: readonly string[] | undefined;
  if (own) columns = own;
  else if (ref.type === 'SUBQUERY') columns = outputNames(objectField(ref, 'subquery'));
  else if (
    ref.type === 'BASE_TABLE' &&
    stringField(ref, 'schema_name') === '' &&
    stringField(ref, 'catalog_name') === ''
  ) {
    const cte = ctes.get(stringField(ref, 'table_name').toLowerCase());
    const named = cte ? outputNames(objectField(cte, 'query')) : undefined;
    const aliases = cte ? arrayField(cte, 'aliases') : [];
    columns = named?.map((column, i) => {
      const alias = aliases[i];
      return typeof alias === 'string' ? alias : column;
    });
  }
  if (renamed.length === 0) return columns;
  if (columns === undefined) return undefined;
  return columns.map((column, i) => renamed[i] ?? column);
}

/** The names a query's result columns get, when every one can be read off the tree. */
export function outputNames(statement: JsonObject | undefined): string[] | undefined {
  let node = statement ? objectField(statement, 'node') : undefined;
  while (node && node.type === 'SET_OPERATION_NODE') node = objectField(node, 'left');
  if (node?.type !== 'SELECT_NODE') return undefined;
  const names: string[] = [];
  for (const item of arrayField(node, 'select_list')) {
    if (!isJsonObject(item)) return undefined;
    const alias = stringField(item, 'alias');
    if (alias !== '') names.push(alias);
    else if (item.class === 'COLUMN_REF') {
      const written = arrayField(item, 'column_names');
      const last = written[written.length - 1];
      if (typeof last !== 'string') return undefined;
      names.push(last);
    } else return undefined;
  }
  return names;
}

/** The CTEs a node defines: name → its definition (`{ query, aliases }`). */
function cteDefinitions(object: JsonObject): Map<string, JsonObject> {
  const found = new Map<string, JsonObject>();
  const cteMap = objectField(object, 'cte_map');
  for (const entry of cteMap ? arrayField(cteMap, 'map') : []) {
    if (!isJsonObject(entry)) continue;
    const value = objectField(entry, 'value');
    if (value) found.set(stringField(entry, 'key').toLowerCase(), value);
  }
  return found;
}
