import { createMetricsRegistry, QUERY_SECONDS_BUCKETS, type Registry } from '@tributary/core';
import { Counter, Gauge, Histogram } from 'prom-client';

/** What the metrics read from the engine when scraped. */
export interface EdgePool {
  /** Queries holding a DuckDB connection now. */
  readonly activeQueries: number;
  /** Queries waiting for a connection. */
  readonly queuedQueries: number;
}

/** Every metric an edge exports, on a registry of its own. Labels are error codes only. */
export class EdgeMetrics {
  readonly registry: Registry;
  readonly queries: Counter<'status'>;
  readonly queryDuration: Histogram;
  readonly rows: Counter;
  readonly bytes: Counter;
  readonly activeQueries: Gauge;
  readonly schemaDiscovery: Histogram;
  readonly routes: Counter<'path'>;
  readonly postgresRows: Counter<'source'>;

  constructor(pool: EdgePool, registry: Registry = createMetricsRegistry('edge')) {
    this.registry = registry;
    const registers = [registry];
    this.queries = new Counter({
      name: 'tributary_edge_queries_total',
      help: 'Queries this edge ran to an end, by status (OK or the error code).',
      labelNames: ['status'],
      registers,
    });
    this.queryDuration = new Histogram({
      name: 'tributary_edge_query_duration_seconds',
      help: 'Time from receiving a query to its end at this edge.',
      buckets: QUERY_SECONDS_BUCKETS,
      registers,
    });
    this.rows = new Counter({
      name: 'tributary_edge_query_rows_total',
      help: 'Result rows sent to the coordinator.',
      registers,
    });
    this.bytes = new Counter({
      name: 'tributary_edge_query_bytes_total',
      help: 'Arrow IPC bytes of results sent to the coordinator.',
      registers,
    });
    this.activeQueries = new Gauge({
      name: 'tributary_edge_active_queries',
      help: 'Queries being served now, including those waiting for a DuckDB connection.',
      registers,
    });
    this.routes = new Counter({
      name: 'tributary_edge_query_paths_total',
      help: 'Queries by where they ran: engine, pushdown (whole in PostgreSQL) or fallback (PostgreSQL rows into DuckDB).',
      labelNames: ['path'],
      registers,
    });
    this.postgresRows = new Counter({
      name: 'tributary_edge_postgres_rows_read_total',
      help: 'Rows read from PostgreSQL tables into DuckDB for queries finished there (after pushed filters).',
      labelNames: ['source'],
      registers,
    });
    this.schemaDiscovery = new Histogram({
      name: 'tributary_edge_schema_discovery_duration_seconds',
      help: 'Time to discover the schemas of every source (at start and on refresh).',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    new Gauge({
      name: 'tributary_edge_duckdb_connections_in_use',
      help: 'DuckDB connections of the pool running a query now.',
      registers,
      collect() {
        this.set(pool.activeQueries);
      },
    });
    new Gauge({
      name: 'tributary_edge_duckdb_queries_waiting',
      help: 'Queries waiting for a free DuckDB connection.',
      registers,
      collect() {
        this.set(pool.queuedQueries);
      },
    });
  }

  /** Times a schema discovery. */
  routed(path: string): void {
    this.routes.inc({ path });
  }

  /** Counts rows read from a PostgreSQL source into DuckDB. */
  rowsRead(source: string, rows: number): void {
    this.postgresRows.inc({ source }, rows);
  }

  async timeDiscovery<T>(discover: () => Promise<T>): Promise<T> {
    const end = this.schemaDiscovery.startTimer();
    try {
      return await discover();
    } finally {
      end();
    }
  }

  startQuery(): EdgeQueryMeter {
    return new EdgeQueryMeter(this);
  }
}

/** One query at the edge: rows and bytes as they are sent, and its end, recorded once. */
export class EdgeQueryMeter {
  private readonly startedAt = performance.now();
  private ended = false;

  constructor(private readonly metrics: EdgeMetrics) {
    metrics.activeQueries.inc();
  }

  sent(rows: number, bytes: number): void {
    if (rows > 0) this.metrics.rows.inc(rows);
    if (bytes > 0) this.metrics.bytes.inc(bytes);
  }

  /** `status` is `OK` or the error code the query ended with. */
  end(status: string): void {
    if (this.ended) return;
    this.ended = true;
    this.metrics.activeQueries.dec();
    this.metrics.queries.inc({ status });
    this.metrics.queryDuration.observe((performance.now() - this.startedAt) / 1_000);
  }
}
