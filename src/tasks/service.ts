/**
 * The async task service: durable submit, a fair bounded queue, the runner (engine → result file), progress,
 * cancellation, timeouts, retention and recovery after a crash. See docs/tasks.md.
 */

import type { Kysely } from 'kysely';
import type { AuthUser } from '../auth/types.js';
import { CommonErrors, LakecastError, silentLogger } from '../shared/index.js';
import { type Hints, hintsToEntries, parseHints } from '../sql/hints.js';
import { MAX_TASK_SQL_BYTES, TaskErrors } from './errors.js';
import { TaskEvents } from './events.js';
import { createInlineExecutor } from './executor.js';
import { createMppQueryIds, createTaskIdGenerator } from './ids.js';
import { type QueueEntry, recoverUnfinished } from './recovery.js';
import {
  DEFAULT_RESULT_URL_TTL_SECONDS,
  deleteResult,
  openReadable,
  readableResult,
  resultLink,
} from './result-access.js';
import { resultLimitsOf } from './result-budget.js';
import { createSweeps } from './retention.js';
import { sessionContextOf } from './session-context.js';
import { TaskSlots } from './slots.js';
import { errorText, resultKeyOf, statementKind } from './statements.js';
import {
  createTaskStore,
  type FinishFields,
  isTerminal,
  readInPages,
  type TaskListOptions,
  type TaskRecord,
  type TasksDatabase,
  type TerminalStatus,
} from './store/index.js';
import { runSyncQuery, type SyncQueryEnv } from './sync-query.js';
import { statementOf, TaskQueue } from './task-queue.js';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_QUEUED_PER_USER,
  DEFAULT_NODE_CODE,
  DEFAULT_PROGRESS_WRITE_MS,
  DEFAULT_TASK_CONCURRENCY,
  DEFAULT_TASK_TIMEOUT_MS,
  type SubmitContext,
  TASK_LIST_PAGE,
  type TaskService,
  type TaskServiceDeps,
} from './types.js';

export * from './statements.js';
export * from './types.js';

/** How long cancel() waits for a local runner to stop its engine query and clean up. */
const CANCEL_WAIT_MS = 600;

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** Why a running task was aborted. */
type AbortReason =
  | { kind: 'cancel'; by: string }
  | { kind: 'timeout'; ms: number }
  | { kind: 'shutdown' }
  /** The QUEUED → RUNNING compare-and-set lost (cancelled while queued) or failed. */
  | { kind: 'lost' };

