// DuckDB prints parse trees back to SQL (json_deserialize_sql) almost, but
// not quite, faithfully. Known differences, and what is done about them:
//
// - CROSS JOIN prints as a comma, which binds more loosely than JOIN, so
//   `(a CROSS JOIN b) JOIN c ON …` would come back as `a, (b JOIN c ON …)`.
//   Before printing, a cross join nested in another join becomes the
//   equivalent INNER JOIN … ON true (DuckDB still finds LATERAL references).
// - DOUBLE constants (`1e10`) print as `10000000000.0`, which parses back as
//   a DECIMAL; BOOLEAN constants (from `x IS TRUE`) print as `true`, which
//   parses back as CAST('t' AS BOOLEAN). Both become CAST('<text>' AS <type>)
//   before printing: the same value of the same type.
// - VALUES in FROM prints as `(VALUES …) AS x`, which parses back wrapped in
//   one more `SELECT *` subquery. Same rows, same columns; the comparison
//   accepts exactly that wrapping.
//
// Anything else that does not survive printing fails the rewrite's
// verification, and the query is refused rather than run changed.

import {
  isJsonObject,
  type Json,
  type JsonObject,
  objectField,
  stringField,
} from '../../query/analyze/json.js';
import { boxedNumberText } from './lossless-json.js';

/** DuckDB's own trees for `true` and for `CAST('0' AS DOUBLE)`. */
export interface PrintTemplates {
  trueCondition: Json;
  cast: JsonObject;
}

const RETYPED_CONSTANTS: ReadonlySet<string> = new Set(['DOUBLE', 'FLOAT', 'BOOLEAN']);

export function normalizeForPrinting(tree: Json, templates: PrintTemplates): Json {
  const visit = (value: Json, insideJoin: boolean): Json => {
    if (Array.isArray(value)) return value.map((item) => visit(item, false));
    if (!isJsonObject(value)) return value;
    const constant = retypedConstant(value, templates.cast);
    if (constant !== undefined) return constant;
    const isJoin = !Object.hasOwn(value, 'class') && value.type === 'JOIN';
    const copy: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      copy[key] = visit(child, isJoin && (key === 'left' || key === 'right'));
    }
    if (isJoin && insideJoin && value.ref_type === 'CROSS') {
      copy.ref_type = 'REGULAR';
      copy.condition = templates.trueCondition;
    }
    return copy;
  };
  return visit(tree, false);
}

/** CAST('<text>' AS <type>) for a DOUBLE, FLOAT or BOOLEAN constant; undefined for anything else. */
function retypedConstant(node: JsonObject, castTemplate: JsonObject): JsonObject | undefined {
  if (node.class !== 'CONSTANT') return undefined;
  const value = objectField(node, 'value');
  const type = value ? objectField(value, 'type') : undefined;
  const id = type ? stringField(type, 'id') : '';
  if (!value || !type || !RETYPED_CONSTANTS.has(id) || value.is_null !== false) return undefined;
  const text =
    id === 'BOOLEAN'
      ? value.value === true
        ? 't'
        : value.value === false
          ? 'f'
          : undefined
      : boxedNumberText(value.value);
  const child = objectField(castTemplate, 'child');
  const childValue = child ? objectField(child, 'value') : undefined;
  if (text === undefined || !child || !childValue) return undefined;
  return {
    ...castTemplate,
    alias: node.alias ?? '',
    child: { ...child, value: { ...childValue, value: text } },
    cast_type: type,
  };
}

/**
 * Structural equality of the tree that was printed and the tree its text
 * parses to, ignoring source positions, accepting the VALUES wrapping.
 * `valuesWrapper` is DuckDB's tree for `(VALUES (NULL)) AS valueslist` in FROM.
 */
export function sameAfterPrinting(expected: Json, actual: Json, valuesWrapper: JsonObject): boolean {
  if (expected === actual) return true;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.length === actual.length &&
      expected.every((item, i) => sameAfterPrinting(item, actual[i]!, valuesWrapper))
    );
  }
  if (!isJsonObject(expected) || !isJsonObject(actual)) return false;
  if (isValuesList(expected) && stringField(actual, 'type') === 'SUBQUERY') {
    return sameAfterPrinting(wrapValues(expected, valuesWrapper), actual, valuesWrapper);
  }
  const keys = Object.keys(expected).filter((key) => key !== 'query_location');
  const actualKeys = Object.keys(actual).filter((key) => key !== 'query_location');
  return (
    keys.length === actualKeys.length &&
    keys.every(
      (key) => Object.hasOwn(actual, key) && sameAfterPrinting(expected[key]!, actual[key]!, valuesWrapper),
    )
  );
}

const isValuesList = (object: JsonObject): boolean =>
  !Object.hasOwn(object, 'class') && object.type === 'EXPRESSION_LIST';

/** `(SELECT * FROM (VALUES …) AS valueslist) AS <alias>`: how a printed VALUES list parses back. */
function wrapValues(values: JsonObject, wrapper: JsonObject): JsonObject {
  const subquery = objectField(wrapper, 'subquery');
  const node = subquery ? objectField(subquery, 'node') : undefined;
  if (!subquery || !node) return wrapper;
  return {
    ...wrapper,
    alias: values.alias ?? '',
    sample: values.sample ?? null,
    subquery: { ...subquery, node: { ...node, from_table: { ...values, alias: 'valueslist' } } },
  };
}
