// SQL analysis behaviour as data, in the spirit of DuckDB's sqllogictests:
// each case is a query and what analysis must report for it — the tables and
// columns read and the result columns, or the error.
//
// Notation: tables are `source.schema.table`, columns `source.schema.table.column`,
// outputs `name: TYPE`. Lists are compared in full (order included: the
// analyzer sorts tables and columns; outputs are in result order).

import type { ErrorCode, SqlValue } from '@tributary/core';
import type { CatalogTable } from './types.js';

export const CATALOG_VERSION = 7;

export const CATALOG: CatalogTable[] = [
  {
    source: 'sales',
    schema: 'crm',
    table: 'customers',
    columns: [
      { name: 'id', sqlType: 'INTEGER' },
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'email', sqlType: 'VARCHAR' },
      { name: 'region', sqlType: 'VARCHAR' },
      { name: 'Signup Date', sqlType: 'DATE' },
    ],
  },
  {
    source: 'sales',
    schema: 'main',
    table: 'orders',
    columns: [
      { name: 'id', sqlType: 'INTEGER' },
      { name: 'customer_id', sqlType: 'INTEGER' },
      { name: 'amount', sqlType: 'DECIMAL(18,2)' },
      { name: 'status', sqlType: 'VARCHAR' },
      { name: 'placed_at', sqlType: 'TIMESTAMP' },
      { name: 'tags', sqlType: 'VARCHAR[]' },
      { name: 'meta', sqlType: 'STRUCT(channel VARCHAR, score DOUBLE)' },
    ],
  },
  {
    source: 'hr',
    schema: 'main',
    table: 'employees',
    columns: [
      { name: 'id', sqlType: 'INTEGER' },
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'salary', sqlType: 'DECIMAL(12,2)' },
      { name: 'manager_id', sqlType: 'INTEGER' },
      { name: 'dept', sqlType: 'VARCHAR' },
    ],
  },
  {
    source: 'analytics',
    schema: 'main',
    table: 'customers',
    columns: [
      { name: 'id', sqlType: 'BIGINT' },
      { name: 'score', sqlType: 'DOUBLE' },
    ],
  },
  {
    source: 'Warehouse',
    schema: 'Stock',
    table: 'Items',
    columns: [
      { name: 'SKU', sqlType: 'VARCHAR' },
      { name: 'Qty', sqlType: 'INTEGER' },
    ],
  },
  {
    source: 'odd source',
    schema: 'we"ird',
    table: 'tab.le',
    columns: [
      { name: 'col "q"', sqlType: 'INTEGER' },
      { name: 'sp ace', sqlType: 'VARCHAR' },
      { name: 'ünï', sqlType: 'BOOLEAN' },
    ],
  },
];

export interface AnalysisCase {
  name: string;
  sql: string;
  /** Omitted: analysed without values (as ValidateQuery without params does). */
  params?: SqlValue[];
  tables?: string[];
  columns?: string[];
  outputs?: string[];
  parameterCount?: number;
  error?: {
    code: ErrorCode;
    /** A fragment the message must contain. */
    message?: string;
    /** Expected details.position (1-based character offset). */
    position?: number;
    /** Expected entries of details. */
    details?: Record<string, unknown>;
  };
}

const CUSTOMERS = 'sales.crm.customers';
const ORDERS = 'sales.main.orders';
const EMPLOYEES = 'hr.main.employees';
const customer = (...columns: string[]): string[] => columns.map((column) => `${CUSTOMERS}.${column}`);
const order = (...columns: string[]): string[] => columns.map((column) => `${ORDERS}.${column}`);
const employee = (...columns: string[]): string[] => columns.map((column) => `${EMPLOYEES}.${column}`);
const refused = (
  message: string,
  extra: Partial<NonNullable<AnalysisCase['error']>> = {},
): AnalysisCase['error'] => ({
  code: 'INVALID_ARGUMENT',
  message,
  ...extra,
});
const ALL_CUSTOMER_COLUMNS = customer('Signup Date', 'email', 'id', 'name', 'region');
const ALL_CUSTOMER_OUTPUTS = [
  'id: INTEGER',
  'name: VARCHAR',
  'email: VARCHAR',
  'region: VARCHAR',
  'Signup Date: DATE',
];

