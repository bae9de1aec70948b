// Policy behaviour as data, in the spirit of DuckDB's sqllogictests. Each
// file in cases/ holds a policy set, principals and cases; a case is a query
// (and its parameters) run end to end — analyze → decide → rewrite → execute
// on an in-process DuckDB laid out like an edge — with the expected rows, the
// expected refusal, or the expected error. `policy_checks` are policy sets
// and the problems loading them must report.
//
// Case fields:
//   name, sql, params?, as (a principal of the file: subject, roles?, groups?, attributes?) or principal, policies? (replaces the file's), salt?
//   rows: [[…], …]                       exact rows, in order (write ORDER BY)
//   refused: { table, column? }          QUERY_UNAUTHORIZED naming this (column absent: the table)
//   error: { code, message?, at? }       analysis fails with this code (message: a substring), or, with
//                                        `at: rewrite` / `at: execute`, the rewrite or its execution at the edge
//   applied: { filters?, masks?, … }     ids the decision lists, per table `source.schema.table`

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type SqlValue, TributaryError } from '@tributary/core';
import { QueryEngine } from '@tributary/engine';
import { parse } from 'yaml';
import type { Principal } from '../auth/principal.js';
import { type CatalogTable, displayTableName, SqlAnalyzer } from '../query/analyze/index.js';
import {
  type AccessDecision,
  catalogLookup,
  checkPolicySql,
  PolicyAccessControl,
  parsePolicySet,
  rewriteQuery,
  SqlCodec,
} from './index.js';

interface PrincipalSpec {
  subject: string;
  tenant?: string;
  roles?: string[];
  groups?: string[];
  attributes?: Record<string, string | number | boolean>;
}

interface QueryCase {
  name: string;
  sql: string;
  params?: SqlValue[];
  as?: string;
  principal?: PrincipalSpec;
  policies?: unknown;
  /** The tenant's hashing salt, when not the fixture's. */
  salt?: string;
  rows?: unknown[][];
  refused?: { table: string; column?: string };
  error?: { code: string; message?: string; at?: 'rewrite' | 'execute' };
  applied?: Record<string, Record<string, string[]>>;
}

interface PolicyCheckCase {
  name: string;
  policies: unknown;
  problems: string[];
  warnings?: string[];
}

interface CaseFile {
  policies?: unknown;
  principals?: Record<string, PrincipalSpec>;
  cases?: QueryCase[];
  policy_checks?: PolicyCheckCase[];
}

interface Fixture {
  salt: string;
  catalog: CatalogTable[];
  setup: string[];
}

const casesDir = new URL('./cases/', import.meta.url);
const fixture = parse(readFileSync(new URL('fixture.yaml', casesDir), 'utf8')) as Fixture;
const files = readdirSync(casesDir)
  .filter((file) => file.endsWith('.yaml') && file !== 'fixture.yaml')
  .sort()
  .map((file) => ({ file, content: parse(readFileSync(new URL(file, casesDir), 'utf8')) as CaseFile }));
const lookup = catalogLookup(fixture.catalog);
const accessControl = new PolicyAccessControl();

let analyzer: SqlAnalyzer;
let codec: SqlCodec;
let engine: QueryEngine;

before(async () => {
  analyzer = await SqlAnalyzer.create();
  await analyzer.setCatalog(1, fixture.catalog);
  assert.deepEqual(analyzer.catalogWarnings, []);
  codec = await SqlCodec.open();
  engine = await QueryEngine.open(
    {
      memoryLimit: '256MB',
      threads: 1,
      queryTimeoutMs: 60_000,
      maxConcurrentQueries: 1,
      allowedDirectories: [],
    },
    async (connection) => {
      for (const statement of fixture.setup) await connection.run(statement);
    },
  );
});

after(async () => {
  await analyzer.close();
  codec.close();
  await engine.close();
});

function principalOf(spec: PrincipalSpec): Principal {
  return {
    tenant: spec.tenant ?? 'acme',
    subject: spec.subject,
    roles: spec.roles ?? [],
    groups: spec.groups ?? [],
    attributes: spec.attributes ?? {},
    method: 'jwt',
  };
}

