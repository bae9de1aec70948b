export {
  acceptTraceContext,
  formatTraceparent,
  parseTraceparent,
  TRACEPARENT_KEY,
  type TraceContext,
} from './trace-context.js';
