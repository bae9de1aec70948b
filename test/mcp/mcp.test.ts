import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { generateSampleData } from '@tributary/cli';
import { Cluster } from '../support/cluster.js';
import { signToken } from '../support/jwt.js';

// An assistant's view: the SDK's own client over Streamable HTTP, as the
// cluster's analyst key, under a policy set with a denied and a masked column.
const POLICIES = {
  grants: [
    { id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
    {
      id: 'analysts-no-ltv',
      effect: 'deny',
      to: { role: 'analyst' },
      on: { source: 'lake', schema: 'main', table: 'customers', columns: ['lifetime_value'] },
    },
  ],
  masks: [
    {
      id: 'email-domain',
      table: 'lake.main.customers',
      column: 'email',
      mask: { kind: 'email_domain' },
      unless: { roles: ['admin'] },
    },
  ],
};

/** The text of a resource read's first content. */
function resourceText(read: Awaited<ReturnType<Client['readResource']>>): string {
  const first = read.contents[0];
  return first && 'text' in first ? first.text : '';
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = (result as CallToolResult).content;
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

describe('MCP server', () => {
  let cluster: Cluster;
  let dataDir: string;
  let client: Client;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tributary-mcp-'));
    const data = await generateSampleData({ dir: dataDir, scale: 0.02 });
    cluster = await Cluster.start({
      edges: [{ name: 'edge-1', sources: [{ name: 'lake', type: 'files', path: data.filesDir }] }],
      policies: POLICIES,
    });
    client = new Client({ name: 'tributary-test', version: '0.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(cluster.mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${cluster.apiKey}` } },
      }),
    );
  });

  after(async () => {
    await client?.close();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('lists the tools with descriptions and input schemas', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    assert.deepEqual(names, [
      'describe_table',
      'explain_access',
      'list_sources',
      'list_tables',
      'run_query',
      'sample_table',
      'validate_query',
    ]);
    for (const tool of tools) assert.ok((tool.description ?? '').length > 40, tool.name);
    const runQuery = tools.find((t) => t.name === 'run_query');
    assert.deepEqual(runQuery?.inputSchema.required, ['sql']);
  });

  test('lists sources and tables the caller may read', async () => {
    const sources = await client.callTool({ name: 'list_sources', arguments: {} });
    assert.equal(sources.isError, undefined);
    assert.match(textOf(sources), /lake \(files\)/);
    const tables = await client.callTool({ name: 'list_tables', arguments: { search: 'custom' } });
    assert.match(textOf(tables), /lake\.main\.customers/);
    assert.deepEqual((tables.structuredContent as { tables: string[] }).tables, ['lake.main.customers']);
  });

  test('runs a governed query and returns rows with metadata', async () => {
    const result = await client.callTool({
      name: 'run_query',
      arguments: {
        sql: 'SELECT region, count(*) AS n FROM lake.main.customers WHERE region = $1 GROUP BY region',
        params: ['EMEA'],
      },
    });
    assert.equal(result.isError, undefined, textOf(result));
    const text = textOf(result);
    assert.match(text, /^\| region \| n \|/);
    assert.match(text, /\| EMEA \| \d+ \|/);
    assert.match(text, /query_id: \S+, row_count: 1, truncated: false, execution_time_ms: \d+/);
    const structured = result.structuredContent as {
      rows: { region: string }[];
      metadata: { row_count: number };
    };
    assert.deepEqual(
      structured.rows.map((r) => r.region),
      ['EMEA'],
    );
    assert.equal(structured.metadata.row_count, 1);
  });

  test('caps rows at the limit and says the result was truncated', async () => {
    const result = await client.callTool({
      name: 'run_query',
      arguments: { sql: 'SELECT customer_id FROM lake.main.customers', limit: 5 },
    });
    const structured = result.structuredContent as { rows: unknown[]; metadata: { truncated: boolean } };
    assert.equal(structured.rows.length, 5);
    assert.equal(structured.metadata.truncated, true);
    assert.match(textOf(result), /truncated: true/);
  });

  test('masked columns come back masked', async () => {
    const result = await client.callTool({
      name: 'sample_table',
      arguments: { table: 'lake.main.customers', columns: ['email'], limit: 3 },
    });
    assert.equal(result.isError, undefined, textOf(result));
    const rows = (result.structuredContent as { rows: { email: string | null }[] }).rows;
    assert.equal(rows.length, 3);
    for (const row of rows) if (row.email !== null) assert.match(row.email, /^\*\*\*@/);
  });

  test('a refused query is a tool error naming the code and request id', async () => {
    const result = await client.callTool({
      name: 'run_query',
      arguments: { sql: 'SELECT customer_id, lifetime_value FROM lake.main.customers' },
    });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^QUERY_UNAUTHORIZED: .*lifetime_value.* \(request [\w-]+\)$/s);

    const missing = await client.callTool({
      name: 'run_query',
      arguments: { sql: 'SELECT * FROM lake.main.nope' },
    });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /^NOT_FOUND: /);

    const invalid = await client.callTool({
      name: 'validate_query',
      arguments: { sql: 'SELECT lifetime_value FROM lake.main.customers' },
    });
    assert.equal(invalid.isError, undefined);
    assert.match(textOf(invalid), /^invalid: QUERY_UNAUTHORIZED: /);
  });

  test('describe_table shows types, masked and denied columns', async () => {
    const result = await client.callTool({
      name: 'describe_table',
      arguments: { table: 'lake.main.customers' },
    });
    assert.equal(result.isError, undefined, textOf(result));
    const text = textOf(result);
    assert.match(text, /- email: \S+.*\(masked\)/);
    assert.match(text, /denied columns .*: lifetime_value/);
    assert.doesNotMatch(text, /- lifetime_value:/);
    const json = result.structuredContent as {
      columns: { name: string; access: string }[];
      denied_columns: string[];
    };
    assert.equal(json.columns.find((c) => c.name === 'email')?.access, 'masked');
    assert.deepEqual(json.denied_columns, ['lifetime_value']);

    const access = await client.callTool({
      name: 'explain_access',
      arguments: { table: 'lake.main.customers' },
    });
    assert.match(textOf(access), /mask policies: email-domain/);
  });

  test('exposes the catalog as resources', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    assert.ok(uris.includes('tributary://catalog/tables'));
    assert.ok(uris.includes('tributary://tables/lake.main.customers'));
    const catalog = await client.readResource({ uri: 'tributary://catalog/tables' });
    const body = JSON.parse(resourceText(catalog)) as { tables: { name: string }[] };
    assert.ok(body.tables.some((t) => t.name === 'lake.main.orders'));
    const table = await client.readResource({ uri: 'tributary://tables/lake.main.customers' });
    const described = JSON.parse(resourceText(table)) as { denied_columns: string[] };
    assert.deepEqual(described.denied_columns, ['lifetime_value']);
  });

  test('every request needs a credential', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '0' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const none = await fetch(cluster.mcpUrl, { method: 'POST', headers, body: JSON.stringify(initialize) });
    assert.equal(none.status, 401);
    const body = (await none.json()) as { error: { code: string; request_id: string } };
    assert.equal(body.error.code, 'UNAUTHENTICATED');
    assert.ok(body.error.request_id);

    const bad = await fetch(cluster.mcpUrl, {
      method: 'POST',
      headers: { ...headers, 'x-api-key': 'trb_live_not-a-real-key' },
      body: JSON.stringify(initialize),
    });
    assert.equal(bad.status, 401);

    const anonymous = new Client({ name: 'anonymous', version: '0.0.0' });
    await assert.rejects(anonymous.connect(new StreamableHTTPClientTransport(new URL(cluster.mcpUrl))));
  });

  test('queries are recorded with protocol mcp', async () => {
    await client.callTool({ name: 'run_query', arguments: { sql: 'SELECT 42 AS answer' } });
    const line = await cluster.coordinator.waitFor(
      (l) => l.msg === 'query finished' && l.protocol === 'mcp' && l.subject === 'tester',
      10_000,
    );
    assert.equal(line.protocol, 'mcp');

    // The audit log (written in batches) records the protocol too.
    const admin = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
    let records: { subject?: string; query?: { protocol?: string; sql?: string } }[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      const response = await cluster.http('/v1/audit?subject=tester', {
        headers: { authorization: `Bearer ${admin}` },
      });
      assert.equal(response.status, 200);
      records = ((await response.json()) as { records: typeof records }).records;
      if (records.some((r) => r.query?.protocol === 'mcp' && r.query.sql === 'SELECT 42 AS answer')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(
      records.some((r) => r.query?.protocol === 'mcp' && r.query.sql === 'SELECT 42 AS answer'),
      JSON.stringify(records.slice(0, 3)),
    );
  });
});
