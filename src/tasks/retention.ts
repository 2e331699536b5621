import type { Logger } from '../shared/index.js';
import type { ObjectStore } from '../storage/index.js';
import { taskIdPrefix } from './ids.js';
import type { TaskRecord, TaskStore } from './store/index.js';
import { DEFAULT_HISTORY_DAYS, DEFAULT_RETENTION_DAYS } from './types.js';

/** Tasks read, and committed, per batch of a sweep. */
export const SWEEP_BATCH = 200;

/** What one sweep does, batch by batch. */
interface SweepSteps {
  /** The next batch of at most {@link SWEEP_BATCH} tasks. */
  list(): Promise<TaskRecord[]>;
  /** The result file to delete first, if any. */
  fileOf(task: TaskRecord): string | null;
  /** Records the batch's tasks whose file is gone (or that had none), in one commit. */
  commit(ids: string[]): Promise<void>;
  /** Logged for a file that could not be deleted. */
  readonly warning: string;
  /** True once the sweep should end after the batch it is in (the service is closing). */
  readonly stopped?: () => boolean;
}

/**
 * Runs a sweep: a batch at a time, deletes each task's result file, then commits what succeeded; answers how many
 * tasks. A file the result store could not delete leaves its task for the next sweep, and this one stops at that
 * batch, so a store that keeps failing is not asked again and again. Between batches the event loop's other
 * work runs (a long backlog — a setting just turned on — does not stall the server).
 */
async function sweepInBatches(steps: SweepSteps, resultStore: Pick<ObjectStore, 'delete'>, logger: Logger) {
  let n = 0;
  for (;;) {
    const batch = await steps.list();
    if (batch.length === 0) return n;
    const done: string[] = [];
    let failed = 0;
    for (const t of batch) {
      try {
        const file = steps.fileOf(t);
        if (file) await resultStore.delete(file);
        done.push(t.id);
      } catch (err) {
        failed++;
        logger.warn({ err, task: t.id }, steps.warning);
      }
    }
    await steps.commit(done);
    n += done.length;
    if (failed > 0 || steps.stopped?.()) return n;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Deletes the result files of tasks that finished before `before` and sets `result_deleted_at` on their rows, a
 * batch of {@link SWEEP_BATCH} per commit; answers how many (see {@link sweepInBatches} for failures).
 */
export function sweepExpiredResults(deps: {
  readonly store: TaskStore;
  readonly resultStore: Pick<ObjectStore, 'delete'>;
  readonly before: number;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly stopped?: () => boolean;
}): Promise<number> {
  const steps: SweepSteps = {
    stopped: deps.stopped,
    list: () => deps.store.listExpired(deps.before, SWEEP_BATCH),
    fileOf: (t) => t.result_key,
    commit: (ids) => deps.store.markResultsDeleted(ids, deps.clock()),
    warning: 'could not delete an expired result; the next sweep tries again',
  };
  return sweepInBatches(steps, deps.resultStore, deps.logger);
}

/**
 * Deletes the rows of tasks created and ended before `before` (with their result files, if still there, and their
 * receipts' outbox rows), a batch of {@link SWEEP_BATCH} per commit; answers how many rows. Tasks whose receipt is
 * still being delivered wait for the next sweep. A result file that cannot be deleted keeps its row (the file
 * would otherwise be left behind with nothing pointing at it).
 */
export function sweepOldTasks(deps: {
  readonly store: TaskStore;
  readonly resultStore: Pick<ObjectStore, 'delete'>;
  readonly before: number;
  readonly logger: Logger;
  readonly stopped?: () => boolean;
}): Promise<number> {
  const idBelow = taskIdPrefix(deps.before);
  const steps: SweepSteps = {
    stopped: deps.stopped,
    list: () => deps.store.listPrunable(idBelow, deps.before, SWEEP_BATCH),
    fileOf: (t) => (t.result_deleted_at == null ? t.result_key : null),
    commit: (ids) => deps.store.deleteTasks(ids),
    warning: 'could not delete an old result; its task row stays until the next sweep',
  };
  return sweepInBatches(steps, deps.resultStore, deps.logger);
}

/** How often the sweeps run. */
const SWEEP_INTERVAL_MS = 3_600_000;
/** When the first sweep runs after start: soon, so a server restarted more often than hourly still sweeps. */
const FIRST_SWEEP_DELAY_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The task service's two sweeps — result files after `retentionDays`, task rows after `historyDays` (0 turns
 * either off) — run now by `results()` / `history()`, and between `start()` and `stop()` a minute after start,
 * then hourly (a run still going when the next is due makes that one skip).
 */
export function createSweeps(deps: {
  readonly store: TaskStore;
  readonly resultStore: Pick<ObjectStore, 'delete'>;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly retentionDays?: number;
  readonly historyDays?: number;
  /** For tests: when the first run starts and how often the next ones do, ms. */
  readonly timing?: { readonly firstMs: number; readonly everyMs: number };
}) {
  const retentionDays = deps.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const historyDays = deps.historyDays ?? DEFAULT_HISTORY_DAYS;
  const { firstMs, everyMs } = deps.timing ?? { firstMs: FIRST_SWEEP_DELAY_MS, everyMs: SWEEP_INTERVAL_MS };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;
  const stoppedNow = () => stopped;
  const runBoth = () => {
    if (running) return;
    running = (async () => {
      await sweeps.results().catch((err) => deps.logger.warn({ err }, 'result retention sweep failed'));
      await sweeps.history().catch((err) => deps.logger.warn({ err }, 'task history sweep failed'));
    })().finally(() => {
      running = null;
    });
  };
  const sweeps = {
    async results(): Promise<number> {
      if (retentionDays <= 0) return 0;
      return sweepExpiredResults({
        ...deps,
        before: deps.clock() - retentionDays * DAY_MS,
        stopped: stoppedNow,
      });
    },
    async history(): Promise<number> {
      if (historyDays <= 0) return 0;
      return sweepOldTasks({ ...deps, before: deps.clock() - historyDays * DAY_MS, stopped: stoppedNow });
    },
    start(): void {
      if (timer || stopped || (retentionDays <= 0 && historyDays <= 0)) return;
      timer = setTimeout(() => {
        runBoth();
        timer = setInterval(runBoth, everyMs);
        timer.unref();
      }, firstMs);
      timer.unref();
    },
    /** Stops the timer and waits for a run in progress to end its batch. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
  return sweeps;
}