/** Result values as YAML writes them: integers as numbers, dates as ISO text. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

async function failureOf(work: Promise<unknown>): Promise<TributaryError | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
}

test('there are at least 80 query cases, with distinct names', () => {
  const names = files.flatMap(({ content }) => (content.cases ?? []).map((c) => c.name));
  assert.ok(names.length >= 80, `only ${names.length} cases`);
  assert.equal(new Set(names).size, names.length, 'case names must be distinct');
});

for (const { file, content } of files) {
  describe(file, () => {
    for (const c of content.cases ?? []) {
      test(c.name, async () => {
        const spec = c.principal ?? (c.as === undefined ? undefined : content.principals?.[c.as]);
        assert.ok(spec, `case ${c.name}: no principal`);
        const principal = principalOf(spec);
        const policies = parsePolicySet(c.policies ?? content.policies);
        const params = c.params ?? [];

        let analyzed: Awaited<ReturnType<SqlAnalyzer['analyze']>>;
        try {
          analyzed = await analyzer.analyze(c.sql, params);
        } catch (error) {
          assert.ok(c.error && c.error.at === undefined, `analysis failed: ${(error as Error).message}`);
          assert.ok(error instanceof TributaryError);
          expectError(error, c.error);
          return;
        }

        assert.ok(c.error === undefined || c.error.at !== undefined, 'expected the analysis to fail');
        const names = analyzed.outputColumns.map((column) => column.name);
        assert.equal(new Set(names).size, names.length, 'result column names must be distinct in cases');

        const decision = accessControl.decide(principal, analyzed, lookup, policies, c.salt ?? fixture.salt);
        if (c.refused) {
          assert.equal(decision.allowed, false, 'expected a refusal');
          assert.equal(displayTableName(decision.refusal!.table), c.refused.table, decision.refusal!.reason);
          assert.equal(decision.refusal!.column, c.refused.column, decision.refusal!.reason);
          const error = await failureOf(rewriteQuery(codec, c.sql, params, decision));
          assert.equal(error?.code, 'QUERY_UNAUTHORIZED');
          return;
        }
        assert.equal(decision.allowed, true, `refused: ${JSON.stringify(decision.refusal)}`);
        checkApplied(decision, c.applied);

        const rewriting = rewriteQuery(codec, c.sql, params, decision);
        if (c.error?.at === 'rewrite') {
          expectError(await failureOf(rewriting), c.error);
          return;
        }
        const rewritten = await rewriting;
        if (c.error) {
          expectError(await failureOf(engine.runTrusted(rewritten.sql, rewritten.params)), c.error);
          return;
        }
        // What goes to the edge is itself a query the analyzer accepts, over catalog tables only.
        // and its result columns keep their names.
        // (Analysed without values: DuckDB casts a value to the type the query needs, analysis does not.)
        const reanalyzed = await analyzer.analyze(rewritten.sql);
        assert.equal(reanalyzed.parameterCount, rewritten.params.length, 'placeholders and values differ');
        assert.deepEqual(
          reanalyzed.outputColumns.map((column) => column.name),
          names,
          'result column names changed',
        );
        const rows = await engine.runTrusted(rewritten.sql, rewritten.params);
        const actual = rows.map((row) => Object.values(row).map(plain));
        assert.deepEqual(actual, c.rows, `rewritten: ${rewritten.sql}`);
      });
    }
    for (const check of content.policy_checks ?? []) {
      test(`policy check: ${check.name}`, async () => {
        const result = await checkPolicySql(codec, parsePolicySet(check.policies), fixture.catalog);
        assert.equal(result.problems.length, check.problems.length, result.problems.join('\n'));
        check.problems.forEach((expected, i) => {
          assert.ok(result.problems[i]!.includes(expected), `problem ${i}: ${result.problems[i]}`);
        });
        if (check.warnings) {
          assert.equal(result.warnings.length, check.warnings.length, result.warnings.join('\n'));
          check.warnings.forEach((expected, i) => {
            assert.ok(result.warnings[i]!.includes(expected), result.warnings[i]);
          });
        }
      });
    }
  });
}

function expectError(error: TributaryError | undefined, expected: { code: string; message?: string }): void {
  assert.ok(error, `expected ${expected.code}`);
  assert.equal(error.code, expected.code, error.message);
  if (expected.message) assert.ok(error.message.includes(expected.message), error.message);
}

function checkApplied(decision: AccessDecision, expected: QueryCase['applied']): void {
  for (const [table, lists] of Object.entries(expected ?? {})) {
    const access = decision.tables.find((entry) => displayTableName(entry.table) === table);
    assert.ok(access, `no access for ${table}`);
    for (const [list, ids] of Object.entries(lists)) {
      assert.deepEqual(
        access.applied[list as keyof typeof access.applied],
        ids,
        `applied.${list} of ${table}`,
      );
    }
  }
}
