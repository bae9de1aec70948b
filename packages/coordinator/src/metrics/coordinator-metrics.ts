import { createMetricsRegistry, QUERY_SECONDS_BUCKETS, type Registry } from '@tributary/core';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Protocol } from '../context.js';

/** What the metrics read from the rest of the coordinator when scraped. */
export interface CoordinatorGauges {
  /** Registered edges and the sources each serves; `healthy` false after a failed call until its next heartbeat. */
  edges(): Iterable<{ name: string; healthy: boolean; sources: readonly { name: string }[] }>;
  /** Every source the catalog knows, with how many live edges serve it. */
  sources(): Iterable<{ name: string; edges: number }>;
  /** Audit records waiting to be written, and lost since start. */
  audit(): { pending: number; dropped: number };
}

/** Why a request failed authentication; a fixed set, so the label stays small. */
export type AuthFailureReason =
  | 'missing_credentials'
  | 'ambiguous_credentials'
  | 'malformed_authorization'
  | 'invalid_token'
  | 'invalid_api_key'
  | 'identity_disabled'
  | 'revoked';

export type PolicyDecision = 'allowed' | 'refused';

/**
 * Every metric the coordinator exports, on a registry of its own. Labels are
 * bounded sets (protocols, error codes, route templates, RPC names, edge and
 * source names): never SQL, subjects, request or query ids.
 */
export class CoordinatorMetrics {
  readonly registry: Registry;
  readonly queries: Counter<'protocol' | 'status'>;
  readonly queryDuration: Histogram<'protocol'>;
  readonly timeToFirstBatch: Histogram<'protocol'>;
  readonly rowsStreamed: Counter<'protocol'>;
  readonly bytesStreamed: Counter<'protocol'>;
  readonly activeQueries: Gauge<'protocol'>;
  readonly authFailures: Counter<'reason'>;
  readonly policyDecisions: Counter<'decision'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly grpcCalls: Counter<'method' | 'code'>;
  /** `outcome` is `hit` or `miss`; recorded by the result cache. */
  readonly resultCacheRequests: Counter<'outcome'>;
  /** `tier` is the caller's rate-limit tier; recorded by the rate limiter. */
  readonly rateLimitRejections: Counter<'tier'>;

  constructor(gauges: CoordinatorGauges, registry: Registry = createMetricsRegistry('coordinator')) {
    this.registry = registry;
    const registers = [registry];
    this.queries = new Counter({
      name: 'tributary_queries_total',
      help: 'Queries that ended, by protocol and status (OK or the error code).',
      labelNames: ['protocol', 'status'],
      registers,
    });
    this.queryDuration = new Histogram({
      name: 'tributary_query_duration_seconds',
      help: 'Time from receiving a query to its end (last byte, refusal or failure).',
      labelNames: ['protocol'],
      buckets: QUERY_SECONDS_BUCKETS,
      registers,
    });
    this.timeToFirstBatch = new Histogram({
      name: 'tributary_query_time_to_first_batch_seconds',
      help: 'Time from receiving a query to its first record batch with rows.',
      labelNames: ['protocol'],
      buckets: QUERY_SECONDS_BUCKETS,
      registers,
    });
    this.rowsStreamed = new Counter({
      name: 'tributary_query_rows_total',
      help: 'Result rows streamed to clients.',
      labelNames: ['protocol'],
      registers,
    });
    this.bytesStreamed = new Counter({
      name: 'tributary_query_bytes_total',
      help: 'Arrow IPC bytes of results streamed to clients.',
      labelNames: ['protocol'],
      registers,
    });
    this.activeQueries = new Gauge({
      name: 'tributary_active_queries',
      help: 'Queries running now (being analyzed, executed or streamed).',
      labelNames: ['protocol'],
      registers,
    });
    this.authFailures = new Counter({
      name: 'tributary_auth_failures_total',
      help: 'Requests refused as UNAUTHENTICATED, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.policyDecisions = new Counter({
      name: 'tributary_policy_decisions_total',
      help: 'Authorization decisions on queries to run: allowed or refused.',
      labelNames: ['decision'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'tributary_http_requests_total',
      help: 'HTTP requests, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'tributary_http_request_duration_seconds',
      help: 'HTTP request duration until the response is sent, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: QUERY_SECONDS_BUCKETS,
      registers,
    });
    this.grpcCalls = new Counter({
      name: 'tributary_grpc_calls_total',
      help: 'gRPC calls handled, by method (Service/Method) and status code name.',
      labelNames: ['method', 'code'],
      registers,
    });
    this.resultCacheRequests = new Counter({
      name: 'tributary_result_cache_requests_total',
      help: 'Result cache lookups, by outcome (hit or miss).',
      labelNames: ['outcome'],
      registers,
    });
    this.rateLimitRejections = new Counter({
      name: 'tributary_rate_limit_rejections_total',
      help: 'Requests refused as RATE_LIMITED, by rate-limit tier.',
      labelNames: ['tier'],
      registers,
    });
    new Gauge({
      name: 'tributary_edge_healthy',
      help: 'Per registered edge and source it serves: 1 when healthy, 0 after a failed call until its next heartbeat.',
      labelNames: ['edge', 'source'],
      registers,
      collect() {
        this.reset();
        for (const edge of gauges.edges()) {
          for (const source of edge.sources)
            this.set({ edge: edge.name, source: source.name }, edge.healthy ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'tributary_source_edges',
      help: 'Live edges serving each source the catalog knows (0: the source is offline).',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const source of gauges.sources()) this.set({ source: source.name }, source.edges);
      },
    });
    new Gauge({
      name: 'tributary_audit_queue_depth',
      help: 'Audit records waiting to be written to the store.',
      registers,
      collect() {
        this.set(gauges.audit().pending);
      },
    });
    new Counter({
      name: 'tributary_audit_records_dropped_total',
      help: 'Audit records lost to a full queue or a failed write since start.',
      registers,
      collect() {
        this.reset();
        this.inc(gauges.audit().dropped);
      },
    });
  }

  /** Starts measuring one query; the meter records its end exactly once. */
  startQuery(protocol: Protocol): QueryMeter {
    return new QueryMeter(this, protocol);
  }
}

/** One query's measurements: rows and bytes as they stream, first batch, and the end. */
export class QueryMeter {
  private readonly startedAt = performance.now();
  private sawFirstBatch = false;
  private ended = false;

  constructor(
    private readonly metrics: CoordinatorMetrics,
    private readonly protocol: Protocol,
  ) {
    metrics.activeQueries.inc({ protocol });
  }

  streamed(rows: number, bytes: number): void {
    const labels = { protocol: this.protocol };
    if (rows > 0 && !this.sawFirstBatch) {
      this.sawFirstBatch = true;
      this.metrics.timeToFirstBatch.observe(labels, this.seconds());
    }
    if (rows > 0) this.metrics.rowsStreamed.inc(labels, rows);
    if (bytes > 0) this.metrics.bytesStreamed.inc(labels, bytes);
  }

  /** `status` is `OK` or the error code the query ended with. */
  end(status: string): void {
    if (this.ended) return;
    this.ended = true;
    const labels = { protocol: this.protocol };
    this.metrics.activeQueries.dec(labels);
    this.metrics.queries.inc({ ...labels, status });
    this.metrics.queryDuration.observe(labels, this.seconds());
  }

  private seconds(): number {
    return (performance.now() - this.startedAt) / 1_000;
  }
}
