/**
 * The task service over a real SQLite catalog (a temp file or memory) with the scripted engine and an in-memory
 * result store, for the service's unit tests. Call {@link closeServices} after each test.
 */
import type { SessionContext } from '../../../src/sql/types.js';
import { createTaskService, type TaskService, type TaskServiceConfig } from '../../../src/tasks/index.js';
import { openTasksDb } from '../../integration/tasks/db.js';
import { fakeEngine, MemoryStore } from './fakes.js';

export const alice = { name: 'alice', admin: false };
export const bob = { name: 'bob', admin: false };
export const root = { name: 'root', admin: true };
export const ctxOf = (user = alice) => ({ user, database: 'demo', connectionId: 5 });

/** The fake "sandbox": strips the hint like the SQL front's prepareUserQuery would see the body. */
export const prepare = async (_ctx: SessionContext, sql: string) => ({ engineSql: sql.replace(/;\s*$/, '') });

let cleanups: (() => Promise<void>)[] = [];

/** Runs `fn` at {@link closeServices} (after the test), before what was registered earlier. */
export function afterTest(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** Closes every service (and its catalog) {@link setupService} opened, and runs {@link afterTest}'s functions. */
export async function closeServices(): Promise<void> {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
}

/** A started service; `advance` moves its clock. */
export async function setupService(config: TaskServiceConfig = {}, file?: string) {
  const { db, cleanup } = await openTasksDb('sqlite', file);
  const engine = fakeEngine();
  const results = new MemoryStore();
  let now = Date.UTC(2018, 10, 2, 11, 9, 40);
  const tasks = createTaskService({
    catalog: { db },
    engine,
    prepare,
    resultStore: results,
    config: { concurrency: 2, progressWriteMs: 0, ...config },
    clock: () => now++,
  });
  await tasks.start();
  cleanups.push(async () => {
    await tasks.close(0);
    await cleanup();
  });
  return { db, engine, results, tasks, advance: (ms: number) => (now += ms) };
}

/** The task once it is SUCCESS, FAILURE or CANCELLED. */
export async function waitDone(tasks: TaskService, id: string, timeoutMs = 5_000) {
  const t0 = Date.now();
  for (;;) {
    const t = await tasks.store.get(id);
    if (t && ['SUCCESS', 'FAILURE', 'CANCELLED'].includes(t.status)) return t;
    if (Date.now() - t0 > timeoutMs) throw new Error(`task ${id} still ${t?.status}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once the task has `status`. */
export async function waitStatus(tasks: TaskService, id: string, status: string) {
  for (let i = 0; i < 500; i++) {
    if ((await tasks.store.get(id))?.status === status) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`task ${id} never ${status}`);
}
