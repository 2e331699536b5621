import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Lakecast's Prometheus metrics, one registry per server (tests run several servers in one process). */
export interface Metrics {
  readonly registry: Registry;
  readonly connections: Gauge<'protocol'>;
  readonly connectionsTotal: Counter<'protocol'>;
  readonly queries: Counter<'protocol' | 'status'>;
  readonly queryErrors: Counter<'protocol' | 'code'>;
  readonly queryDuration: Histogram<'protocol'>;
  readonly rowsReturned: Counter<'protocol'>;
  readonly scannedBytes: Counter<'protocol'>;
  readonly httpRequests: Counter<'route' | 'status'>;
}

/** Query latency buckets (seconds): sub-millisecond commands up to long OLAP queries. */
export const QUERY_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/** Creates the metrics of one server. `withDefaults` adds Node process metrics (CPU, memory, event loop). */
export function createMetrics(options: { withDefaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.withDefaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'lakecast_' });
  return {
    registry,
    connections: new Gauge({
      name: 'lakecast_connections',
      help: 'Open client connections',
      labelNames: ['protocol'],
      registers: [registry],
    }),
    connectionsTotal: new Counter({
      name: 'lakecast_connections_total',
      help: 'Client connections accepted',
      labelNames: ['protocol'],
      registers: [registry],
    }),
    queries: new Counter({
      name: 'lakecast_queries_total',
      help: 'Statements executed, by protocol and outcome (ok, error)',
      labelNames: ['protocol', 'status'],
      registers: [registry],
    }),
    queryErrors: new Counter({
      name: 'lakecast_query_errors_total',
      help: 'Statements that failed, by protocol and stable error code',
      labelNames: ['protocol', 'code'],
      registers: [registry],
    }),
    queryDuration: new Histogram({
      name: 'lakecast_query_duration_seconds',
      help: 'Statement latency from receipt to last row sent',
      labelNames: ['protocol'],
      buckets: QUERY_DURATION_BUCKETS,
      registers: [registry],
    }),
    rowsReturned: new Counter({
      name: 'lakecast_rows_returned_total',
      help: 'Rows sent to clients',
      labelNames: ['protocol'],
      registers: [registry],
    }),
    scannedBytes: new Counter({
      name: 'lakecast_scanned_bytes_total',
      help: 'Bytes read by queries from files and object storage',
      labelNames: ['protocol'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'lakecast_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
  };
}
