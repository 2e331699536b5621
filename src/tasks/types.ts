/** Public types and defaults of the task service (see service.ts, docs/tasks.md). */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { AuthUser } from '../auth/types.js';
import type { Engine } from '../engine/types.js';
import type { Logger, RowsResult } from '../shared/index.js';
import type { Hints } from '../sql/hints.js';
import type { SessionContext } from '../sql/types.js';
import type { ByteRange, ObjectStore } from '../storage/types.js';
import type { TaskEvents } from './events.js';
import type { TaskExecutor } from './executor.js';
import type { ResultLinkSigner } from './link-signer.js';
import type { ResultLink } from './result-access.js';
import type { ResultLimits } from './result-budget.js';
import type { FinishHook, TaskRecord, TaskStore } from './store/index.js';

export const DEFAULT_TASK_CONCURRENCY = 8;
export const DEFAULT_TASK_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_RETENTION_DAYS = 7;
export const DEFAULT_HISTORY_DAYS = 90;
export const DEFAULT_NODE_CODE = 'lc';
export const DEFAULT_PROGRESS_WRITE_MS = 1_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

/** Configuration of {@link createTaskService}. */
/** Default of {@link TaskServiceConfig.maxQueuedPerUser}. */
export const DEFAULT_MAX_QUEUED_PER_USER = 10_000;

export interface TaskServiceConfig {
  /** Tasks that run at once on this node (default {@link DEFAULT_TASK_CONCURRENCY}). */
  readonly concurrency?: number;
  /** Tasks one user may have waiting on this node; a submit beyond is LC_TASK_QUEUE_FULL (default {@link DEFAULT_MAX_QUEUED_PER_USER}). */
  readonly maxQueuedPerUser?: number;
  /** Timeout of a task without `query-timeout`, ms; 0 = none (default 30 min). */
  readonly defaultTimeoutMs?: number;
  /** Result files older than this many days are deleted by the sweep; 0 = keep forever (default 7). */
  readonly retentionDays?: number;
  /**
   * Rows of tasks that ended more than this many days ago are deleted by the sweep, with their result files and
   * receipts; 0 = keep forever (default {@link DEFAULT_HISTORY_DAYS}).
   */
  readonly historyDays?: number;
  /** The 2-character `[0-9a-z]` node code inside task ids; also tags rows owned by this node (default `lc`). */
  readonly nodeCode?: string;
  /** At most one progress write to the catalog per task per this many ms (default 1000). Events are not throttled. */
  readonly progressWriteMs?: number;
  /** A SELECT interrupted by crashes this many times ends as FAILURE instead of running again (default 3). */
  readonly maxAttempts?: number;
  /**
   * Most tasks of one user running at once on this node (0 = no cap, the default): a user's long tasks then
   * leave slots for others. See slots.ts.
   */
  readonly maxRunningPerUser?: number;
  /** Most bytes of one result file; a larger result fails the task with LC_TASK_RESULT_TOO_LARGE (0 = none, the default). */
  readonly maxResultBytes?: number;
  /**
   * Free bytes a local results disk keeps: a result that would take it below fails with LC_TASK_DISK_FULL
   * (default 1 GiB; 0 = no floor).
   */
  readonly minFreeDiskBytes?: number;
  /**
   * How long a result link ({@link TaskService.resultUrl}) stays valid, seconds (default 900); 0 = no links.
   * Links need a results store that can presign (S3).
   */
  readonly resultUrlTtlSeconds?: number;
}

/**
 * What runs one user query exactly as a synchronous query would (the SQL front's `prepareUserQuery`): the
 * engine SQL, and `scans: false` when it reads no table (see `QueryOptions.scans`; absent: true).
 */
export type PrepareQuery = (
  ctx: SessionContext,
  sql: string,
) => Promise<{ readonly engineSql: string; readonly scans?: boolean }>;

/**
 * Writes a Parquet result (the engine's `COPY … TO`, see parquet.ts `engineParquetWriter`). `engineSql` is the
 * SQL front's `prepareUserQuery` output. The service streams `body` into the result store, then calls
 * `dispose()` (also after a failure or cancel). Without a writer `output-format=parquet` is refused.
 */
