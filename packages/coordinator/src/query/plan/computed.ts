// Expressions computed where their table lives. An expression reading the
// columns of one table only (`l_extendedprice * (1 - l_discount)`,
// `p_type LIKE 'PROMO%'`, TPC-H Q14) becomes a column of that table's
// fragment, so one value travels instead of the columns it reads. In a
// grouping or aggregating SELECT only aggregate arguments are moved: an
// expression over a GROUP BY key must stay as written to match it.

import type { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  stringField,
  walkJson,
} from '../analyze/json.js';
import { soleOwner } from './conditions.js';
import { keepOutputNames } from './groups.js';
import { resolveColumn, type ScopeIndex } from './scopes.js';
import { hasAggregate, isAggregateCall } from './subtrees.js';
import type { Unit } from './unit.js';

interface Move {
  holder: Json[] | JsonObject;
  key: number | string;
  unit: Unit;
  expression: JsonObject;
}

/**
 * Moves such expressions into `unit.computed` (name → expression) and
 * puts `<alias>."computed.<n>"` in their place. `eligible` says which
 * units may take them (single-table fragments that are read plainly).
 */
export async function computeInFragments(
  index: ScopeIndex,
  units: ReadonlyMap<JsonObject, Unit>,
  eligible: (unit: Unit) => boolean,
  codec: SqlCodec,
  selectTemplate: Json,
): Promise<void> {
  for (const scope of index.scopes.values()) {
    const select = scope.select;
    const aggregating =
      arrayField(select, 'group_expressions').length > 0 ||
      hasAggregate(select.select_list ?? null) ||
      hasAggregate(select.having ?? null);
    const moves: Move[] = [];
    // A bare column or constant gains nothing from moving.
    const ownerOf = (expression: JsonObject): Unit | undefined =>
      expression.class === 'COLUMN_REF' || expression.class === 'CONSTANT'
        ? undefined
        : soleOwner(expression, (column) => {
            const resolved = resolveColumn(column, index);
            const unit =
              resolved.kind === 'item' && resolved.scope === scope && resolved.item.pushable
                ? units.get(resolved.item.ref)
                : undefined;
            return unit && eligible(unit) ? unit : undefined;
          });
    const visit = (holder: Json[] | JsonObject, key: number | string): void => {
      const value = (holder as Record<string | number, Json>)[key];
      if (!isJsonObject(value ?? null)) return;
      const expression = value as JsonObject;
      const cls = stringField(expression, 'class');
      if (cls === 'SUBQUERY' || cls === 'WINDOW') return;
      // Parts of an expression that are not expressions themselves (a CASE's
      // WHEN/THEN pairs) are looked into.
      const owner = cls === '' ? undefined : ownerOf(expression);
      if (owner) {
        moves.push({ holder, key, unit: owner, expression });
        return;
      }
      for (const [childKey, child] of Object.entries(expression)) {
        if (Array.isArray(child)) for (let i = 0; i < child.length; i++) visit(child, i);
        else if (isJsonObject(child)) visit(expression, childKey);
      }
    };
    const aggregateArguments = (value: Json): void => {
      walkJson(value, (object) => {
        if (!isAggregateCall(object)) return;
        const args = arrayField(object, 'children');
        for (let i = 0; i < args.length; i++) visit(args, i);
      });
    };
    if (aggregating) {
      aggregateArguments(select.select_list ?? null);
      aggregateArguments(select.having ?? null);
    } else {
      const items = arrayField(select, 'select_list');
      for (let i = 0; i < items.length; i++) visit(items, i);
    }
    if (moves.length === 0) continue;
    await keepOutputNames(select, codec, selectTemplate);
    for (const move of moves) apply(move);
  }
}

/** An expression's shape, without positions or name, to compute each one once. */
const shapeOf = (expression: Json): string =>
  JSON.stringify(expression, (key, value) =>
    key === 'query_location' || key === 'alias' ? undefined : value,
  );

function apply({ holder, key, unit, expression }: Move): void {
  const computed = unit.computed ?? new Map<string, Json>();
  unit.computed = computed;
  const shape = shapeOf(expression);
  let name = [...computed].find(([, known]) => shapeOf(known) === shape)?.[0];
  if (!name) {
    name = `computed.${computed.size + 1}`;
    computed.set(name, { ...structuredClone(expression), alias: '' });
  }
  (holder as Record<string | number, Json>)[key] = {
    class: 'COLUMN_REF',
    type: 'COLUMN_REF',
    alias: stringField(expression, 'alias'),
    query_location: expression.query_location ?? null,
    column_names: [unit.alias, name],
  };
}