export const CASES: AnalysisCase[] = [
  // ── Basics and name resolution ───────────────────────────────────────────
  {
    name: 'one column',
    sql: 'SELECT name FROM sales.crm.customers',
    tables: [CUSTOMERS],
    columns: customer('name'),
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'column used only in WHERE',
    sql: "SELECT name FROM sales.crm.customers WHERE email LIKE '%@example.com'",
    tables: [CUSTOMERS],
    columns: customer('email', 'name'),
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'source.table means schema main',
    sql: 'SELECT amount FROM sales.orders',
    tables: [ORDERS],
    columns: order('amount'),
    outputs: ['amount: DECIMAL(18,2)'],
  },
  {
    name: 'names in any case are reported as the catalog spells them',
    sql: 'SELECT NAME, Email FROM SALES.CRM.Customers',
    tables: [CUSTOMERS],
    columns: customer('email', 'name'),
    // DuckDB names a result column after the catalog column, not the spelling used.
    outputs: ['name: VARCHAR', 'email: VARCHAR'],
  },
  {
    name: 'mixed-case catalog names, unquoted',
    sql: 'SELECT sku, qty FROM warehouse.stock.items',
    tables: ['Warehouse.Stock.Items'],
    columns: ['Warehouse.Stock.Items.Qty', 'Warehouse.Stock.Items.SKU'],
    outputs: ['SKU: VARCHAR', 'Qty: INTEGER'],
  },
  {
    name: 'mixed-case catalog names, quoted',
    sql: 'SELECT "Qty" FROM "Warehouse"."Stock"."Items"',
    tables: ['Warehouse.Stock.Items'],
    columns: ['Warehouse.Stock.Items.Qty'],
    outputs: ['Qty: INTEGER'],
  },
  {
    name: 'quoted identifiers with quotes, spaces, dots and non-ASCII',
    sql: 'SELECT "col ""q""", "sp ace" FROM "odd source"."we""ird"."tab.le" WHERE "ünï"',
    tables: ['odd source.we"ird.tab.le'],
    columns: [
      'odd source.we"ird.tab.le.col "q"',
      'odd source.we"ird.tab.le.sp ace',
      'odd source.we"ird.tab.le.ünï',
    ],
    outputs: ['col "q": INTEGER', 'sp ace: VARCHAR'],
  },
  {
    name: 'a column name with a space',
    sql: 'SELECT "Signup Date" AS signed_up FROM sales.crm.customers',
    tables: [CUSTOMERS],
    columns: customer('Signup Date'),
    outputs: ['signed_up: DATE'],
  },
  {
    name: 'count(*) reads the table but no column',
    sql: 'SELECT count(*) AS n FROM sales.orders',
    tables: [ORDERS],
    columns: [],
    outputs: ['n: BIGINT'],
  },
  {
    name: 'a constant over a table reads no column',
    sql: 'SELECT 1 AS one FROM sales.orders',
    tables: [ORDERS],
    columns: [],
    outputs: ['one: INTEGER'],
  },
  {
    name: 'FROM-first syntax',
    sql: "FROM sales.crm.customers SELECT name WHERE region = 'EU'",
    tables: [CUSTOMERS],
    columns: customer('name', 'region'),
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'a query without a FROM clause',
    sql: "SELECT 1 + 1 AS two, 'x' AS s",
    tables: [],
    columns: [],
    outputs: ['two: INTEGER', 's: VARCHAR'],
  },
  {
    name: 'a comment holding a semicolon hides nothing',
    sql: 'SELECT name /* ; DROP TABLE x; */ FROM sales.crm.customers -- ; DELETE',
    tables: [CUSTOMERS],
    columns: customer('name'),
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'a trailing semicolon is one statement',
    sql: 'SELECT id FROM sales.orders;',
    tables: [ORDERS],
    columns: order('id'),
    outputs: ['id: INTEGER'],
  },

  // ── Joins ─────────────────────────────────────────────────────────────────
  {
    name: 'JOIN ON: join keys are read',
    sql: 'SELECT c.name, o.amount FROM sales.crm.customers c JOIN sales.orders o ON c.id = o.customer_id',
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('id', 'name'), ...order('amount', 'customer_id')],
    outputs: ['name: VARCHAR', 'amount: DECIMAL(18,2)'],
  },
  {
    name: 'LEFT JOIN with a condition on a third column',
    sql: "SELECT c.name FROM sales.crm.customers c LEFT JOIN sales.orders o ON c.id = o.customer_id AND o.status = 'open'",
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('id', 'name'), ...order('customer_id', 'status')],
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'JOIN USING reads the key on both sides',
    sql: 'SELECT c.email FROM sales.crm.customers c JOIN hr.employees e USING (id)',
    tables: [EMPLOYEES, CUSTOMERS],
    columns: [...employee('id'), ...customer('email', 'id')],
    outputs: ['email: VARCHAR'],
  },
  {
    name: 'NATURAL JOIN reads every shared column',
    sql: 'SELECT count(*) AS n FROM sales.crm.customers NATURAL JOIN hr.employees',
    tables: [EMPLOYEES, CUSTOMERS],
    columns: [...employee('id', 'name'), ...customer('id', 'name')],
    outputs: ['n: BIGINT'],
  },
  {
    name: 'self join through aliases',
    sql: 'SELECT e.name, m.name AS manager FROM hr.employees e JOIN hr.employees m ON e.manager_id = m.id',
    tables: [EMPLOYEES],
    columns: employee('id', 'manager_id', 'name'),
    outputs: ['name: VARCHAR', 'manager: VARCHAR'],
  },
  {
    name: 'CROSS JOIN with a filter in WHERE',
    sql: 'SELECT a.score FROM analytics.customers a, sales.crm.customers c WHERE a.id = c.id',
    tables: ['analytics.main.customers', CUSTOMERS],
    columns: ['analytics.main.customers.id', 'analytics.main.customers.score', ...customer('id')],
    outputs: ['score: DOUBLE'],
  },
  {
    name: 'SEMI and ANTI joins',
    sql: 'SELECT name FROM sales.crm.customers c SEMI JOIN sales.orders o ON o.customer_id = c.id ANTI JOIN hr.employees e ON e.id = c.id',
    tables: [EMPLOYEES, CUSTOMERS, ORDERS],
    columns: [...employee('id'), ...customer('id', 'name'), ...order('customer_id')],
    outputs: ['name: VARCHAR'],
  },

  // ── Subqueries ────────────────────────────────────────────────────────────
  {
    name: 'scalar subquery',
    sql: 'SELECT name, (SELECT max(amount) FROM sales.orders) AS top FROM sales.crm.customers',
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('name'), ...order('amount')],
    outputs: ['name: VARCHAR', 'top: DECIMAL(18,2)'],
  },
  {
    name: 'IN subquery',
    sql: "SELECT name FROM sales.crm.customers WHERE id IN (SELECT customer_id FROM sales.orders WHERE status = 'paid')",
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('id', 'name'), ...order('customer_id', 'status')],
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'correlated EXISTS',
    sql: 'SELECT name FROM sales.crm.customers c WHERE EXISTS (SELECT 1 FROM sales.orders o WHERE o.customer_id = c.id AND o.amount > 100)',
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('id', 'name'), ...order('amount', 'customer_id')],
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'correlated scalar subquery in the select list',
    sql: 'SELECT c.name, (SELECT sum(o.amount) FROM sales.orders o WHERE o.customer_id = c.id) AS spent FROM sales.crm.customers c',
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('id', 'name'), ...order('amount', 'customer_id')],
    outputs: ['name: VARCHAR', 'spent: DECIMAL(38,2)'],
  },
  {
    name: 'derived table: columns selected inside count even when unused outside',
    sql: 'SELECT x.n FROM (SELECT name AS n, email FROM sales.crm.customers) AS x',
    tables: [CUSTOMERS],
    columns: customer('email', 'name'),
    outputs: ['n: VARCHAR'],
  },
  {
    name: 'ANY comparison with a subquery',
    sql: 'SELECT name FROM hr.employees WHERE salary > ANY (SELECT amount FROM sales.orders)',
    tables: [EMPLOYEES, ORDERS],
    columns: [...employee('name', 'salary'), ...order('amount')],
    outputs: ['name: VARCHAR'],
  },

  // ── CTEs ──────────────────────────────────────────────────────────────────
  {
    name: 'CTE feeding an IN list',
    sql: 'WITH big AS (SELECT customer_id FROM sales.orders WHERE amount > 100) SELECT name FROM sales.crm.customers WHERE id IN (SELECT customer_id FROM big)',
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('id', 'name'), ...order('amount', 'customer_id')],
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'a CTE named like a catalog table shadows it: nothing is read',
    sql: "WITH customers AS (SELECT 1 AS id, 'x' AS name) SELECT name FROM customers",
    tables: [],
    columns: [],
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'a CTE shadows only the unqualified name; the qualified table is still read',
    sql: 'WITH orders AS (SELECT 1 AS amount) SELECT o.amount FROM sales.orders o, orders',
    tables: [ORDERS],
    columns: order('amount'),
    outputs: ['amount: DECIMAL(18,2)'],
  },
  {
    name: 'a quoted CTE name with a dot is a CTE, not a file or table',
    sql: 'WITH "sales.orders" AS (SELECT 42 AS amount) SELECT amount FROM "sales.orders"',
    tables: [],
    columns: [],
    outputs: ['amount: INTEGER'],
  },
  {
    name: 'CTE selecting * counts every column',
    sql: 'WITH c AS (SELECT * FROM sales.crm.customers) SELECT name FROM c',
    tables: [CUSTOMERS],
    columns: ALL_CUSTOMER_COLUMNS,
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'materialized CTE referenced twice',
    sql: 'WITH t AS MATERIALIZED (SELECT id, dept FROM hr.employees) SELECT a.id FROM t a JOIN t b ON a.dept = b.dept',
    tables: [EMPLOYEES],
    columns: employee('dept', 'id'),
    outputs: ['id: INTEGER'],
  },
  {
    name: 'recursive CTE',
    sql: 'WITH RECURSIVE chain(id, boss) AS (SELECT id, manager_id FROM hr.employees WHERE id = 1 UNION ALL SELECT e.id, e.manager_id FROM hr.employees e JOIN chain c ON e.manager_id = c.id) SELECT id FROM chain',
    tables: [EMPLOYEES],
    columns: employee('id', 'manager_id'),
    outputs: ['id: INTEGER'],
  },

  {
    name: 'an unused CTE is refused (DuckDB would not even bind it)',
    sql: 'WITH unused AS (SELECT email FROM sales.crm.customers) SELECT name FROM sales.crm.customers',
    error: refused('WITH query unused is never used', { details: { cte: 'unused' } }),
  },
  {
    name: 'a CTE used only by an unused CTE is refused too',
    sql: 'WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT 2 AS y',
    error: refused('WITH query b is never used'),
  },
  {
    name: 'a recursive CTE that only refers to itself is unused',
    sql: 'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT 1 AS one',
    error: refused('WITH query r is never used'),
  },

  // ── Stars ─────────────────────────────────────────────────────────────────
  {
    name: '* expands to every column',
    sql: 'SELECT * FROM sales.crm.customers',
    tables: [CUSTOMERS],
    columns: ALL_CUSTOMER_COLUMNS,
    outputs: ALL_CUSTOMER_OUTPUTS,
  },
  {
    name: 't.* expands one side of a join',
    sql: 'SELECT c.*, o.amount FROM sales.crm.customers c JOIN sales.orders o ON o.customer_id = c.id',
    tables: [CUSTOMERS, ORDERS],
    columns: [...ALL_CUSTOMER_COLUMNS, ...order('amount', 'customer_id')],
    outputs: [...ALL_CUSTOMER_OUTPUTS, 'amount: DECIMAL(18,2)'],
  },
  {
    name: '* EXCLUDE leaves the excluded column out',
    sql: 'SELECT * EXCLUDE (email, "Signup Date") FROM sales.crm.customers',
    tables: [CUSTOMERS],
    columns: customer('id', 'name', 'region'),
    outputs: ['id: INTEGER', 'name: VARCHAR', 'region: VARCHAR'],
  },
  {
    name: '* REPLACE still reads the replaced column',
    sql: 'SELECT * REPLACE (upper(name) AS name) FROM hr.employees',
    tables: [EMPLOYEES],
    columns: employee('dept', 'id', 'manager_id', 'name', 'salary'),
    outputs: [
      'id: INTEGER',
      'name: VARCHAR',
      'salary: DECIMAL(12,2)',
      'manager_id: INTEGER',
      'dept: VARCHAR',
    ],
  },
  {
    name: 'COLUMNS with a regular expression',
    sql: "SELECT COLUMNS('^(id|e.*)$') FROM sales.crm.customers",
    tables: [CUSTOMERS],
    columns: customer('email', 'id'),
    outputs: ['id: INTEGER', 'email: VARCHAR'],
  },
  {
    name: 'an aggregate over COLUMNS(* EXCLUDE …)',
    sql: 'SELECT max(COLUMNS(* EXCLUDE (tags, meta))) FROM sales.orders',
    tables: [ORDERS],
    columns: order('amount', 'customer_id', 'id', 'placed_at', 'status'),
    outputs: [
      'id: INTEGER',
      'customer_id: INTEGER',
      'amount: DECIMAL(18,2)',
      'status: VARCHAR',
      'placed_at: TIMESTAMP',
    ],
  },
  {
    name: 'the table name as a value reads the whole row',
    sql: 'SELECT e FROM hr.employees e',
    tables: [EMPLOYEES],
    columns: employee('dept', 'id', 'manager_id', 'name', 'salary'),
    outputs: [
      'e: STRUCT("id" INTEGER, "name" VARCHAR, "salary" DECIMAL(12,2), "manager_id" INTEGER, "dept" VARCHAR)',
    ],
  },

  // ── Set operations ────────────────────────────────────────────────────────
  {
    name: 'UNION reads both sides',
    sql: 'SELECT name FROM sales.crm.customers UNION SELECT name FROM hr.employees',
    tables: [EMPLOYEES, CUSTOMERS],
    columns: [...employee('name'), ...customer('name')],
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'INTERSECT and EXCEPT',
    sql: 'SELECT id FROM sales.crm.customers INTERSECT SELECT customer_id FROM sales.orders EXCEPT SELECT id FROM hr.employees',
    tables: [EMPLOYEES, CUSTOMERS, ORDERS],
    columns: [...employee('id'), ...customer('id'), ...order('customer_id')],
    outputs: ['id: INTEGER'],
  },
  {
    name: 'UNION ALL BY NAME',
    sql: 'SELECT id, name FROM sales.crm.customers UNION ALL BY NAME SELECT dept, id FROM hr.employees',
    tables: [EMPLOYEES, CUSTOMERS],
    columns: [...employee('dept', 'id'), ...customer('id', 'name')],
    outputs: ['id: INTEGER', 'name: VARCHAR', 'dept: VARCHAR'],
  },

  // ── Grouping, ordering, windows ───────────────────────────────────────────
  {
    name: 'GROUP BY ALL and ORDER BY ALL',
    sql: 'SELECT region, count(*) AS n FROM sales.crm.customers GROUP BY ALL ORDER BY ALL',
    tables: [CUSTOMERS],
    columns: customer('region'),
    outputs: ['region: VARCHAR', 'n: BIGINT'],
  },
  {
    name: 'a column used only in HAVING',
    sql: "SELECT region FROM sales.crm.customers GROUP BY region HAVING max(email) > 'm'",
    tables: [CUSTOMERS],
    columns: customer('email', 'region'),
    outputs: ['region: VARCHAR'],
  },
  {
    name: 'a column used only in ORDER BY',
    sql: 'SELECT name FROM sales.crm.customers ORDER BY "Signup Date" DESC LIMIT 10',
    tables: [CUSTOMERS],
    columns: customer('Signup Date', 'name'),
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'ORDER BY an output alias reads only the aliased column',
    sql: 'SELECT name AS email FROM sales.crm.customers ORDER BY email',
    tables: [CUSTOMERS],
    columns: customer('name'),
    outputs: ['email: VARCHAR'],
  },
  {
    name: 'aggregate FILTER clause',
    sql: "SELECT count(*) FILTER (WHERE status = 'paid') AS paid FROM sales.orders",
    tables: [ORDERS],
    columns: order('status'),
    outputs: ['paid: BIGINT'],
  },
  {
    name: 'window function: partition and order columns are read',
    sql: 'SELECT name, row_number() OVER (PARTITION BY region ORDER BY "Signup Date") AS rn FROM sales.crm.customers',
    tables: [CUSTOMERS],
    columns: customer('Signup Date', 'name', 'region'),
    outputs: ['name: VARCHAR', 'rn: BIGINT'],
  },
  {
    name: 'named WINDOW clause',
    sql: 'SELECT sum(salary) OVER w AS running FROM hr.employees WINDOW w AS (PARTITION BY dept ORDER BY id)',
    tables: [EMPLOYEES],
    columns: employee('dept', 'id', 'salary'),
    outputs: ['running: DECIMAL(38,2)'],
  },
  {
    name: 'QUALIFY',
    sql: 'SELECT name FROM hr.employees QUALIFY rank() OVER (PARTITION BY dept ORDER BY salary DESC) = 1',
    tables: [EMPLOYEES],
    columns: employee('dept', 'name', 'salary'),
    outputs: ['name: VARCHAR'],
  },
  {
    name: 'GROUPING SETS',
    sql: 'SELECT dept, sum(salary) AS total FROM hr.employees GROUP BY GROUPING SETS ((dept), ())',
    tables: [EMPLOYEES],
    columns: employee('dept', 'salary'),
    outputs: ['dept: VARCHAR', 'total: DECIMAL(38,2)'],
  },
  {
    name: 'DISTINCT ON',
    sql: 'SELECT DISTINCT ON (customer_id) customer_id, amount FROM sales.orders ORDER BY customer_id, placed_at DESC',
    tables: [ORDERS],
    columns: order('amount', 'customer_id', 'placed_at'),
    outputs: ['customer_id: INTEGER', 'amount: DECIMAL(18,2)'],
  },

  // ── Nested data, functions, LATERAL ───────────────────────────────────────
  {
    name: 'struct field access reads the struct column',
    sql: 'SELECT meta.channel AS channel FROM sales.orders',
    tables: [ORDERS],
    columns: order('meta'),
    outputs: ['channel: VARCHAR'],
  },
  {
    name: 'a lambda referencing an outer column',
    sql: 'SELECT list_transform(tags, t -> t || status) AS labelled FROM sales.orders',
    tables: [ORDERS],
    columns: order('status', 'tags'),
    outputs: ['labelled: VARCHAR[]'],
  },
  {
    name: 'unnest in the select list',
    sql: 'SELECT unnest(tags) AS tag FROM sales.orders',
    tables: [ORDERS],
    columns: order('tags'),
    outputs: ['tag: VARCHAR'],
  },
  {
    name: 'LATERAL subquery correlated with the outer table',
    sql: 'SELECT c.name, l.total FROM sales.crm.customers c, LATERAL (SELECT sum(amount) AS total FROM sales.orders o WHERE o.customer_id = c.id) l',
    tables: [CUSTOMERS, ORDERS],
    columns: [...customer('id', 'name'), ...order('amount', 'customer_id')],
    outputs: ['name: VARCHAR', 'total: DECIMAL(38,2)'],
  },
  {
    name: 'unnest in FROM over a column (lateral)',
    sql: 'SELECT o.id, t.tag FROM sales.orders o, unnest(o.tags) AS t(tag)',
    tables: [ORDERS],
    columns: order('id', 'tags'),
    outputs: ['id: INTEGER', 'tag: VARCHAR'],
  },
  {
    name: 'range() is allowed',
    sql: 'SELECT * FROM range(3)',
    tables: [],
    columns: [],
    outputs: ['range: BIGINT'],
  },
  {
    name: 'generate_series() joined with a table',
    sql: 'SELECT g.n, o.id FROM generate_series(1, 3) AS g(n) JOIN sales.orders o ON o.id = g.n',
    tables: [ORDERS],
    columns: order('id'),
    outputs: ['n: BIGINT', 'id: INTEGER'],
  },
  {
    name: 'VALUES',
    sql: "VALUES (1, 'a'), (2, 'b')",
    tables: [],
    columns: [],
    outputs: ['col0: INTEGER', 'col1: VARCHAR'],
  },
  {
    name: 'VALUES joined with a table',
    sql: "SELECT v.label, e.name FROM (VALUES (1, 'boss')) AS v(id, label) JOIN hr.employees e ON e.id = v.id",
    tables: [EMPLOYEES],
    columns: employee('id', 'name'),
    outputs: ['label: VARCHAR', 'name: VARCHAR'],
  },
  {
    name: 'TABLESAMPLE',
    sql: 'SELECT id FROM sales.orders USING SAMPLE 10%',
    tables: [ORDERS],
    columns: order('id'),
    outputs: ['id: INTEGER'],
  },

  // ── Parameters ────────────────────────────────────────────────────────────
  {
    name: 'parameters with values',
    sql: 'SELECT name FROM sales.crm.customers WHERE id = $1 AND region = $2',
    params: [42n, 'EU'],
    tables: [CUSTOMERS],
    columns: customer('id', 'name', 'region'),
    outputs: ['name: VARCHAR'],
    parameterCount: 2,
  },
  {
    name: 'parameters without values (validation)',
    sql: 'SELECT name FROM sales.crm.customers WHERE id = $1 LIMIT $2',
    tables: [CUSTOMERS],
    columns: customer('id', 'name'),
    outputs: ['name: VARCHAR'],
    parameterCount: 2,
  },
  {
    name: 'a parameter in the select list takes the value type',
    sql: 'SELECT $1 AS label, amount * $2 AS scaled FROM sales.orders',
    params: ['x', 1.5],
    tables: [ORDERS],
    columns: order('amount'),
    outputs: ['label: VARCHAR', 'scaled: DOUBLE'],
    parameterCount: 2,
  },
  {
    name: 'unaliased expression over a parameter keeps its name when DuckDB can infer the type',
    sql: 'SELECT amount > $1 FROM sales.orders',
    params: [10n],
    tables: [ORDERS],
    columns: order('amount'),
    outputs: ['(amount > $1): BOOLEAN'],
    parameterCount: 1,
  },
  {
    name: '? placeholders',
    sql: 'SELECT name FROM hr.employees WHERE dept = ? AND salary > ?',
    params: ['eng', 1000],
    tables: [EMPLOYEES],
    columns: employee('dept', 'name', 'salary'),
    outputs: ['name: VARCHAR'],
    parameterCount: 2,
  },
  {
    name: 'a placeholder inside a literal, comment or quoted name is not one',
    sql: 'SELECT \'$1 ?\' AS s, "$2" FROM (SELECT 1 AS "$2") /* $3 */ WHERE $1 = 1 -- ?',
    params: [1n],
    tables: [],
    columns: [],
    outputs: ['s: VARCHAR', '$2: INTEGER'],
    parameterCount: 1,
  },
  {
    name: 'dollar-quoted and E-strings are skipped',
    sql: "SELECT $$ it's $1 $$ AS a, E'\\' $2' AS b, $tag$ ? $tag$ AS c, $1 AS d",
    params: [true],
    tables: [],
    columns: [],
    outputs: ['a: VARCHAR', 'b: VARCHAR', 'c: VARCHAR', 'd: BOOLEAN'],
    parameterCount: 1,
  },
  {
    name: 'an injection attempt in a value stays a value',
    sql: 'SELECT name FROM sales.crm.customers WHERE email = $1',
    params: ["x' OR 1=1; DROP TABLE sales.crm.customers; --"],
    tables: [CUSTOMERS],
    columns: customer('email', 'name'),
    outputs: ['name: VARCHAR'],
    parameterCount: 1,
  },
  {
    name: 'a NULL value',
    sql: 'SELECT id FROM sales.orders WHERE status IS NOT DISTINCT FROM $1',
    params: [null],
    tables: [ORDERS],
    columns: order('id', 'status'),
    outputs: ['id: INTEGER'],
    parameterCount: 1,
  },
  {
    name: 'fewer values than placeholders',
    sql: 'SELECT name FROM sales.crm.customers WHERE id = $1 AND region = $2',
    params: [1n],
    error: refused('takes 2 parameters but 1 was given', { details: { expected: 2, given: 1 } }),
  },
  {
    name: 'values for a query without placeholders',
    sql: 'SELECT name FROM sales.crm.customers',
    params: ['x'],
    error: refused('takes 0 parameters but 1 was given'),
  },
  {
    name: 'named parameters are refused',
    sql: 'SELECT name FROM sales.crm.customers WHERE id = $id',
    error: refused('named parameter $id'),
  },
  {
    name: 'a parameter choosing columns is refused',
    sql: 'SELECT COLUMNS($1) FROM sales.crm.customers',
    params: ['.*'],
    error: refused('parameters cannot select columns'),
  },

  // ── Statements that are not read-only queries ─────────────────────────────
  {
    name: 'INSERT',
    sql: 'INSERT INTO sales.orders (id) VALUES (1)',
    error: refused('got an INSERT statement'),
  },
  { name: 'UPDATE', sql: "UPDATE sales.orders SET status = 'x'", error: refused('got an UPDATE statement') },
  { name: 'DELETE', sql: 'DELETE FROM sales.orders', error: refused('got a DELETE statement') },
  { name: 'CREATE TABLE', sql: 'CREATE TABLE t (a INTEGER)', error: refused('got a CREATE statement') },
  {
    name: 'CREATE TABLE AS SELECT',
    sql: 'CREATE TABLE t AS SELECT * FROM sales.orders',
    error: refused('got a CREATE statement'),
  },
  { name: 'DROP', sql: 'DROP TABLE sales.orders', error: refused('got a DROP statement') },
  {
    name: 'ALTER',
    sql: 'ALTER TABLE sales.orders ADD COLUMN x INTEGER',
    error: refused('got an ALTER statement'),
  },
  { name: 'ATTACH', sql: "ATTACH 'other.db' AS other", error: refused('got an ATTACH statement') },
  { name: 'DETACH', sql: 'DETACH sales', error: refused('got a DETACH statement') },
  { name: 'COPY TO', sql: "COPY sales.orders TO 'out.csv'", error: refused('got a COPY statement') },
  {
    name: 'COPY of a query',
    sql: "COPY (SELECT * FROM sales.orders) TO 'out.parquet'",
    error: refused('got a COPY statement'),
  },
  { name: 'EXPORT', sql: "EXPORT DATABASE 'dir'", error: refused('got an EXPORT statement') },
  { name: 'INSTALL', sql: 'INSTALL httpfs', error: refused('got an INSTALL statement') },
  { name: 'LOAD', sql: 'LOAD httpfs', error: refused('got a LOAD statement') },
  { name: 'SET', sql: 'SET enable_external_access = true', error: refused('got a SET statement') },
  { name: 'RESET', sql: 'RESET threads', error: refused('got a RESET statement') },
  { name: 'PRAGMA', sql: 'PRAGMA database_list', error: refused('got a PRAGMA statement') },
  { name: 'CALL', sql: 'CALL duckdb_tables()', error: refused('got a CALL statement') },
  { name: 'EXPLAIN', sql: 'EXPLAIN SELECT 1', error: refused('got an EXPLAIN statement') },
  { name: 'DESCRIBE', sql: 'DESCRIBE sales.orders', error: refused('DESCRIBE, SHOW and SUMMARIZE') },
  { name: 'SHOW TABLES', sql: 'SHOW TABLES', error: refused('DESCRIBE, SHOW and SUMMARIZE') },
  { name: 'SUMMARIZE', sql: 'SUMMARIZE sales.orders', error: refused('DESCRIBE, SHOW and SUMMARIZE') },
  {
    name: 'PREPARE',
    sql: 'PREPARE p AS SELECT 1',
    error: refused('got a PREPARE statement'),
  },
  {
    name: 'a data-modifying statement behind WITH',
    sql: 'WITH x AS (SELECT 1) INSERT INTO sales.orders (id) SELECT * FROM x',
    error: refused('only read-only queries are allowed'),
  },
  {
    name: 'two queries',
    sql: 'SELECT 1; SELECT 2',
    error: refused('only one statement is allowed; found 2', { details: { statements: 2 } }),
  },
  {
    name: 'a statement hidden after a comment',
    sql: 'SELECT 1; -- harmless\n DROP TABLE sales.orders',
    error: refused('only one statement is allowed; found 2'),
  },
  {
    name: 'a statement hidden after a block comment',
    sql: 'SELECT name FROM sales.crm.customers /* note */; DELETE FROM sales.orders',
    error: refused('only one statement is allowed; found 2'),
  },
  { name: 'empty input', sql: '', error: refused('empty query') },
  { name: 'only a comment', sql: '  -- nothing here\n', error: refused('empty query') },

  // ── Table functions, files, system catalogs ───────────────────────────────
  {
    name: 'read_csv',
    sql: "SELECT * FROM read_csv('/etc/passwd')",
    error: refused('table function read_csv is not allowed', {
      position: 15,
      details: { function: 'read_csv' },
    }),
  },
  { name: 'read_parquet', sql: "SELECT * FROM read_parquet('x.parquet')", error: refused('read_parquet') },
  { name: 'read_json_auto', sql: "SELECT * FROM read_json_auto('x.json')", error: refused('read_json_auto') },
  { name: 'parquet_scan', sql: "SELECT * FROM parquet_scan('x.parquet')", error: refused('parquet_scan') },
  {
    name: 'query()',
    sql: "SELECT * FROM query('SELECT 1')",
    error: refused('table function query is not allowed'),
  },
  {
    name: 'query_table()',
    sql: "SELECT * FROM query_table('sales.orders')",
    error: refused('table function query_table is not allowed'),
  },
  {
    name: 'glob()',
    sql: "SELECT * FROM glob('/tmp/*')",
    error: refused('table function glob is not allowed'),
  },
  {
    name: 'duckdb_settings()',
    sql: 'SELECT * FROM duckdb_settings()',
    error: refused('table function duckdb_settings is not allowed'),
  },
  {
    name: 'a table function joined to a catalog table',
    sql: "SELECT o.id FROM sales.orders o JOIN read_csv('x.csv') f ON f.id = o.id",
    error: refused('table function read_csv is not allowed', { position: 38 }),
  },
  {
    name: 'a table function inside a scalar subquery',
    sql: "SELECT (SELECT count(*) FROM read_text('/etc/hosts')) AS n",
    error: refused('table function read_text is not allowed'),
  },
  {
    name: 'a table function inside a CTE',
    sql: "WITH f AS (FROM read_blob('x')) SELECT * FROM f",
    error: refused('table function read_blob is not allowed'),
  },
  {
    name: 'a qualified allowlisted name is still refused',
    sql: 'SELECT * FROM system.main.range(3)',
    error: refused('table function range is not allowed'),
  },
  {
    name: 'a file name used as a table',
    sql: "SELECT * FROM 'data.csv'",
    error: refused('file and URL references are not allowed'),
  },
  {
    name: 'a URL used as a table',
    sql: 'SELECT * FROM "s3://bucket/data.parquet"',
    error: refused('file and URL references are not allowed'),
  },
  {
    name: 'information_schema',
    sql: 'SELECT table_name FROM information_schema.tables',
    error: refused('system catalog reference information_schema.tables is not allowed', {
      details: { table: 'information_schema.tables' },
    }),
  },
  {
    name: 'pg_catalog',
    sql: 'SELECT * FROM pg_catalog.pg_class',
    error: refused('system catalog reference'),
  },
  {
    name: 'system catalog, fully qualified',
    sql: 'SELECT * FROM system.main.duckdb_tables',
    error: refused('system catalog reference system.main.duckdb_tables'),
  },
  {
    name: 'temp catalog',
    sql: 'SELECT * FROM temp.main.scratch',
    error: refused('system catalog reference'),
  },
  { name: 'a duckdb_ view', sql: 'SELECT * FROM duckdb_tables', error: refused('system catalog reference') },
  { name: 'sqlite_master', sql: 'SELECT * FROM sqlite_master', error: refused('system catalog reference') },
  {
    name: 'a pg_ view',
    sql: 'SELECT * FROM pg_tables',
    error: refused('system catalog reference pg_tables'),
  },
  {
    name: 'a system view inside a subquery',
    sql: 'SELECT name FROM sales.crm.customers WHERE id IN (SELECT column_count FROM main.duckdb_tables)',
    error: refused('system catalog reference main.duckdb_tables'),
  },
  {
    name: 'a built-in macro that reads a system table function',
    sql: 'SELECT pg_get_viewdef(1)',
    error: refused('table function duckdb_views is not allowed'),
  },
  { name: 'nextval()', sql: "SELECT nextval('seq')", error: refused('function nextval is not allowed') },
  {
    name: 'current_setting()',
    sql: "SELECT current_setting('enable_external_access')",
    error: refused('function current_setting is not allowed'),
  },

  // ── Syntax errors ─────────────────────────────────────────────────────────
  {
    name: 'syntax error at the first token',
    sql: 'SELEC name FROM sales.crm.customers',
    error: refused('syntax error at or near "SELEC"', { position: 1 }),
  },
  {
    name: 'syntax error at the end of input',
    sql: 'SELECT name FROM sales.crm.customers WHERE',
    error: refused('syntax error at end of input', { position: 43 }),
  },
  {
    name: 'syntax error positions count characters, not bytes',
    // FRM is read as an alias; x at character 26 (byte 28) is the error.
    sql: "SELECT 'héllo wörld' FRM x",
    error: refused('syntax error at or near "x"', { position: 26 }),
  },
  {
    name: 'unterminated string',
    sql: "SELECT 'abc FROM sales.orders",
    error: refused('unterminated quoted string', { position: 8 }),
  },

  // ── Unknown tables and columns ────────────────────────────────────────────
  {
    name: 'unknown table (three parts)',
    sql: 'SELECT * FROM sales.crm.nope',
    error: {
      code: 'NOT_FOUND',
      message: 'table sales.crm.nope not found',
      details: { table: 'sales.crm.nope' },
    },
  },
  {
    name: 'unknown table (two parts)',
    sql: 'SELECT * FROM sales.nope',
    error: { code: 'NOT_FOUND', message: 'table sales.nope not found', position: 15 },
  },
  {
    name: 'unknown source',
    sql: 'SELECT * FROM nosource.main.t',
    error: { code: 'NOT_FOUND', message: 'table nosource.main.t not found' },
  },
  {
    name: 'unknown schema',
    sql: 'SELECT * FROM sales.nope.customers',
    error: { code: 'NOT_FOUND', message: 'table sales.nope.customers not found' },
  },
  {
    name: 'an unqualified catalog table name is not found (and suggests nothing)',
    sql: 'SELECT * FROM customers',
    error: { code: 'NOT_FOUND', message: 'table customers not found', details: { table: 'customers' } },
  },
  {
    name: 'unknown table inside a subquery, after a known one',
    sql: 'SELECT name FROM sales.crm.customers WHERE id IN (SELECT id FROM hr.main.nobody)',
    error: { code: 'NOT_FOUND', message: 'table hr.main.nobody not found', position: 66 },
  },
  {
    name: 'positions after a placeholder are in the client\u2019s text',
    sql: "SELECT $1 AS a, 'ü' AS b FROM sales.nope",
    params: ['a much longer value than the placeholder'],
    error: { code: 'NOT_FOUND', message: 'table sales.nope not found', position: 31 },
  },
  {
    name: 'a binder error after a placeholder',
    sql: 'SELECT $1, nme FROM sales.crm.customers',
    params: [1n],
    error: refused('Referenced column "nme" not found', { position: 12 }),
  },
  {
    name: 'unknown column',
    sql: 'SELECT nme FROM sales.crm.customers',
    error: refused('Referenced column "nme" not found', { position: 8 }),
  },
  {
    name: 'unknown qualified column',
    sql: 'SELECT c.nme FROM sales.crm.customers c',
    error: refused('does not have a column named "nme"', { position: 8 }),
  },
  {
    name: 'ambiguous column',
    sql: 'SELECT id FROM sales.crm.customers, hr.employees',
    error: refused('Ambiguous reference to column name "id"'),
  },
  {
    name: 'a type error',
    sql: 'SELECT name + 1 FROM sales.crm.customers',
    error: refused('No function matches'),
  },
  {
    name: 'time travel is not supported',
    sql: 'SELECT * FROM sales.orders AT (VERSION => 1)',
    error: refused('time travel'),
  },
];