export type ParquetWriter = (
  engineSql: string,
  options: {
    signal: AbortSignal;
    defaultSchema?: string;
    onProgress?: (percent: number) => void;
    /** Held while the file is written, before it reaches the result store (see result-budget.ts). */
    limits?: ResultLimits;
  },
) => Promise<{
  body: Readable;
  stats: () => { rowsReturned: number; scannedRows: number; scannedBytes: number };
  /** Deletes what the writer left behind (the temporary file). */
  dispose?: () => Promise<void>;
}>;

/** Dependencies of {@link createTaskService}. */
export interface TaskServiceDeps {
  /** The catalog (its `db`, migrated with 0002_tasks). */
  // biome-ignore lint/suspicious/noExplicitAny: the catalog's db is deliberately untyped (see Catalog.db)
  readonly catalog: { readonly db: Kysely<any> };
  readonly engine: Pick<Engine, 'query'>;
  readonly prepare: PrepareQuery;
  /** Where result files go (`<root>/YYYY/MM/DD/<task id>/result.<ext>`). */
  readonly resultStore: ObjectStore;
  readonly config?: TaskServiceConfig;
  readonly logger?: Logger;
  /** Epoch ms; default Date.now. */
  readonly clock?: () => number;
  /** The user a recovered task runs as (default: `{ name, admin: false }`); null = the user is gone. */
  readonly resolveUser?: (name: string) => Promise<AuthUser | null>;
  readonly writeParquet?: ParquetWriter;
  /**
   * Runs each task's query and writes its result file (see executor.ts). Default: an inline executor over
   * `engine`, `resultStore` and `writeParquet` on this thread.
   */
  readonly executor?: TaskExecutor;
  /**
   * Runs inside the transaction that ends a task (receipts write their outbox row here). Throwing rolls the
   * terminal transition back and the task is finished again without the hook.
   */
  readonly onFinishInTx?: FinishHook;
  /**
   * Submit-time check of the receipt hints (receipts: the `mq-notify-by` channel exists, an `mq-endpoint` is on the
   * allowlist). Called before the row is written, only for a task with `mq-notify-by` or `mq-endpoint`; throwing
   * refuses the submit with that error, so a misspelt channel is known at once, not from `mq_status = FAILURE`.
   */
  readonly checkHints?: (hints: Pick<Hints, 'mqNotifyBy' | 'mqEndpoint'>) => Promise<void>;
  /**
   * Signs result links this server serves itself, for a results store that cannot presign (a local folder); absent:
   * such a store has no links. createTasksCapability gives one over `<dataDir>/secrets/result-links.key`.
   */
  readonly linkSigner?: ResultLinkSigner;
}

/** Who submits: the session's user, database and connection. */
export type SubmitContext = Pick<SessionContext, 'user' | 'database' | 'connectionId'> &
  Partial<SessionContext>;

/** Filters of {@link TaskService.list}. */
/** Tasks per catalog read of {@link TaskService.listPages}. */
export const TASK_LIST_PAGE = 250;

export interface TaskListFilter {
  readonly status?: TaskRecord['status'];
  /** 1–10,000, default 100. */
  readonly limit?: number;
  /** Admins only: another user's tasks, or `*` for everyone's. Default: the actor's own. */
  readonly creator?: string;
  /** Only tasks listed after this one (newest first): the last id of the previous page. Must be visible. */
  readonly after?: string;
}

