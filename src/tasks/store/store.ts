import {
  type CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type QueryResult,
  type SqlBool,
  SqliteAdapter,
  sql,
  type Transaction,
} from 'kysely';
import { offTheEventLoop } from '../../catalog/index.js';
import { TASK_COLUMN_SPECS } from '../columns.js';
import { GroupCommitter } from './group-commit.js';
import { queryTemplate } from './templates.js';
import type {
  FinishFields,
  NewTask,
  QueryTasksTable,
  TaskRecord,
  TaskStatus,
  TasksDatabase,
  TerminalStatus,
} from './types.js';
import { TASK_STATUSES } from './types.js';

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
  /**
   * Keyset paging in the default order (no `orderBy`): only tasks after this one (older, or as old with a
   * smaller id). Each page then costs what it returns, where an OFFSET reads every row it skips.
   */
  readonly after?: { readonly create_time: number; readonly id: string };
  /**
   * `where` admits only QUEUED and RUNNING tasks (see the SQL front's `statusesAdmitted`): on SQLite the store
   * then reads through the (creator, status) index, or the status index without `creator`. Unfinished tasks
   * are few by nature, but SQLite's planner, which has no statistics on the catalog, reads `creator_id = ? AND
   * status IN ('QUEUED', 'RUNNING')` through the creator index instead: every task the user ever ran (16.8 ms
   * with 105,000 tasks, against 0.75 ms).
   */
  readonly unfinishedOnly?: boolean;
  /**
   * `where` pins the task ids (`id = '…'`, `id IN (…)`): few rows, read through the primary key. Like
   * `unfinishedOnly` it keeps the read on the event loop; any other read with a `where`, an `orderBy` or no
   * `creator` may visit every task and runs on the catalog's read thread ({@link offTheEventLoop}).
   */
  readonly idsPinned?: boolean;
  /**
   * `where` admits only tasks with these statuses (see the SQL front's `statusesAdmitted`): a listing of
   * everyone's tasks then reads only their ranges of the status index (see {@link mergesByStatus}).
   */
  readonly statuses?: readonly TaskStatus[];
}

/**
 * True when `options` may make the catalog visit many more rows than it answers: a condition no index serves,
 * a sort of the caller's choice, or everyone's tasks (read a status at a time, see {@link mergesByStatus}: up
 * to five times the page and what it skips). Without these each page reads what it returns through the
 * creator, status or (creator, status) index.
 */
export function mayVisitMany(options: TaskListOptions): boolean {
  if (options.unfinishedOnly || options.idsPinned) return false;
  const indexed = options.creator !== undefined || options.status !== undefined;
  return options.where !== undefined || options.orderBy !== undefined || !indexed;
}

/**
 * True for a listing of everyone's tasks in the default order (keyset pages and OFFSETs included): no index
 * orders all tasks by `create_time`, so one read would sort every task for every page (130 ms a page with
 * 200,000 tasks, 2 minutes for the whole listing). The status index orders each status's tasks, so the store
 * reads the keys of the first `offset + limit` tasks of each status admitted, each in index order, merges them
 * and fetches the rows of the page: a page costs what it returns and skips, times the number of statuses. Past
 * an OFFSET of {@link MERGE_MAX_OFFSET} one sorted read of every task costs less (measured with 200,000 tasks,
 * a status at a time against sorted: 15 / 200 ms at OFFSET 1,000, 65 / 260 ms at 10,000, 460 / 510–590 ms at
 * 100,000, 700 / 505 ms at 190,000).
 */
export function mergesByStatus(options: TaskListOptions): boolean {
  return (
    options.creator === undefined &&
    options.status === undefined &&
    options.orderBy === undefined &&
    (options.offset ?? 0) <= MERGE_MAX_OFFSET &&
    !options.unfinishedOnly &&
    !options.idsPinned
  );
}

/** The largest OFFSET {@link mergesByStatus} serves a status at a time. */
export const MERGE_MAX_OFFSET = 100_000;

