// A one-million-row result streamed in record batches, over gRPC and over
// HTTP as an Arrow IPC stream and as NDJSON. Counts and checksums only; no
// timing assertions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ARROW_STREAM_MEDIA_TYPE } from '@tributary/core';
import { type RecordBatch, RecordBatchReader } from 'apache-arrow';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';

const ROWS = 1_000_000;
/** The engine's documented batch size: about 64k rows (or 1 MiB, whichever comes first). */
const MAX_BATCH_ROWS = 65_536;
/** Σ id for id in 0..ROWS-1: a missing, duplicated or altered row changes it. */
const ID_SUM = (BigInt(ROWS) * BigInt(ROWS - 1)) / 2n;
const SQL = 'SELECT id, doubled, label, bucket FROM lake.main.big';

let fixtures: Fixtures;
let cluster: Cluster;

before(async () => {
  fixtures = await createFixtures({ bigRows: ROWS });
  cluster = await Cluster.start({ edges: [{ name: 'edge-1', sources: fixtures.sources }] });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

/** Tallies batches and checks every row's derived columns against its id. */
class Tally {
  batches = 0;
  rows = 0;
  idSum = 0n;
  largestBatch = 0;
  spotChecked = 0;

  add(batch: RecordBatch): void {
    this.batches++;
    this.rows += batch.numRows;
    this.largestBatch = Math.max(this.largestBatch, batch.numRows);
    const ids = batch.getChild('id');
    const doubled = batch.getChild('doubled');
    const labels = batch.getChild('label');
    const buckets = batch.getChild('bucket');
    assert.ok(ids && doubled && labels && buckets, 'all four columns');
    for (let i = 0; i < batch.numRows; i++) this.idSum += BigInt(ids.get(i) as number | bigint);
    // Spot-check the first, last and a middle row of every batch.
    for (const i of new Set([0, batch.numRows >> 1, batch.numRows - 1])) {
      const id: bigint = BigInt(ids.get(i) as number | bigint);
      assert.equal(BigInt(doubled.get(i)), id * 2n, `doubled of ${id}`);
      assert.equal(labels.get(i), `row-${id}`, `label of ${id}`);
      assert.equal(buckets.get(i), Number(id % 1000n), `bucket of ${id}`);
      this.spotChecked++;
    }
  }

  assertComplete(): void {
    assert.equal(this.rows, ROWS, 'every row arrived');
    assert.equal(this.idSum, ID_SUM, 'each id exactly once');
    assert.ok(this.batches > 1, `streamed in several batches (got ${this.batches})`);
    assert.ok(
      this.largestBatch <= MAX_BATCH_ROWS,
      `batches of at most ${MAX_BATCH_ROWS} rows (largest ${this.largestBatch})`,
    );
    assert.ok(this.batches >= Math.ceil(ROWS / MAX_BATCH_ROWS));
  }
}

describe('a 1M-row result streams in batches', () => {
  test('over gRPC, batch by batch', async () => {
    const result = cluster.client().query(SQL);
    const tally = new Tally();
    for await (const batch of result) tally.add(batch);
    tally.assertComplete();
    const metadata = result.metadata;
    assert.ok(metadata, 'metadata after the last batch');
    assert.equal(Number(metadata.row_count), ROWS);
    assert.equal(Number(metadata.batch_count), tally.batches);
    assert.equal(metadata.truncated, false);
  });

  test('over gRPC, an ordered result keeps its order across batches', async () => {
    let expected = 0;
    let batches = 0;
    for await (const batch of cluster.client().query(`${SQL} ORDER BY id DESC LIMIT 200000`)) {
      batches++;
      const ids = batch.getChild('id');
      assert.ok(ids);
      for (let i = 0; i < batch.numRows; i++) {
        assert.equal(Number(ids.get(i)), ROWS - 1 - expected, 'descending ids without gaps');
        expected++;
      }
    }
    assert.equal(expected, 200_000);
    assert.ok(batches > 1);
  });

  test('over HTTP as an Arrow IPC stream', async () => {
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: SQL },
      headers: { 'x-api-key': cluster.apiKey, accept: ARROW_STREAM_MEDIA_TYPE },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), ARROW_STREAM_MEDIA_TYPE);
    assert.ok(response.body);
    const reader = await RecordBatchReader.from(response.body as unknown as AsyncIterable<Uint8Array>);
    await reader.open();
    assert.deepEqual(
      reader.schema.fields.map((f) => `${f.name}: ${f.type}`),
      ['id: Int64', 'doubled: Int64', 'label: Utf8', 'bucket: Int32'],
    );
    const tally = new Tally();
    for await (const batch of reader) tally.add(batch);
    tally.assertComplete();
  });

  test('over HTTP as NDJSON, one line per row', async () => {
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: SQL },
      headers: { 'x-api-key': cluster.apiKey, accept: 'application/x-ndjson' },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.ok(response.body);
    const decoder = new TextDecoder();
    let pending = '';
    let lines = 0;
    let idSum = 0n;
    const check = (line: string) => {
      const row = JSON.parse(line) as { id: number; doubled: number; label: string; bucket: number };
      idSum += BigInt(row.id);
      if (lines % 50_000 === 0) {
        assert.equal(row.doubled, row.id * 2);
        assert.equal(row.label, `row-${row.id}`);
        assert.equal(row.bucket, row.id % 1000);
      }
      lines++;
    };
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) if (line !== '') check(line);
    }
    pending += decoder.decode();
    if (pending !== '') check(pending);
    assert.equal(lines, ROWS);
    assert.equal(idSum, ID_SUM);
  });
});
