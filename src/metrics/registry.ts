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
  /** Async tasks ended, by terminal status (SUCCESS, FAILURE, CANCELLED). */
  readonly tasksFinished: Counter<'status'>;
  /**
   * Async tasks ended as FAILURE, by the error code their `message` starts with (`LC_TASK_DISK_FULL`,
   * `LC_TIMEOUT`, `LC_ENGINE_…`): what to alert on. Codes come from the error catalog, so the label is bounded.
   */
  readonly taskFailures: Counter<'code'>;
  /** Wall time of a task's run (its `elapse_time`), by terminal status. */
  readonly taskDuration: Histogram<'status'>;
  /** Times the task executor thread stopped (crash, out of memory, restart) and was replaced. */
  readonly taskExecutorRestarts: Counter;
  /**
   * Reports tasks waiting and running at each scrape (`lakecast_tasks_queued`, `lakecast_tasks_running`) from
   * `stats` (the task service's `stats()`); before it is called both read 0.
   */
  observeTaskQueue(stats: () => { queued: number; running: number }): void;
}

/** Query latency buckets (seconds): sub-millisecond commands up to long OLAP queries. */
export const QUERY_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/** Creates the metrics of one server. `withDefaults` adds Node process metrics (CPU, memory, event loop). */
export function createMetrics(options: { withDefaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.withDefaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'lakecast_' });
  let taskStats = () => ({ queued: 0, running: 0 });
  addTaskQueueGauges(registry, () => taskStats());
  return {
    observeTaskQueue(stats) {
      taskStats = stats;
    },
    tasksFinished: new Counter({
      name: 'lakecast_tasks_finished_total',
      help: 'Async query tasks ended, by terminal status',
      labelNames: ['status'],
      registers: [registry],
    }),
    taskFailures: new Counter({
      name: 'lakecast_task_failures_total',
      help: 'Async query tasks ended as FAILURE, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    taskDuration: new Histogram({
      name: 'lakecast_task_duration_seconds',
      help: "Async query tasks' run time (elapse_time), by terminal status",
      labelNames: ['status'],
      buckets: QUERY_DURATION_BUCKETS,
      registers: [registry],
    }),
    taskExecutorRestarts: new Counter({
      name: 'lakecast_task_executor_restarts_total',
      help: 'Times the task executor thread stopped and was replaced (its running tasks failed)',
      registers: [registry],
    }),
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

/** The two gauges read from the task service at scrape time. */
function addTaskQueueGauges(registry: Registry, stats: () => { queued: number; running: number }): void {
  new Gauge({
    name: 'lakecast_tasks_queued',
    help: 'Async query tasks waiting for a slot on this server',
    registers: [registry],
    collect() {
      this.set(stats().queued);
    },
  });
  new Gauge({
    name: 'lakecast_tasks_running',
    help: 'Async query tasks holding a slot on this server',
    registers: [registry],
    collect() {
      this.set(stats().running);
    },
  });
}