/** Ids per `getMany` read: well under SQLite's and PostgreSQL's limits on bound parameters. */
const GET_MANY_CHUNK = 1000;

/** A task's place in the default listing order (`create_time` arrives as a string from PostgreSQL). */
interface TaskKey {
  readonly id: string;
  readonly create_time: number | string;
}

/** Sorts keys in the default listing order: newest first, then the larger id first. */
function newestFirst(keys: TaskKey[]): TaskKey[] {
  return keys.sort(
    (a, b) => Number(b.create_time) - Number(a.create_time) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

/**
 * Durable task rows in the catalog database. Every state transition is a compare-and-set (`where status in
 * (…)`), so two actors (runner, KILL, recovery on another node) never both win; methods that transition
 * return false when the row was not in an expected state.
 */
export interface TaskStore {
  /**
   * Inserts a QUEUED task; resolves once durable. Throws the driver's unique error on a duplicate token. With
   * `running`, the task is inserted RUNNING instead, started at its `create_time` (first attempt, queue time 0):
   * for a task that takes a free slot at once, saving the QUEUED → RUNNING write.
   */
  insert(task: NewTask, running?: { readonly mppQueryId: string }): Promise<void>;
  get(id: string): Promise<TaskRecord | null>;
  findByClientToken(creator: string, token: string): Promise<TaskRecord | null>;
  /**
   * QUEUED → RUNNING; counts the attempt, sets started_at, queue_time (first attempt) and mpp_query_id. Resolves
   * once committed, not necessarily durable (the terminal commit that follows is).
   */
  markRunning(id: string, now: number, mppQueryId: string): Promise<boolean>;
  /**
   * Writes progress (0–100) while RUNNING, committed but not waited on to be durable. False when the task is
   * no longer RUNNING (cancelled elsewhere).
   */
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
  /** The ids {@link list} would answer, in its order (one sorted read for a long ordered listing). */
  listIds(options?: TaskListOptions): Promise<string[]>;
  /** The tasks of these ids that exist, in no particular order. */
  getMany(ids: readonly string[]): Promise<TaskRecord[]>;
  /** Tasks of `node` still QUEUED or RUNNING (recovery), oldest first. */
  listUnfinished(node: string): Promise<TaskRecord[]>;
  /** Finished tasks with a live result file that finished before `before`. */
  listExpired(before: number, limit: number): Promise<TaskRecord[]>;
  /** Sets `result_deleted_at` on these tasks, in one commit. */
  markResultsDeleted(ids: readonly string[], now: number): Promise<void>;
  /**
   * Ended tasks whose id sorts below `idBelow` (a creation-minute prefix, {@link taskIdPrefix}: the primary key
   * bounds the read) that finished before `before` and have no receipt still being delivered, oldest first.
   */
  listPrunable(idBelow: string, before: number, limit: number): Promise<TaskRecord[]>;
  /** Deletes these tasks' rows, and their receipts' outbox rows (all delivered or given up), in one commit. */
  deleteTasks(ids: readonly string[]): Promise<void>;
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
  'mq_attempts',
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

/** Every column of `query_tasks`, in the order the insert template binds them: the visible ones and the result key. */
const TASK_COLUMNS: readonly (keyof TaskRecord)[] = [
  ...TASK_COLUMN_SPECS.map(([name]) => name),
  'result_key',
];

/** The columns every new task starts with, whatever the NewTask says (`update_time` is its create time). */
const QUEUED_FIELDS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['status', 'QUEUED'],
  ['cancellable_task', 1],
  ['attempts', 0],
]);

/** The fields of a task inserted RUNNING (besides `started_at` = `create_time` and its `mpp_query_id`). */
const RUNNING_FIELDS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['status', 'RUNNING'],
  ['cancellable_task', 1],
  ['attempts', 1],
  ['queue_time', 0],
  ['progress', 0],
]);

