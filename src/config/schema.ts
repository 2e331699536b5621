import { z } from 'zod';
import { ReceiptsConfigSchema } from '../receipts/config.js';

/** Default of `tasks.minFreeDiskBytes`. */
const GIB = 1024 ** 3;
/** The longest a presigned S3 URL may stay valid (SigV4 query authentication), seconds. */
export const MAX_RESULT_URL_TTL_SECONDS = 604_800;

/** Default values, one place (nats.js `parseOptions` style). */
export const DEFAULT_DATA_DIR = './lakecast-data';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MYSQL_PORT = 3307;
export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_MAX_CONNECTIONS = 151; // MySQL's max_connections default
/** HTTP connections at once (event streams and long polls hold theirs); more are closed at accept. */
export const DEFAULT_MAX_HTTP_CONNECTIONS = 1024;
export const DEFAULT_QUERY_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_MAX_PACKET_BYTES = 64 * 1024 * 1024; // MySQL 8's max_allowed_packet
/** Default of `eventLoopNice` (see server/priority.ts). */
export const DEFAULT_EVENT_LOOP_NICE = -10;

const port = z.coerce.number().int().min(0).max(65_535);
/** A DuckDB `memory_limit`: an absolute size or a share of the machine's RAM. */
const memoryLimit = z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)$/i);

/**
 * The one configuration schema: defaults, validation and types for the config file, `LAKECAST_*` env vars
 * and CLI flags (flags win over env, env over the file). Documented in docs/configuration.md.
 */
