import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromGrpcError, toGrpcError } from './grpc-status.js';
import { TributaryError } from './tributary-error.js';

const CASES: { name: string; details?: Record<string, unknown>; retryAfter: string | undefined }[] = [
  { name: 'no details', retryAfter: undefined },
  { name: 'a whole second', details: { retry_after_ms: 1_000 }, retryAfter: '1' },
  { name: 'a part of a second rounds up', details: { retry_after_ms: 1_001 }, retryAfter: '2' },
  { name: 'zero', details: { retry_after_ms: 0 }, retryAfter: undefined },
  { name: 'not a number', details: { retry_after_ms: 'soon' }, retryAfter: undefined },
];

for (const { name, details, retryAfter } of CASES) {
  test(`retry-after trailer: ${name}`, () => {
    const sent = toGrpcError(new TributaryError('RATE_LIMITED', 'busy', details), 'req-1');
    assert.equal(sent.metadata.get('retry-after')[0], retryAfter);
    const received = fromGrpcError({ ...sent, message: sent.details });
    assert.equal(received.code, 'RATE_LIMITED');
    assert.deepEqual(received.details, { ...details, request_id: 'req-1' });
  });
}