/** Creates the store over the catalog's Kysely instance (`catalog.db`). */
export function createTaskStore(db: Kysely<TasksDatabase>): TaskStore {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const table = () => db.selectFrom('query_tasks').selectAll();
  // Every write goes through the group committer: concurrent transitions share one commit.
  const writer = new GroupCommitter(db);
  // The statements every task runs are compiled once (templates.ts).
  const insertQ = queryTemplate(TASK_COLUMNS.length, (s) =>
    db
      .insertInto('query_tasks')
      .values(
        Object.fromEntries(TASK_COLUMNS.map((c, i) => [c, s(i)])) as unknown as Insertable<QueryTasksTable>,
      ),
  );
  const getQ = queryTemplate(1, (s) => table().where('id', '=', s(0)));
  const markRunningQ = queryTemplate(4, (s) =>
    db
      .updateTable('query_tasks')
      .set((eb) => ({
        status: 'RUNNING',
        update_time: s(0) as unknown as number,
        started_at: s(0) as unknown as number,
        mpp_query_id: s(1),
        progress: 0,
        attempts: eb('attempts', '+', 1),
        // First attempt only: the time from submit to start.
        queue_time: eb.fn.coalesce(
          'queue_time',
          eb(eb.val(s(2) as unknown as number), '-', eb.ref('create_time')),
        ),
      }))
      .where('id', '=', s(3))
      .where('status', '=', 'QUEUED'),
  );
  const progressQ = queryTemplate(3, (s) =>
    db
      .updateTable('query_tasks')
      .set({ progress: s(0) as unknown as number, update_time: s(1) as unknown as number })
      .where('id', '=', s(2))
      .where('status', '=', 'RUNNING'),
  );
  // One finish template per set of fields (a handful: success, failure, cancel, with or without a receipt).
  const finishQs = new Map<string, (args: readonly unknown[]) => CompiledQuery>();
  const finishQ = (keys: readonly string[]) => {
    const sig = keys.join(',');
    let q = finishQs.get(sig);
    if (!q) {
      q = queryTemplate(keys.length + 3, (s) =>
        db
          .updateTable('query_tasks')
          .set({
            ...Object.fromEntries(keys.map((k, i) => [k, s(i)])),
            status: s(keys.length) as TerminalStatus,
            update_time: s(keys.length + 1) as unknown as number,
            finished_at: s(keys.length + 1) as unknown as number,
            cancellable_task: 0,
          })
          .where('id', '=', s(keys.length + 2))
          .where('status', 'in', ['QUEUED', 'RUNNING'])
          .returningAll(),
      );
      finishQs.set(sig, q);
    }
    return q;
  };
  const changed = (r: QueryResult<unknown>) => Number(r.numAffectedRows ?? 0) === 1;

  /** The rows `options` selects, filtered, ordered and limited; the caller picks the columns. */
  const filtered = (options: TaskListOptions) => {
    let q = db.selectFrom('query_tasks');
    if (options.creator !== undefined) q = q.where('creator_id', '=', options.creator);
    if (options.status !== undefined) q = q.where('status', '=', options.status);
    if (options.where) q = q.where(options.where);
    if (options.after) {
      if (options.orderBy) throw new Error('TaskStore.list: `after` pages the default order only');
      const { create_time: t, id } = options.after;
      // `create_time <= t` first: a range the creator and status indexes can seek to.
      q = q
        .where('create_time', '<=', t)
        .where((eb) => eb.or([eb('create_time', '<', t), eb('id', '<', id)]));
    }
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
    return q;
  };
  /** On SQLite, the index an unfinished-tasks read must use (see TaskListOptions.unfinishedOnly), else null. */
  const hinted = (options: TaskListOptions): ((c: CompiledQuery) => CompiledQuery) | null => {
    if (!sqlite || !options.unfinishedOnly) return null;
    const index = options.creator !== undefined ? 'query_tasks_creator_status_idx' : 'query_tasks_status_idx';
    return (c) => withIndexHint(c, 'query_tasks', index);
  };

  /** Runs a listing's query with its index hint, off the event loop when it may visit many rows. */
  const read = async <R>(compiled: CompiledQuery, options: TaskListOptions): Promise<R[]> => {
    const hint = hinted(options);
    const q = hint ? hint(compiled) : compiled;
    return (await db.executeQuery<R>(mayVisitMany(options) ? offTheEventLoop(q) : q)).rows;
  };

  /**
   * See {@link mergesByStatus}. The statuses are read one after the other, in the order a task moves through
   * them (QUEUED, RUNNING, then the terminal ones), not in one snapshot: a task that moves on between two reads
   * is found twice and listed once, with its row as it is now. Only a task put back from RUNNING to QUEUED
   * (recovery at start) between the two reads could be missed by that listing. Every read runs off the event
   * loop (a page of 250 costs ~12 ms of SQLite with 200,000 tasks).
   */
  const listMergedByStatus = async (options: TaskListOptions): Promise<TaskRecord[]> => {
    // Keys first (a fifth of the cost of whole rows), then only the winners' rows.
    const keys: TaskKey[] = [];
    const skip = options.offset ?? 0;
    // Each status's first `skip + limit` keys: whatever the page holds and skips may come from any one of them.
    const branchLimit = options.limit === undefined ? undefined : skip + options.limit;
    for (const status of TASK_STATUSES) {
      if (options.statuses && !options.statuses.includes(status)) continue;
      const q = filtered({ ...options, status, offset: undefined, limit: branchLimit })
        .select(['id', 'create_time'])
        .compile();
      for (const k of (await db.executeQuery<TaskKey>(offTheEventLoop(q))).rows) keys.push(k);
    }
    const unique = newestFirst(keys).filter((k, i, all) => i === 0 || all[i - 1]!.id !== k.id);
    const chosen = unique.slice(skip, options.limit === undefined ? unique.length : skip + options.limit);
    const byId = new Map<string, TaskRecord>();
    for (let i = 0; i < chosen.length; i += GET_MANY_CHUNK) {
      const q = table()
        .where(
          'id',
          'in',
          chosen.slice(i, i + GET_MANY_CHUNK).map((k) => k.id),
        )
        .compile();
      for (const row of (await db.executeQuery<QueryTasksTable>(offTheEventLoop(q))).rows) {
        const t = normalizeTask(row as unknown as Record<string, unknown>);
        byId.set(t.id, t);
      }
    }
    return chosen.flatMap((k) => byId.get(k.id) ?? []);
  };

  const store: TaskStore = {
    async insert(task, running) {
      // Read straight from `task`: building a `{ ...task, status, … }` row and reading it by key cost ~9 µs
      // per submit on the test VM (measured), this ~1 µs.
      const fields = task as Readonly<Record<string, unknown>>;
      const initial = running ? RUNNING_FIELDS : QUEUED_FIELDS;
      const args = TASK_COLUMNS.map((c) =>
        c === 'update_time' || (running && c === 'started_at')
          ? task.create_time
          : running && c === 'mpp_query_id'
            ? running.mppQueryId
            : initial.has(c)
              ? initial.get(c)
              : (fields[c] ?? null),
      );
      await writer.run((tx) => tx.executeQuery(insertQ(args)));
    },
    async get(id) {
      const row = (await db.executeQuery<QueryTasksTable>(getQ([id]))).rows[0];
      return row ? normalizeTask(row as unknown as Record<string, unknown>) : null;
    },
    async findByClientToken(creator, token) {
      const row = await table()
        .where('creator_id', '=', creator)
        .where('client_token', '=', token)
        .executeTakeFirst();
      return row ? normalizeTask(row) : null;
    },
    async markRunning(id, now, mppQueryId) {
      // Nobody is told about RUNNING before the task's terminal commit, which is durable and later in the WAL;
      // a crash before it leaves the task QUEUED and recovery runs it (async tasks are queries).
      return changed(
        await writer.run((tx) => tx.executeQuery(markRunningQ([now, mppQueryId, now, id])), {
          durable: false,
        }),
      );
    },
    async updateProgress(id, progress, now) {
      return changed(
        await writer.run((tx) => tx.executeQuery(progressQ([progress, now, id])), { durable: false }),
      );
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
      const keys = Object.keys(fields)
        .filter((k) => (fields as Record<string, unknown>)[k] !== undefined)
        .sort();
      const args = [...keys.map((k) => (fields as Record<string, unknown>)[k]), terminal, now, id];
      const q = finishQ(keys)(args);
      return writer.run(async (tx) => {
        const row = (await tx.executeQuery(q)).rows[0];
        if (!row) return null;
        const task = normalizeTask(row as Record<string, unknown>);
        if (!inTx) return task;
        // The hook may write to the row (receipts set mq_status) and says what: answer the row as committed.
        const changedFields = await inTx(tx, task);
        return changedFields ? { ...task, ...changedFields } : task;
      });
    },
    async list(options = {}) {
      if (mergesByStatus(options)) return listMergedByStatus(options);
      const rows = await read<QueryTasksTable>(filtered(options).selectAll().compile(), options);
      return rows.map((r) => normalizeTask(r as unknown as Record<string, unknown>));
    },
    async listIds(options = {}) {
      const rows = await read<{ id: string }>(filtered(options).select('id').compile(), options);
      return rows.map((r) => r.id);
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await table()
        .where('id', 'in', [...ids])
        .execute();
      return rows.map(normalizeTask);
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
    async markResultsDeleted(ids, now) {
      if (ids.length === 0) return;
      await db
        .updateTable('query_tasks')
        .set({ result_deleted_at: now, update_time: now })
        .where('id', 'in', [...ids])
        .execute();
    },
    async listPrunable(idBelow, before, limit) {
      const compiled = table()
        .where('id', '<', idBelow)
        .where('status', 'in', ['SUCCESS', 'FAILURE', 'CANCELLED'])
        .where('finished_at', '<', before)
        .where((eb) =>
          eb.or([eb('mq_status', 'is', null), eb('mq_status', 'not in', ['PENDING', 'RETRYING'])]),
        )
        .orderBy('id', 'asc')
        .limit(limit)
        .compile();
      // Without statistics SQLite reads every ended task through the status index and sorts them, for each batch
      // (~100 ms of event loop per batch at 100,000 tasks); the primary key gives the order and stops at the batch.
      const q = sqlite ? withIndexHint(compiled, 'query_tasks', PRIMARY_KEY_INDEX) : compiled;
      return (await db.executeQuery<Record<string, unknown>>(q)).rows.map(normalizeTask);
    },
    async deleteTasks(ids) {
      if (ids.length === 0) return;
      await db.transaction().execute(async (tx) => {
        // The receipts' outbox (catalog/migrations/0003) keeps one row per receipt; listPrunable left out tasks
        // with one in flight.
        await sql`delete from receipt_outbox where task_id in (${sql.join([...ids])})`.execute(tx);
        await tx
          .deleteFrom('query_tasks')
          .where('id', 'in', [...ids])
          .execute();
      });
    },
  };
  return store;
}

/** SQLite's name for the index of `query_tasks`' primary key (a text primary key of a rowid table). */
const PRIMARY_KEY_INDEX = 'sqlite_autoindex_query_tasks_1';

/**
 * `compiled` (a SELECT from `table`, as Kysely compiles it) reading `table` through `index` (SQLite's
 * `INDEXED BY`: the planner must use that index, or the statement fails to prepare — use it only where the WHERE
 * clause bounds the index's leading columns). Exported for tests.
 */
export function withIndexHint(compiled: CompiledQuery, table: string, index: string): CompiledQuery {
  const from = `from "${table}"`;
  const at = compiled.sql.indexOf(from);
  if (at < 0 || compiled.sql.indexOf(from, at + 1) >= 0) {
    throw new Error(`withIndexHint: expected one ${from} in ${compiled.sql.slice(0, 80)}`);
  }
  const sql = `${compiled.sql.slice(0, at + from.length)} indexed by "${index}"${compiled.sql.slice(at + from.length)}`;
  return { ...compiled, sql };
}