function visible(task: TaskRecord, actor: AuthUser): boolean {
  return actor.admin || task.creator_id === actor.name;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Creates the task service. Call `start()` before submitting (recovery runs there). */
export function createTaskService(deps: TaskServiceDeps): TaskService {
  const cfg = deps.config ?? {};
  const concurrency = Math.max(1, cfg.concurrency ?? DEFAULT_TASK_CONCURRENCY);
  const maxQueuedPerUser = Math.max(1, cfg.maxQueuedPerUser ?? DEFAULT_MAX_QUEUED_PER_USER);
  /** Per user, submits between the queue-size check and their insert's end (they count as waiting). */
  const submitting = new Map<string, number>();
  const defaultTimeoutMs = cfg.defaultTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  const node = cfg.nodeCode ?? DEFAULT_NODE_CODE;
  const progressWriteMs = cfg.progressWriteMs ?? DEFAULT_PROGRESS_WRITE_MS;
  const maxAttempts = cfg.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const limits = resultLimitsOf(cfg);
  const resultUrlTtlSeconds = cfg.resultUrlTtlSeconds ?? DEFAULT_RESULT_URL_TTL_SECONDS;
  const logger = deps.logger ?? silentLogger();
  const clock = deps.clock ?? Date.now;
  const ids = createTaskIdGenerator(node);
  const store = createTaskStore(deps.catalog.db as Kysely<TasksDatabase>);
  const events = new TaskEvents();
  const queue = new TaskQueue();
  const running = new Map<string, Running>();
  const executor =
    deps.executor ??
    createInlineExecutor({
      engine: deps.engine,
      resultStore: deps.resultStore,
      writeParquet: deps.writeParquet,
      logger,
    });
  let started = false;
  let closing = false;
  const mppQueryId = createMppQueryIds();
  const sweeps = createSweeps({
    store,
    resultStore: deps.resultStore,
    clock,
    logger,
    retentionDays: cfg.retentionDays,
    historyDays: cfg.historyDays,
  });

  async function finish(id: string, status: TerminalStatus, fields: FinishFields): Promise<boolean> {
    let task: TaskRecord | null;
    try {
      task = await store.finishRow(id, status, fields, clock(), deps.onFinishInTx);
    } catch (err) {
      if (!deps.onFinishInTx) throw err;
      // The hook failed (outbox table missing…): the terminal state must still be recorded, and the row says
      // that its receipt could not be queued instead of leaving it silently missing.
      logger.error({ err, task: id }, 'task finish hook failed; finishing without it');
      task = await store.finishRow(
        id,
        status,
        {
          ...fields,
          mq_status: 'FAILURE',
          mq_error_msg: `receipt could not be queued: ${err instanceof LakecastError ? err.message : 'internal error'}`,
        },
        clock(),
      );
    }
    if (task) {
      const event =
        status === 'SUCCESS' ? 'task:succeeded' : status === 'FAILURE' ? 'task:failed' : 'task:cancelled';
      // The row as committed (RETURNING): no read after the commit.
      if (events.listenerCount(event) > 0)
        events.emit(event, {
          id,
          creator: task.creator_id,
          status,
          task,
          progress: task.progress ?? undefined,
        });
    }
    return task !== null;
  }

  /*
   * A task holds one of `concurrency` slots while it prepares, queries and writes its result; the slot is given
   * back before its terminal commit (which only waits for the catalog's fsync), so the next task's query
   * overlaps that commit. `running` keeps the task until it has fully ended (cancel and close look there).
   */
  const slots = new TaskSlots(concurrency, Math.max(0, cfg.maxRunningPerUser ?? 0));
  function pump(): void {
    while (!closing && started && slots.anyFree && queue.size > 0) {
      const entry = queue.shift(slots.mayStart);
      if (!entry) return; // only users at their cap are waiting
      slots.take(entry.ctx.user.name);
      launch(entry, false);
    }
  }

  /** Gives back a slot taken by submit for a task that did not start after all. */
  function giveBackSlot(user: string): void {
    slots.give(user);
    pump();
  }

  /**
   * Runs `entry` in a slot the caller has taken for its user. `inserted` RUNNING: the row
   * was inserted RUNNING by submit (a free slot and nobody waiting), so there is no QUEUED → RUNNING write.
   */
  function launch(entry: QueueEntry, insertedRunning: boolean): void {
    const controller = new AbortController();
    let slotHeld = true;
    const releaseSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      slots.give(entry.ctx.user.name);
      pump();
    };
    const done = runTask(entry, controller, releaseSlot, insertedRunning)
      .catch((err) => logger.error({ err, task: entry.id }, 'task runner failed'))
      .finally(() => {
        running.delete(entry.id);
        releaseSlot();
      });
    running.set(entry.id, { controller, done });
  }

  async function runTask(
    entry: QueueEntry,
    controller: AbortController,
    releaseSlot: () => void,
    insertedRunning: boolean,
  ): Promise<void> {
    const { id, ctx, body, hints } = entry;
    const startedAt = insertedRunning ? entry.createTime : clock();
    const signal = controller.signal;
    /*
     * QUEUED → RUNNING is committed while the query already runs (the group committer applies a task's writes
     * in order, so its progress and terminal writes land after it). Nothing was acknowledged by it: a crash
     * before it commits leaves the task QUEUED, and recovery runs it. Lost (cancelled while queued): the
     * query is stopped and nothing is written.
     */
    const runningP = (
      insertedRunning ? Promise.resolve(true) : store.markRunning(id, startedAt, mppQueryId(startedAt))
    ).then(
      (ok) => {
        if (ok) events.emit('task:started', { id, creator: ctx.user.name, status: 'RUNNING', progress: 0 });
        else if (!signal.aborted) controller.abort({ kind: 'lost' } satisfies AbortReason);
        return ok;
      },
      (err) => {
        logger.error({ err, task: id }, 'could not mark the task RUNNING; it stays QUEUED for recovery');
        if (!signal.aborted) controller.abort({ kind: 'lost' } satisfies AbortReason);
        return false;
      },
    );
    const timeoutMs = hints.queryTimeoutSecs !== undefined ? hints.queryTimeoutSecs * 1000 : defaultTimeoutMs;
    const timer =
      timeoutMs > 0
        ? setTimeout(
            () => controller.abort({ kind: 'timeout', ms: timeoutMs } satisfies AbortReason),
            timeoutMs,
          )
        : undefined;
    const format = hints.outputFormat ?? 'csv';
    const key = resultKeyOf(id, entry.createTime, format);
    let lastWrite = 0;
    let writing = false;
    const onProgress = (percent: number) => {
      const p = Math.max(0, Math.min(100, percent));
      events.emit('task:progress', { id, creator: ctx.user.name, status: 'RUNNING', progress: p });
      const now = clock();
      if (writing || now - lastWrite < progressWriteMs) return;
      lastWrite = now;
      writing = true;
      store
        .updateProgress(id, p, now)
        .then((stillRunning) => {
          // Cancelled by another node (or KILL racing us): stop the engine.
          if (!stillRunning && !signal.aborted) controller.abort({ kind: 'cancel', by: 'another session' });
        })
        .catch((err) => logger.warn({ err, task: id }, 'progress write failed'))
        .finally(() => {
          writing = false;
        });
    };
    try {
      const statement = body ?? (await statementOf(store, id));
      if (statement === null)
        throw new LakecastError(CommonErrors.INTERNAL, `task ${id} is gone from the catalog`);
      const prepared = await deps.prepare(ctx, statement);
      signal.throwIfAborted();
      const s = await executor.execute(
        {
          key,
          engineSql: prepared.engineSql,
          scans: prepared.scans,
          defaultSchema: ctx.database ?? undefined,
          format,
          limits,
        },
        { signal, onProgress },
      );
      signal.throwIfAborted();
      releaseSlot(); // the engine and the result file are done; only the commits remain
      if (!(await runningP)) {
        await deleteQuietly(key);
        return;
      }
      const ok = await finish(id, 'SUCCESS', {
        row_count: s.rowsReturned,
        elapse_time: clock() - startedAt,
        scanned_row_count: s.scannedRows,
        scanned_data_bytes: s.scannedBytes,
        result_file_oss_file: deps.resultStore.uriOf(key),
        result_file_size: s.size,
        result_key: key,
        progress: 100,
      });
      if (!ok) await deleteQuietly(key); // cancelled at the last moment: leave nothing behind
    } catch (err) {
      await deleteQuietly(key);
      releaseSlot();
      const wasRunning = await runningP;
      const reason = signal.aborted ? (signal.reason as AbortReason | undefined) : undefined;
      const elapse_time = clock() - startedAt;
      if (!wasRunning || reason?.kind === 'lost') return; // cancelled while queued: already ended
      if (reason?.kind === 'shutdown') return; // stays RUNNING: recovery decides on the next start
      if (reason?.kind === 'cancel') {
        await finish(id, 'CANCELLED', { message: `cancelled by ${reason.by}`, elapse_time });
      } else if (reason?.kind === 'timeout') {
        await finish(id, 'FAILURE', {
          message: `LC_TIMEOUT: query exceeded the timeout of ${reason.ms / 1000} s (query-timeout hint or server default)`,
          elapse_time,
        });
      } else {
        if (!(err instanceof LakecastError))
          logger.error({ err, task: id }, 'task failed with an unexpected error');
        else if (err.code === TaskErrors.TASK_DISK_FULL.code)
          logger.warn({ task: id, reason: err.message }, 'results disk full');
        await finish(id, 'FAILURE', { message: errorText(err), elapse_time });
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async function deleteQuietly(key: string): Promise<void> {
    await deps.resultStore
      .delete(key)
      .catch((err: unknown) => logger.warn({ err, key }, 'could not delete a partial result'));
  }

  function recover(): Promise<{ requeued: number; failed: number }> {
    return recoverUnfinished({
      store,
      node,
      maxAttempts,
      clock,
      logger,
      resultStore: deps.resultStore,
      resolveUser: deps.resolveUser,
      fail: (id, message) => finish(id, 'FAILURE', { message }),
      requeue: (creator, entry) => queue.push(creator, entry),
    });
  }

  /** Inserts the QUEUED row (durable when this resolves); answers a raced client-token with the winner's id. */
  async function insertTask(
    ctx: SubmitContext,
    sql: string,
    body: string,
    h: Hints,
    running = false,
    kind = statementKind(body),
  ): Promise<{ id: string; created: boolean; createTime: number }> {
    // The text is stored (and kept while queued) in full: bounded, as Athena and BigQuery bound theirs.
    if (sql.length > MAX_TASK_SQL_BYTES || Buffer.byteLength(sql) > MAX_TASK_SQL_BYTES) {
      throw new LakecastError(
        TaskErrors.TASK_SQL_TOO_LONG,
        `statements run as tasks are limited to ${MAX_TASK_SQL_BYTES} bytes of text (this one has ${Buffer.byteLength(sql)})`,
      );
    }
    const user = ctx.user.name;
    const now = clock();
    const id = ids.next(now);
    try {
      await store.insert(
        {
          id,
          task_name: kind,
          table_schema: ctx.database,
          command: sql,
          creator_id: user,
          create_time: now,
          connection_id: ctx.connectionId,
          output_format: h.outputFormat ?? 'csv',
          client_token: h.clientToken ?? null,
          hints: JSON.stringify(Object.fromEntries(hintsToEntries(h))),
          node,
          mq_product: h.mqNotifyBy ?? null,
          mq_model: h.mqNotifyBy === undefined ? null : h.mqQueue !== undefined ? 'queue' : 'topic',
          mq_topic: h.mqTopic ?? null,
          mq_queue: h.mqQueue ?? null,
          mq_producer_id: h.mqProducerId ?? null,
          mq_endpoint: h.mqEndpoint ?? null,
        },
        running ? { mppQueryId: mppQueryId(now) } : undefined,
      );
    } catch (err) {
      // Two submits with one token raced: the unique index let one win; answer with its id.
      if (h.clientToken !== undefined) {
        const existing = await store.findByClientToken(user, h.clientToken);
        if (existing)
          return { id: sameToken(existing, sql), created: false, createTime: existing.create_time };
      }
      throw err;
    }
    return { id, created: true, createTime: now };
  }

  const syncEnv: SyncQueryEnv = {
    deps,
    clock,
    limits,
    markRunning: (id, now) => store.markRunning(id, now, mppQueryId(now)),
    insertTask: async (ctx, sql, body, h) => (await insertTask(ctx, sql, body, h)).id,
    finish,
    deleteQuietly,
  };

  const service: TaskService = {
    events,
    store,

    async submit(ctx, sql, hints) {
      if (closing) throw new LakecastError(TaskErrors.TASK_SHUTTING_DOWN, 'the server is shutting down');
      const parsed = parseHints(sql);
      const h = hints ?? parsed.hints;
      if (h.outputFormat === 'parquet' && !executor.formats.includes('parquet')) {
        throw new LakecastError(
          TaskErrors.TASK_UNSUPPORTED,
          'output-format=parquet is not supported by this server yet; use csv or json',
        );
      }
      /*
       * Only queries run as tasks. Anything else is refused now with the error the runner would end it with (the
       * SQL front's), instead of being accepted and ending as a FAILURE; a query costs nothing more here.
       */
      const kind = statementKind(parsed.body);
      if (kind !== 'SELECT') await deps.prepare(sessionContextOf(ctx), parsed.body);
      const user = ctx.user.name;
      if (h.clientToken !== undefined) {
        const existing = await store.findByClientToken(user, h.clientToken);
        if (existing) return sameToken(existing, sql);
      }
      // After the client-token lookup: a retry gets its task even if the channel was dropped since.
      if (deps.checkHints && (h.mqNotifyBy !== undefined || h.mqEndpoint !== undefined))
        await deps.checkHints(h);
      if (queue.sizeOf(user) + (submitting.get(user) ?? 0) >= maxQueuedPerUser) {
        throw new LakecastError(
          TaskErrors.TASK_QUEUE_FULL,
          `User '${user}' has exceeded the 'max_queued_tasks' resource (current value: ${maxQueuedPerUser}): retry once some of the waiting tasks have started`,
        );
      }
      /*
       * A free slot and nobody waiting: the row is inserted RUNNING and the task takes the slot at once, so it
       * needs no QUEUED → RUNNING write (one catalog commit less per task). The slot is taken before the
       * insert, so concurrent submits cannot overbook it.
       */
      const startNow = started && !closing && queue.size === 0 && slots.mayStart(user);
      if (startNow) slots.take(user);
      let inserted: Awaited<ReturnType<typeof insertTask>>;
      submitting.set(user, (submitting.get(user) ?? 0) + 1);
      try {
        inserted = await insertTask(ctx, sql, parsed.body, h, startNow, kind);
      } catch (err) {
        if (startNow) giveBackSlot(user);
        throw err;
      } finally {
        // The task is queued (or started) synchronously after this: no other submit misses it in both counts.
        const n = submitting.get(user)! - 1;
        if (n > 0) submitting.set(user, n);
        else submitting.delete(user);
      }
      const { id, created, createTime } = inserted;
      if (!created) {
        if (startNow) giveBackSlot(user);
        return id;
      }
      const entry: QueueEntry = { id, createTime, ctx: sessionContextOf(ctx), body: parsed.body, hints: h };
      // Emitted for every accepted task, also one that starts at once (its row is already RUNNING).
      events.emit('task:queued', { id, creator: user, status: 'QUEUED' });
      if (startNow) {
        queue.markServed(user);
        // After the answer went out: the runner's first steps must not delay the ASYNC_TASK_ID reply.
        setImmediate(() => launch(entry, true));
        return id;
      }
      queue.push(user, entry);
      setImmediate(pump);
      return id;
    },

    async get(id, actor) {
      const task = await store.get(id);
      if (!task || !visible(task, actor)) throw notFound(id);
      return task;
    },

    async list(actor, filter = {}) {
      const out: TaskRecord[] = [];
      for await (const page of service.listPages(actor, filter)) out.push(...page);
      return out;
    },

    async *listPages(actor, filter = {}) {
      const limit = Math.max(1, Math.min(10_000, filter.limit ?? 100));
      let creator: string | undefined = actor.name;
      if (filter.creator !== undefined && filter.creator !== actor.name) {
        if (!actor.admin) throw notFound('');
        creator = filter.creator === '*' ? undefined : filter.creator;
      }
      let after: TaskListOptions['after'];
      if (filter.after !== undefined) {
        const from = await store.get(filter.after);
        if (!from || !visible(from, actor)) throw notFound(filter.after);
        after = { create_time: from.create_time, id: from.id };
      }
      yield* readInPages(store, { creator, status: filter.status, limit, after }, TASK_LIST_PAGE);
    },

    async cancel(id, actor) {
      const task = await store.get(id);
      if (!task || !visible(task, actor)) throw notFound(id);
      if (isTerminal(task.status)) throw finished(task);
      const message = `cancelled by ${actor.name}`;
      const local = running.get(id);
      if (task.status === 'QUEUED' && !local) {
        queue.remove((e) => e.id === id);
        if (await finish(id, 'CANCELLED', { message })) return (await store.get(id))!;
      }
      // CANCELLED is recorded first (durable at once, also when the runner is on another node, which notices
      // at its next progress write); the runner's own SUCCESS then loses the compare-and-set and deletes its file.
      const current = await store.get(id);
      const elapse_time = current?.started_at != null ? clock() - current.started_at : undefined;
      await finish(id, 'CANCELLED', { message, elapse_time });
      const r = running.get(id);
      if (r) {
        r.controller.abort({ kind: 'cancel', by: actor.name } satisfies AbortReason);
        await Promise.race([r.done, sleep(CANCEL_WAIT_MS)]);
      }
      const after = (await store.get(id))!;
      if (after.status !== 'CANCELLED') throw finished(after);
      return after;
    },

    async openResult(id, actor, range) {
      return openReadable(readableResult(await store.get(id), id, actor), deps.resultStore, range);
    },

    async openResultByLink(token, range) {
      if (!deps.linkSigner || resultUrlTtlSeconds <= 0)
        throw new LakecastError(TaskErrors.TASK_LINK_INVALID, 'this result link is not valid');
      const id = deps.linkSigner.verify(token, clock());
      const task = await store.get(id);
      const owner = { name: task?.creator_id ?? '', admin: false };
      return openReadable(readableResult(task, id, owner), deps.resultStore, range);
    },

    async resultUrl(id, actor) {
      const r = readableResult(await store.get(id), id, actor);
      return resultLink(r, deps.resultStore, resultUrlTtlSeconds, clock(), deps.linkSigner);
    },

    deleteResult(id, actor) {
      return deleteResult({ store, resultStore: deps.resultStore, clock }, id, actor);
    },

    async start() {
      if (started) return { requeued: 0, failed: 0 };
      const r = await recover();
      started = true;
      pump();
      sweeps.start();
      return r;
    },

    sweep: sweeps.results,
    sweepHistory: sweeps.history,

    async close(drainMs = 5_000) {
      closing = true;
      await sweeps.stop();
      const all = () => Promise.all([...running.values()].map((r) => r.done));
      await Promise.race([all(), sleep(drainMs)]);
      for (const r of running.values()) r.controller.abort({ kind: 'shutdown' } satisfies AbortReason);
      await Promise.race([all(), sleep(2_000)]);
    },

    stats() {
      return { queued: queue.size, running: slots.inUse, queuedTextChars: queue.textChars };
    },

    runSync: (ctx, sql, hints, signal) => runSyncQuery(syncEnv, ctx, sql, hints, signal),
  };

  function notFound(id: string): LakecastError {
    return new LakecastError(TaskErrors.TASK_NOT_FOUND, `Unknown task id: ${id}`);
  }
  function finished(task: TaskRecord): LakecastError {
    return new LakecastError(TaskErrors.TASK_FINISHED, `task ${task.id} already ended (${task.status})`);
  }
  function sameToken(existing: TaskRecord, sql: string): string {
    if (existing.command !== sql) {
      throw new LakecastError(
        TaskErrors.TASK_TOKEN_REUSED,
        `client-token was already used for a different statement (task ${existing.id})`,
      );
    }
    return existing.id;
  }

  return service;
}
