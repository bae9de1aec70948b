import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptTraceContext, formatTraceparent, parseTraceparent } from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('W3C traceparent', () => {
  test('valid headers are read: trace id, parent span, sampled flag', () => {
    assert.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-01`), {
      traceId: TRACE,
      parentSpanId: SPAN,
      sampled: true,
    });
    assert.equal(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled, false);
    // A later version may append fields; its first four are read as version 00's.
    assert.equal(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`)?.traceId, TRACE);
  });

  const invalid: [string, unknown][] = [
    ['absent', undefined],
    ['not a string', 42],
    ['empty', ''],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['forbidden version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with trailing data', `00-${TRACE}-${SPAN}-01-extra`],
    ['injection attempt', `00-${TRACE}-${SPAN}-01\n{"level":"error"}`],
    ['too long', `00-${TRACE}-${SPAN}-01`.padEnd(600, 'a')],
  ];
  for (const [name, header] of invalid) {
    test(`rejected: ${name}`, () => assert.equal(parseTraceparent(header), undefined));
  }

  test("a request keeps its caller's trace and gets its own span", () => {
    const trace = acceptTraceContext(`00-${TRACE}-${SPAN}-01`);
    assert.equal(trace.traceId, TRACE);
    assert.equal(trace.parentSpanId, SPAN);
    assert.match(trace.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(trace.spanId, SPAN);
    assert.equal(formatTraceparent(trace), `00-${TRACE}-${trace.spanId}-01`);
  });

  test('without a valid header a new trace starts', () => {
    const a = acceptTraceContext('garbage');
    const b = acceptTraceContext(undefined);
    assert.match(a.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(a.traceId, b.traceId);
    assert.equal(a.parentSpanId, undefined);
    assert.deepEqual(parseTraceparent(formatTraceparent(a))?.traceId, a.traceId);
  });
});
