import { randomBytes } from 'node:crypto';

/** The W3C Trace Context header that carries a trace across processes. */
export const TRACEPARENT_KEY = 'traceparent';

/** One request's place in a distributed trace (W3C Trace Context, version 00). */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** This process's span for the request: 16 lowercase hex digits. */
  spanId: string;
  /** The caller's span, when the request came with a traceparent. */
  parentSpanId?: string;
  sampled: boolean;
}

// The header is one fixed-width line (https://www.w3.org/TR/trace-context/#traceparent-header);
// a regular expression parses it exactly, where a tracing SDK would bring a
// whole API surface for the same twelve lines.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** Parses a traceparent header; undefined when it is absent or invalid (the spec says: start a new trace). */
export function parseTraceparent(header: unknown): Omit<TraceContext, 'spanId'> | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  // Version ff is forbidden; version 00 has nothing after the flags.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * The trace of a request that arrived with `header`: the caller's trace when
 * the header is valid, a new trace otherwise. Either way this process gets
 * its own span id.
 */
export function acceptTraceContext(header: unknown): TraceContext {
  const parent = parseTraceparent(header);
  if (parent) return { ...parent, spanId: newSpanId() };
  return { traceId: randomBytes(16).toString('hex'), spanId: newSpanId(), sampled: false };
}

/** The traceparent to send on a call made on behalf of `trace`: same trace, this process's span as parent. */
export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}`;
}
