import type { Expression, ExpressionBuilder, Kysely, SqlBool, Transaction } from 'kysely';
import { GroupCommitter } from './group-commit.js';
import type { FinishFields, NewTask, TaskRecord, TasksDatabase, TerminalStatus } from './types.js';

/** A condition on `query_tasks`, built with Kysely (bound parameters only). */
export type TaskCondition = (eb: ExpressionBuilder<TasksDatabase, 'query_tasks'>) => Expression<SqlBool>;

/**
 * Runs inside a task's terminal transaction (the receipts outbox row is written there); answers the fields it
 * wrote to the task's row, if any.
 */
// biome-ignore lint/suspicious/noExplicitAny: the outbox writer brings its own table types
export type FinishHook = (tx: Transaction<any>, task: TaskRecord) => Promise<Partial<TaskRecord> | undefined>;

/** Columns a task listing may be ordered by (every column of the table). */
export type TaskColumn = keyof TaskRecord & string;

export interface TaskListOptions {
  /** Only this creator's tasks. */
  readonly creator?: string;
  readonly status?: TaskRecord['status'];
  readonly where?: TaskCondition;
  /** Default: `create_time desc, id desc` (newest first). `id` is always added as the last tie-breaker. */
  readonly orderBy?: readonly { column: TaskColumn; direction: 'asc' | 'desc' }[];
  readonly limit?: number;
  readonly offset?: number;
}

/**
 * Durable task rows in the catalog database. Every state transition is a compare-and-set (`where status in
 * (…)`), so two actors (runner, KILL, recovery on another node) never both win; methods that transition
 * return false when the row was not in an expected state.
 */
export interface TaskStore {
  /** Inserts a QUEUED task; resolves once durable. Throws the driver's unique error on a duplicate token. */
  insert(task: NewTask): Promise<void>;
  get(id: string): Promise<TaskRecord | null>;
  findByClientToken(creator: string, token: string): Promise<TaskRecord | null>;
  /** QUEUED → RUNNING; counts the attempt, sets started_at, queue_time (first attempt) and mpp_query_id. */
  markRunning(id: string, now: number, mppQueryId: string): Promise<boolean>;
  /** Writes progress (0–100) while RUNNING. False when the task is no longer RUNNING (cancelled elsewhere). */
  updateProgress(id: string, progress: number, now: number): Promise<boolean>;
  /** RUNNING → QUEUED (recovery of an idempotent task). */
  requeue(id: string, now: number): Promise<boolean>;
  /**
   * QUEUED|RUNNING → `terminal` with `fields`, in one transaction; `inTx` runs inside the same transaction
   * (the receipts outbox row is written there) and its failure rolls the transition back.
   */
  finish(
    id: string,
    terminal: TerminalStatus,
    fields: FinishFields,
    now: number,
    inTx?: FinishHook,
  ): Promise<boolean>;
  /**
   * {@link finish} that answers the row as committed (null when the compare-and-set lost), read inside the
   * transaction (`RETURNING`, plus the fields `inTx` says it wrote to the row): nobody needs to read it
   * again after the commit.
   */
  finishRow(
    id: string,
    terminal: TerminalStatus,
    fields: FinishFields,
    now: number,
    inTx?: FinishHook,
  ): Promise<TaskRecord | null>;
  list(options?: TaskListOptions): Promise<TaskRecord[]>;
  /** Tasks of `node` still QUEUED or RUNNING (recovery), oldest first. */
  listUnfinished(node: string): Promise<TaskRecord[]>;
  /** Finished tasks with a live result file that finished before `before`. */
  listExpired(before: number, limit: number): Promise<TaskRecord[]>;
  markResultDeleted(id: string, now: number): Promise<void>;
}

const NUMERIC: readonly (keyof TaskRecord)[] = [
  'create_time',
  'update_time',
  'connection_id',
  'row_count',
  'elapse_time',
  'scanned_row_count',
  'scanned_data_bytes',
  'cancellable_task',
  'mq_total_time',
  'progress',
  'queue_time',
  'result_file_size',
  'attempts',
  'started_at',
  'finished_at',
  'result_deleted_at',
];

/** PostgreSQL's driver returns `bigint` as strings; normalize every numeric column to `number`. */
export function normalizeTask(row: Record<string, unknown>): TaskRecord {
  const out: Record<string, unknown> = { ...row };
  for (const k of NUMERIC) {
    const v = out[k];
    if (v !== null && v !== undefined && typeof v !== 'number') out[k] = Number(v);
  }
  return out as unknown as TaskRecord;
}

