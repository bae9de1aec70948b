// The policy engine: steps 3 (authorize) and 4 (rewrite) of the query path,
// protocol-free. Deny by default; nothing written inside SQL gets around a
// policy. A PolicySet belongs to one tenant: the caller picks the tenant's
// set and salt.
//
//   const codec = await SqlCodec.open();                                   // DuckDB as parser and printer
//   const { policies, warnings } = await loadPolicySet(json, codec, catalogTables);
//   const query = await analyzer.analyze(sql, params);                     // query/analyze: step 2
//   const decision = new PolicyAccessControl().decide(principal, query, catalogLookup(catalogTables), policies, salt);
//   if (!decision.allowed) throw unauthorizedError(decision);              // QUERY_UNAUTHORIZED naming it
//   const rewritten = await rewriteQuery(codec, sql, params, decision);    // { sql, params } for the edge
//   explainAccess(principal, catalogTable, policies, salt);                // "what can I see in this table?"
//
// Signatures:
//   parsePolicySet(input: unknown): PolicySet                                         shape only; INVALID_ARGUMENT
//   loadPolicySet(input: unknown, codec: SqlCodec, catalog: readonly CatalogTable[])
//     : Promise<{ policies: PolicySet; warnings: string[] }>                           shape and SQL; INVALID_ARGUMENT
//   checkPolicySql(codec, policies: PolicySet, catalog: readonly CatalogTable[]): Promise<PolicyCheck>
//   catalogLookup(tables: readonly CatalogTable[]): CatalogLookup
//   decideAccess(principal, query: AnalyzedQuery, catalog: CatalogLookup, policies, salt: string): AccessDecision
//   class PolicyAccessControl implements AccessControl { decide(…same…): AccessDecision }
//   explainAccess(principal, table: CatalogTable, policies, salt: string): TableExplanation
//   unauthorizedError(decision: AccessDecision): TributaryError                      QUERY_UNAUTHORIZED
//   rewriteQuery(codec: SqlCodec, sql: string, params: readonly SqlValue[], decision: AccessDecision)
//     : Promise<RewrittenQuery>                                                        { sql, params }
//   SqlCodec.open(options?: { connections?: number }): Promise<SqlCodec>; codec.close(): void
//
// Model (model.ts): grants (allow/deny SELECT on a source, schema, table or
// columns, to a role or a user), row filters, column masks, row-conditional
// protections, tags and ABAC tag rules. Admin SQL may use `:user.<attr>`
// (and `:user.subject`, `:user.tenant`): always a bound parameter, NULL when
// the principal lacks the attribute, so a filter comparing with it denies.
//
// Decision (decide.ts), per column: explicit deny > mask > allow > deny by
// default. A table needs some granted column, even for count(*). A query
// using an unreadable column anywhere is refused, naming it. How each mask
// kind and protection action treats each type: masks.ts, protections.ts.
//
// Rewrite (rewrite/): every reference to a catalog table becomes
// `(SELECT <masked columns> FROM "source"."schema"."table" WHERE <filters>) AS <alias>`
// in DuckDB's parse tree; DuckDB prints it back, and the printed SQL is
// parsed again and verified before it is returned. Every failure is INTERNAL
// (fail closed). Policy values follow the caller's parameters.
//
// Agents (agent-scope.ts): an agent principal's decision is its owner's,
// then narrowed by the agent's allow-list of tables and columns — never wider.

export { type AgentScope, narrowDecision, narrowExplanation } from './agent-scope.js';
export { type AttributeValue, attributeValue, conditionHolds } from './attributes.js';
export { decideAccess, explainAccess, PolicyAccessControl, unauthorizedError } from './decide.js';
export { checkPolicySql, loadPolicySet, type PolicyCheck } from './load-policies.js';
export {
  type AttributeCondition,
  type ColumnMask,
  type Grant,
  type MaskSpec,
  type PolicySet,
  PolicySetSchema,
  parsePolicySet,
  parseTableName,
  type RowFilter,
  type RowProtection,
  type TagAssignment,
  type TagRule,
} from './model.js';
export { catalogLookup } from './names.js';
export { type RewrittenQuery, rewriteQuery } from './rewrite/rewrite-query.js';
export { SqlCodec, type SqlCodecOptions } from './rewrite/sql-codec.js';
export type {
  AccessControl,
  AccessDecision,
  AccessRefusal,
  CatalogLookup,
  ColumnAccess,
  TableAccess,
  TableExplanation,
} from './types.js';
