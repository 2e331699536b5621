import type { Logger } from '../shared/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { TaskStore } from './store/index.js';

/** Expired results deleted per catalog read (and marked per commit) by {@link sweepExpiredResults}. */
export const SWEEP_BATCH = 200;

/**
 * Deletes the result files of tasks that finished before `before` and sets `result_deleted_at` on their rows, a
 * batch of {@link SWEEP_BATCH} per commit; answers how many. A file the result store could not delete keeps its
 * row live for the next sweep, and this one stops at that batch, so a store that keeps failing is not asked
 * again and again.
 */
export async function sweepExpiredResults(deps: {
  readonly store: TaskStore;
  readonly resultStore: Pick<ObjectStore, 'delete'>;
  readonly before: number;
  readonly clock: () => number;
  readonly logger: Logger;
}): Promise<number> {
  let n = 0;
  for (;;) {
    const batch = await deps.store.listExpired(deps.before, SWEEP_BATCH);
    if (batch.length === 0) return n;
    const deleted: string[] = [];
    let failed = 0;
    for (const t of batch) {
      try {
        await deps.resultStore.delete(t.result_key!);
        deleted.push(t.id);
      } catch (err) {
        failed++;
        deps.logger.warn(
          { err, task: t.id },
          'could not delete an expired result; the next sweep tries again',
        );
      }
    }
    await deps.store.markResultsDeleted(deleted, deps.clock());
    n += deleted.length;
    if (failed > 0) return n;
  }
}