/** Creates the store over the catalog's Kysely instance (`catalog.db`). */
export function createTaskStore(db: Kysely<TasksDatabase>): TaskStore {
  const table = () => db.selectFrom('query_tasks').selectAll();
  // Every write goes through the group committer: concurrent transitions share one commit.
  const writer = new GroupCommitter(db);
  const store: TaskStore = {
    async insert(task) {
      await writer.run((tx) =>
        tx
          .insertInto('query_tasks')
          .values({
            mpp_query_id: null,
            message: null,
            row_count: null,
            elapse_time: null,
            scanned_row_count: null,
            scanned_data_bytes: null,
            result_file_oss_file: null,
            mq_product: null,
            mq_model: null,
            mq_topic: null,
            mq_queue: null,
            mq_producer_id: null,
            mq_endpoint: null,
            mq_status: null,
            mq_error_msg: null,
            mq_message_id: null,
            mq_total_time: null,
            progress: null,
            queue_time: null,
            result_file_size: null,
            started_at: null,
            finished_at: null,
            result_key: null,
            result_deleted_at: null,
            ...task,
            status: 'QUEUED',
            update_time: task.create_time,
            cancellable_task: 1,
            attempts: 0,
          })
          .execute(),
      );
    },
    async get(id) {
      const row = await table().where('id', '=', id).executeTakeFirst();
      return row ? normalizeTask(row) : null;
    },
    async findByClientToken(creator, token) {
      const row = await table()
        .where('creator_id', '=', creator)
        .where('client_token', '=', token)
        .executeTakeFirst();
      return row ? normalizeTask(row) : null;
    },
    async markRunning(id, now, mppQueryId) {
      const r = await writer.run((tx) =>
        tx
          .updateTable('query_tasks')
          .set((eb) => ({
            status: 'RUNNING',
            update_time: now,
            started_at: now,
            mpp_query_id: mppQueryId,
            progress: 0,
            attempts: eb('attempts', '+', 1),
            // First attempt only: the time from submit to start.
            queue_time: eb.fn.coalesce('queue_time', eb(eb.val(now), '-', eb.ref('create_time'))),
          }))
          .where('id', '=', id)
          .where('status', '=', 'QUEUED')
          .executeTakeFirst(),
      );
      return Number(r.numUpdatedRows) === 1;
    },
    async updateProgress(id, progress, now) {
      const r = await writer.run((tx) =>
        tx
          .updateTable('query_tasks')
          .set({ progress, update_time: now })
          .where('id', '=', id)
          .where('status', '=', 'RUNNING')
          .executeTakeFirst(),
      );
      return Number(r.numUpdatedRows) === 1;
    },
    async requeue(id, now) {
      const r = await db
        .updateTable('query_tasks')
        .set({ status: 'QUEUED', update_time: now, progress: null })
        .where('id', '=', id)
        .where('status', '=', 'RUNNING')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async finish(id, terminal, fields, now, inTx) {
      return (await store.finishRow(id, terminal, fields, now, inTx)) !== null;
    },
    async finishRow(id, terminal, fields, now, inTx) {
      return writer.run(async (tx) => {
        const row = await tx
          .updateTable('query_tasks')
          .set({ ...fields, status: terminal, update_time: now, finished_at: now, cancellable_task: 0 })
          .where('id', '=', id)
          .where('status', 'in', ['QUEUED', 'RUNNING'])
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        const task = normalizeTask(row);
        if (!inTx) return task;
        // The hook may write to the row (receipts set mq_status) and says what: answer the row as committed.
        const changed = await inTx(tx, task);
        return changed ? { ...task, ...changed } : task;
      });
    },
    async list(options = {}) {
      let q = table();
      if (options.creator !== undefined) q = q.where('creator_id', '=', options.creator);
      if (options.status !== undefined) q = q.where('status', '=', options.status);
      if (options.where) q = q.where(options.where);
      const order = options.orderBy ?? [
        { column: 'create_time', direction: 'desc' },
        { column: 'id', direction: 'desc' },
      ];
      for (const o of order) q = q.orderBy(o.column, o.direction);
      if (!order.some((o) => o.column === 'id')) q = q.orderBy('id', 'asc');
      if (options.limit !== undefined) q = q.limit(options.limit);
      if (options.offset) {
        if (options.limit === undefined) q = q.limit(Number.MAX_SAFE_INTEGER);
        q = q.offset(options.offset);
      }
      return (await q.execute()).map(normalizeTask);
    },
    async listUnfinished(node) {
      const rows = await table()
        .where('node', '=', node)
        .where('status', 'in', ['QUEUED', 'RUNNING'])
        .orderBy('create_time', 'asc')
        .orderBy('id', 'asc')
        .execute();
      return rows.map(normalizeTask);
    },
    async listExpired(before, limit) {
      const rows = await table()
        .where('finished_at', '<', before)
        .where('result_key', 'is not', null)
        .where('result_deleted_at', 'is', null)
        .orderBy('finished_at', 'asc')
        .limit(limit)
        .execute();
      return rows.map(normalizeTask);
    },
    async markResultDeleted(id, now) {
      await db
        .updateTable('query_tasks')
        .set({ result_deleted_at: now, update_time: now })
        .where('id', '=', id)
        .execute();
    },
  };
  return store;
}