export const ConfigSchema = z
  .object({
    /** Where the catalog, the lake, results and the hub live. */
    dataDir: z.string().min(1).default(DEFAULT_DATA_DIR),
    /** Address both listeners bind to. Loopback by default: expose deliberately. */
    host: z.string().min(1).default(DEFAULT_HOST),
    mysqlPort: port.default(DEFAULT_MYSQL_PORT),
    httpPort: port.default(DEFAULT_HTTP_PORT),
    /** `sqlite` (a file in the data dir), `sqlite:/path/file.db`, or `postgres://…`. */
    catalog: z.string().min(1).default('sqlite'),
    /**
     * Scheduling priority (nice, −20 … 19) of the event loop, which answers clients and acknowledges catalog
     * commits, above the threads that run queries; applied when the process may (root or CAP_SYS_NICE), else left
     * at 0 with an info log. 0 = leave it.
     */
    eventLoopNice: z.coerce.number().int().min(-20).max(19).default(DEFAULT_EVENT_LOOP_NICE),
    /** Generate and register the `demo` schema on first start. */
    demo: z.coerce.boolean().default(false),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    tls: z
      .object({ certFile: z.string().min(1), keyFile: z.string().min(1) })
      .optional()
      .describe('PEM certificate and key: enables TLS (SSLRequest) on the MySQL port'),
    limits: z
      .object({
        /** Per-query timeout for synchronous queries, ms (0 = none). */
        queryTimeoutMs: z.coerce.number().int().min(0).default(DEFAULT_QUERY_TIMEOUT_MS),
        /**
         * DuckDB `memory_limit` of the server's engine (synchronous queries), e.g. `4GB` or `50%`; the task
         * thread's engine has its own (`tasks.engineMemoryLimit`).
         */
        engineMemoryLimit: memoryLimit.default('50%'),
        /** DuckDB worker threads (0 = one per core). */
        engineThreads: z.coerce.number().int().min(0).default(0),
        maxConnections: z.coerce.number().int().min(1).default(DEFAULT_MAX_CONNECTIONS),
        maxHttpConnections: z.coerce.number().int().min(1).default(DEFAULT_MAX_HTTP_CONNECTIONS),
        maxPacketBytes: z.coerce.number().int().min(1024).default(DEFAULT_MAX_PACKET_BYTES),
      })
      .default({
        queryTimeoutMs: DEFAULT_QUERY_TIMEOUT_MS,
        engineMemoryLimit: '50%',
        engineThreads: 0,
        maxConnections: DEFAULT_MAX_CONNECTIONS,
        maxHttpConnections: DEFAULT_MAX_HTTP_CONNECTIONS,
        maxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
      }),
    lake: z
      .object({
        /**
         * Local folders `file://` table locations may point into (the sandbox). The data dir's `lake/` folder is
         * always allowed.
         */
        fileRoots: z.array(z.string().min(1)).default([]),
      })
      .default({ fileRoots: [] }),
    tasks: z
      .object({
        /** Async tasks that run at once on this server. */
        concurrency: z.coerce.number().int().min(1).max(256).default(8),
        /** Tasks of one user running at once on this server (0 = no cap): a user's long tasks leave slots for others. */
        maxRunningPerUser: z.coerce.number().int().min(0).default(0),
        /** Tasks one user may have waiting (QUEUED) on this server; a submit beyond is LC_TASK_QUEUE_FULL. */
        maxQueuedPerUser: z.coerce.number().int().min(1).default(10_000),
        /** Timeout of a task without a `query-timeout` hint, ms (0 = none). */
        defaultTimeoutMs: z.coerce.number().int().min(0).default(DEFAULT_QUERY_TIMEOUT_MS),
        /** Result files older than this many days are deleted (0 = keep). */
        retentionDays: z.coerce.number().int().min(0).default(7),
        /** Rows of tasks that ended more than this many days ago are deleted, with their results (0 = keep). */
        historyDays: z.coerce.number().int().min(0).max(36_500).default(90),
        /** Where results go: empty = `<dataDir>/results/`, or `s3://bucket/prefix/` (uses `s3` credentials). */
        resultsUri: z.string().default(''),
        /** Two characters `[0-9a-z]` inside task ids, distinct per server sharing a catalog. */
        nodeCode: z
          .string()
          .regex(/^[0-9a-z]{2}$/)
          .default('lc'),
        /**
         * Where task queries run: `thread` (default) — a worker thread with an engine of its own, at a lower CPU
         * priority, so async work never holds up clients; `inline` — the server's engine on the main thread.
         */
        executor: z.enum(['thread', 'inline']).default('thread'),
        /** DuckDB `memory_limit` of the task thread's engine (with `executor: thread`). */
        engineMemoryLimit: memoryLimit.default('25%'),
        /**
         * gzip of CSV and NDJSON result downloads for clients that accept it: `remote` — only to clients that
         * are not on this machine (on loopback compressing is slower than sending); `always`; `never`.
         */
        resultGzip: z.enum(['remote', 'always', 'never']).default('remote'),
        /** Most bytes of one result file; a larger result fails its task (LC_TASK_RESULT_TOO_LARGE). 0 = no cap. */
        maxResultBytes: z.coerce.number().int().min(0).default(0),
        /** Free bytes a local results disk keeps: a result that would go below fails (LC_TASK_DISK_FULL). 0 = none. */
        minFreeDiskBytes: z.coerce.number().int().min(0).default(GIB),
        /**
         * How long a result link (`GET /v1/tasks/{id}/result-url`, `…/result?redirect=true`) stays valid, seconds:
         * presigned by S3 for an `s3://` results root, else signed by the server; 0 = no links. At most 604,800
         * (seven days, S3's limit).
         */
        resultUrlTtlSeconds: z.coerce.number().int().min(0).max(MAX_RESULT_URL_TTL_SECONDS).default(900),
      })
      .default({
        concurrency: 8,
        maxQueuedPerUser: 10_000,
        maxRunningPerUser: 0,
        defaultTimeoutMs: DEFAULT_QUERY_TIMEOUT_MS,
        retentionDays: 7,
        historyDays: 90,
        resultsUri: '',
        nodeCode: 'lc',
        executor: 'thread',
        engineMemoryLimit: '25%',
        resultGzip: 'remote',
        maxResultBytes: 0,
        minFreeDiskBytes: GIB,
        resultUrlTtlSeconds: 900,
      }),
    /** Message receipts: named channels, SSRF allowlist, retry policy. See docs/receipts.md. */
    receipts: ReceiptsConfigSchema.prefault({}),
    hub: z
      .object({
        /** Where the hub keeps its log: empty = `<dataDir>/hub` (embedded segments), or a `nats://` URL (JetStream). */
        location: z.string().default(''),
        /** Embedded log: `batch` fsyncs each append before acknowledging it; `interval` fsyncs every `intervalMs`. */
        durability: z.enum(['batch', 'interval']).default('batch'),
        intervalMs: z.coerce.number().int().min(1).default(100),
      })
      .default({ location: '', durability: 'batch', intervalMs: 100 }),
    /** Credentials and endpoint for `s3://` locations (any S3-compatible server). */
    s3: z
      .object({
        endpoint: z.string().url().optional(),
        /** Where clients reach the service, when not at `endpoint`: result links are signed for it. */
        publicEndpoint: z.string().url().optional(),
        region: z.string().default('us-east-1'),
        accessKeyId: z.string().optional(),
        secretAccessKey: z.string().optional(),
        forcePathStyle: z.coerce.boolean().default(true),
      })
      .default({ region: 'us-east-1', forcePathStyle: true }),
  })
  .strict();

/** Validated, frozen configuration. */
export type Config = Readonly<z.infer<typeof ConfigSchema>>;
/** What a caller may pass: every field optional. */
export type ConfigInput = z.input<typeof ConfigSchema>;
