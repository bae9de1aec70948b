import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger, type QueryResultChunk__Input, TributaryError } from '@tributary/core';
import type { RequestContext } from '../context.js';
import type { QueryAuditEvent } from './audit-log.js';
import { QueryAuditTrail } from './query-trail.js';

const ctx: RequestContext = {
  requestId: 'req-1',
  principal: {
    tenant: 'acme',
    subject: 'alice',
    roles: ['analyst'],
    groups: [],
    attributes: {},
    method: 'api_key',
    keyId: 'key_a',
  },
  protocol: 'http',
  signal: new AbortController().signal,
  logger: createLogger({ service: 'test', level: 'silent' }),
};

function trail() {
  const records: QueryAuditEvent[] = [];
  const queryTrail = new QueryAuditTrail(
    { recordQuery: (event) => records.push(event) },
    ctx,
    'SELECT * FROM t',
  );
  queryTrail.describe({ queryId: 'q_1', tables: ['lake.main.t'], columns: ['lake.main.t.a'] });
  return { queryTrail, records };
}

async function* result(fail?: Error): AsyncGenerator<QueryResultChunk__Input> {
  yield { arrow: { ipc: new Uint8Array(8), row_count: '0' } };
  yield { arrow: { ipc: new Uint8Array(64), row_count: '3' } };
  if (fail) throw fail;
  yield { metadata: { query_id: 'q_1', row_count: '3', bytes: '72' } };
}

describe('QueryAuditTrail', () => {
  test('a completed result is recorded as allowed, with rows and bytes', async () => {
    const { queryTrail, records } = trail();
    let chunks = 0;
    for await (const _ of queryTrail.follow(result())) chunks++;
    assert.equal(chunks, 3);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record?.decision, 'allowed');
    assert.equal(record?.rows, 3);
    assert.equal(record?.bytes, 72);
    assert.equal(record?.queryId, 'q_1');
    assert.deepEqual(record?.tables, ['lake.main.t']);
    assert.equal(record?.keyId, 'key_a');
    assert.equal(record?.protocol, 'http');
    assert.equal(record?.sql, 'SELECT * FROM t');
    assert.equal(record?.tenant, 'acme');
    assert.ok((record?.durationMs ?? -1) >= 0);
  });

  test('a result failing midway is recorded as failed with its code', async () => {
    const { queryTrail, records } = trail();
    await assert.rejects(async () => {
      for await (const _ of queryTrail.follow(result(TributaryError.unavailable('edge went away')))) {
        // drain
      }
    });
    assert.equal(records.length, 1);
    assert.equal(records[0]?.decision, 'failed');
    assert.equal(records[0]?.errorCode, 'UNAVAILABLE');
  });

  test('a consumer that stops early is recorded as a cancelled failure', async () => {
    const { queryTrail, records } = trail();
    for await (const _ of queryTrail.follow(result())) break;
    assert.equal(records.length, 1);
    assert.equal(records[0]?.decision, 'failed');
    assert.equal(records[0]?.errorCode, 'CANCELLED');
  });

  test('a policy refusal is recorded as refused with its reason; other errors as failed', () => {
    const refused = trail();
    refused.queryTrail.failed(new TributaryError('QUERY_UNAUTHORIZED', 'column ssn is not granted'));
    assert.equal(refused.records[0]?.decision, 'refused');
    assert.equal(refused.records[0]?.reason, 'column ssn is not granted');
    assert.equal(refused.records[0]?.errorCode, 'QUERY_UNAUTHORIZED');

    const failed = trail();
    failed.queryTrail.failed(TributaryError.invalid('syntax error'));
    failed.queryTrail.failed(new Error('and again'));
    assert.equal(failed.records.length, 1, 'one record per query');
    assert.equal(failed.records[0]?.decision, 'failed');
    assert.equal(failed.records[0]?.errorCode, 'INVALID_ARGUMENT');
    assert.equal(failed.records[0]?.reason, undefined);
  });

  test('without an audit sink nothing is recorded and results still flow', async () => {
    const quiet = new QueryAuditTrail(undefined, ctx, 'SELECT 1');
    let chunks = 0;
    for await (const _ of quiet.follow(result())) chunks++;
    quiet.failed(new Error('x'));
    assert.equal(chunks, 3);
  });
});
