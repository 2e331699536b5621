import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/shared/index.js';
import { createSweeps, SWEEP_BATCH } from '../../../src/tasks/retention.js';
import type { TaskRecord, TaskStore } from '../../../src/tasks/store/index.js';

/** A store whose sweeps see `batches` full batches of old tasks (each read answers one), counting the calls. */
function countingStore(batches: number) {
  const calls = { listExpired: 0, listPrunable: 0, marked: 0, deleted: 0 };
  const batch = (prefix: string) =>
    Array.from(
      { length: SWEEP_BATCH },
      (_, i) => ({ id: `${prefix}${i}`, result_key: null }) as unknown as TaskRecord,
    );
  const store = {
    async listExpired() {
      return calls.listExpired++ < batches ? batch('r') : [];
    },
    async markResultsDeleted(ids: readonly string[]) {
      calls.marked += ids.length;
    },
    async listPrunable() {
      return calls.listPrunable++ < batches ? batch('h') : [];
    },
    async deleteTasks(ids: readonly string[]) {
      calls.deleted += ids.length;
    },
  } as unknown as TaskStore;
  return { store, calls };
}

const resultStore = { delete: async () => undefined };

/** Sweeps over `store` with test timing (both sweeps on unless `days` turns them off). */
function sweepsOver(
  store: TaskStore,
  timing: { firstMs: number; everyMs: number },
  days: { retentionDays?: number; historyDays?: number } = {},
) {
  return createSweeps({ store, resultStore, clock: Date.now, logger: silentLogger(), timing, ...days });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('task sweeps - timing', () => {
  it('the first run comes soon after start (not an interval later), then at every interval', async () => {
    const { store, calls } = countingStore(0);
    const sweeps = sweepsOver(store, { firstMs: 20, everyMs: 60 });
    sweeps.start();
    await sleep(10);
    expect(calls.listExpired).toBe(0);
    await sleep(40);
    expect(calls).toMatchObject({ listExpired: 1, listPrunable: 1 });
    await sleep(150);
    expect(calls.listExpired).toBeGreaterThanOrEqual(2);
    await sweeps.stop();
    const after = calls.listExpired;
    await sleep(150);
    expect(calls.listExpired).toBe(after);
  });

  it('stop() ends a long run after its current batch and waits for it; nothing runs when both sweeps are off', async () => {
    const { store, calls } = countingStore(1_000);
    const sweeps = sweepsOver(store, { firstMs: 0, everyMs: 60_000 });
    sweeps.start();
    while (calls.listExpired < 3) await sleep(1);
    await sweeps.stop();
    const batches = calls.listExpired;
    expect(batches).toBeLessThan(1_000);
    expect(calls.marked).toBe(batches * SWEEP_BATCH);
    await sleep(20);
    expect(calls.listExpired).toBe(batches);

    const off = countingStore(1);
    const none = sweepsOver(off.store, { firstMs: 0, everyMs: 10 }, { retentionDays: 0, historyDays: 0 });
    none.start();
    await sleep(40);
    expect(off.calls).toMatchObject({ listExpired: 0, listPrunable: 0 });
    await none.stop();
  });
});
