import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSampleData } from '@tributary/cli';
import { Cluster } from './support/cluster.js';

describe('the demo system end to end', () => {
  let cluster: Cluster;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tributary-smoke-'));
    const data = await generateSampleData({ dir: dataDir, scale: 0.02 });
    cluster = await Cluster.start({
      edges: [
        {
          name: 'edge-1',
          sources: [
            { name: 'lake', type: 'files', path: data.filesDir },
            { name: 'warehouse', type: 'duckdb', path: data.duckdbFile },
          ],
        },
      ],
    });
  });

  after(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('gRPC and HTTP return the same rows', async () => {
    const sql = 'SELECT region, count(*) AS n FROM lake.main.customers GROUP BY region ORDER BY region';
    const viaGrpc = await cluster.client().query(sql).toArray();
    const response = await cluster.http('/v1/query', { method: 'POST', json: { sql } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { data: unknown[]; metadata: { row_count: number } };
    assert.deepEqual(body.data, viaGrpc);
    assert.equal(body.metadata.row_count, viaGrpc.length);
    assert.ok(viaGrpc.length > 0);
  });

  test('the catalog lists every sample table', async () => {
    const tables = await cluster.client().listTables();
    const names = tables.tables.map((t) => `${t.ref?.source}.${t.ref?.schema}.${t.ref?.table}`);
    assert.ok(names.includes('lake.main.orders'));
    assert.ok(names.includes('warehouse.inventory.stock_levels'));
  });
});