/** The async task service. */
export interface TaskService {
  readonly events: TaskEvents;
  readonly store: TaskStore;
  /**
   * Stores a QUEUED task (durably) and returns its id; the query runs later. `sql` is the full text (hint
   * included; it becomes `command`). `hints` defaults to the hints parsed from `sql`. With `client-token`, the
   * same token from the same user returns the first task's id (LC_TASK_TOKEN_REUSED for a different statement).
   */
  submit(ctx: SubmitContext, sql: string, hints?: Hints): Promise<string>;
  /** A task the actor may see (own, or any for admins), else LC_TASK_NOT_FOUND. */
  get(id: string, actor: AuthUser): Promise<TaskRecord>;
  /** Tasks the actor may see, newest first (default limit 100, at most 10,000). */
  list(actor: AuthUser, filter?: TaskListFilter): Promise<TaskRecord[]>;
  /**
   * The same tasks as {@link list}, in pages of at most {@link TASK_LIST_PAGE} read one by one (keyset), the
   * event loop turning between pages: for answers that stream them (a long list never holds up other clients).
   */
  listPages(actor: AuthUser, filter?: TaskListFilter): AsyncGenerator<TaskRecord[]>;
  /**
   * Cancels a QUEUED or RUNNING task: CANCELLED is durable at once, a running engine query is interrupted and
   * its partial result deleted; resolves within ~1 s with the final row. LC_TASK_FINISHED when already ended.
   */
  cancel(id: string, actor: AuthUser): Promise<TaskRecord>;
  /**
   * Streams the result file of a SUCCESS task to its owner (or an admin), whole or only `range` of it; `range`
   * in the answer is what was resolved against the file's size (null: the whole file). A range that starts past
   * the end throws LC_TASK_RANGE_NOT_SATISFIABLE carrying the file's `size`.
   */
  openResult(id: string, actor: AuthUser, range?: RangeRequest): Promise<OpenedResult>;
  /**
   * The same for whoever holds a server-signed result link's token (see link-signer.ts): LC_TASK_LINK_INVALID for
   * a token that is not this server's, altered or expired, or when links are off; then {@link openResult}'s errors.
   */
  openResultByLink(token: string, range?: RangeRequest): Promise<OpenedResult>;
  /**
   * A URL that downloads the result file of a SUCCESS task straight from the results store, without credentials,
   * until `expiresAt` (a presigned S3 GetObject URL): the owner (or an admin) only, with {@link openResult}'s
   * errors, and LC_TASK_RESULT_URL_UNAVAILABLE on a local results root or with links off.
   */
  resultUrl(id: string, actor: AuthUser): Promise<ResultLink>;
  /**
   * Deletes a SUCCESS task's result file now (its owner or an admin) and sets `result_deleted_at`; the row stays.
   * LC_TASK_NO_RESULT when the task has no result file; a deleted one stays deleted (no error). Returns the row.
   */
  deleteResult(id: string, actor: AuthUser): Promise<TaskRecord>;
  /** Runs recovery (see docs/tasks.md) and starts the queue and the retention timer (results and history). */
  start(): Promise<{ requeued: number; failed: number }>;
  /** Deletes expired result files and marks their rows; returns how many. */
  sweep(): Promise<number>;
  /** Deletes the rows of tasks older than `historyDays` (with what is left of their results); returns how many. */
  sweepHistory(): Promise<number>;
  /**
   * Stops taking tasks, waits up to `drainMs` (default 5000) for running ones, then interrupts the rest and
   * leaves them for recovery on the next start.
   */
  close(drainMs?: number): Promise<void>;
  /**
   * Tasks waiting / running on this node (`running`: holding one of the `concurrency` slots — preparing,
   * querying or writing the result; a task whose terminal commit is pending no longer counts), and the
   * characters of statement text the waiting tasks hold in memory (long texts wait in the catalog only).
   */
  stats(): { queued: number; running: number; queuedTextChars: number };
  /**
   * Runs a synchronous query that carries hints (`query-timeout`, `force-persist-result`, `output-format`):
   * rows stream to the caller as the engine produces them. With `force-persist-result` they are also written,
   * batch by batch, to a result file under a task row (created RUNNING, ended like an async task: SUCCESS
   * when the caller read every row, FAILURE otherwise), so SHOW QUERY_TASK lists it.
   */
  runSync(ctx: SessionContext, sql: string, hints: Hints, signal: AbortSignal): Promise<RowsResult>;
}

/**
 * A byte range a client asked for (HTTP `Range: bytes=…`), before it is resolved against the file's size:
 * from `start` to `end` (both included; to the end of the file without `end`), or the last `suffix` bytes.
 */
/** A result file opened for reading ({@link TaskService.openResult}); `range` null = the whole file. */
export interface OpenedResult {
  readonly task: TaskRecord;
  readonly body: Readable;
  readonly contentType: string;
  readonly fileName: string;
  readonly range: (ByteRange & { readonly size: number }) | null;
}

export type RangeRequest = { readonly start: number; readonly end?: number } | { readonly suffix: number };
