// BuildQuery: structured request → SQL with quoted identifiers and `$n`
// parameters. The SQL it returns is an ordinary query: analysis, policy and
// execution treat it exactly like SQL a client wrote.
//
//   const { sql, params } = buildQuery(request, catalogTable);
//
// INVALID_ARGUMENT for an unknown column, an unknown or missing operator, the
// wrong number of values for an operator (one for comparisons and LIKE/ILIKE,
// two for BETWEEN, one or more for IN/NOT_IN, none for IS_NULL/IS_NOT_NULL),
// NULL where a comparison would never match, a negative limit/offset, or a
// limit above 1,000,000.

export { type BuiltQuery, buildQuery, MAX_LIMIT, MAX_PARAMETERS } from './build-query.js';
