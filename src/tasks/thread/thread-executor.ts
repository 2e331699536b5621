/**
 * A {@link TaskExecutor} that runs task queries in a worker thread with an engine and a result store of its
 * own (executor-thread.ts), so the engine calls, the encoding and the result file writes of async tasks never
 * hold up the event loop that answers clients (submits, SHOW QUERY_TASK, synchronous queries). The thread runs
 * at a lower CPU priority than the main thread: when both want a core, clients are served first.
 *
 * The thread's engine must know the lake tables the main engine knows: {@link mirrorEngine} wraps the main
 * engine so every schema and table change is replayed there too (and replayed in full if the thread is
 * restarted after dying).
 */
import { Worker } from 'node:worker_threads';
import type { TableDefinition } from '../../catalog/index.js';
import type { DuckDbEngine } from '../../engine/index.js';
import {
  CommonErrors,
  errorSpecOf,
  LakecastError,
  LOWER_THREAD_PRIORITY,
  type Logger,
  silentLogger,
} from '../../shared/index.js';
import type { ExecuteOutcome, OutputFormat, TaskExecutor } from '../executor.js';
import type { EngineChange, ExecutorThreadInit, FromThread, ThreadError, ToThread } from './protocol.js';

/** Nice value of the executor thread (and of the engine threads it starts): below the main thread's 0. */
export const EXECUTOR_THREAD_NICE = 5;
/** How long {@link ThreadExecutor.close} waits for the thread to close its engine. */
const CLOSE_WAIT_MS = 5_000;
/** How long {@link ThreadExecutor.restart} lets interrupted queries unwind before it stops the thread. */
const RESTART_UNWIND_MS = 2_000;

/** The executor over a worker thread, with the engine mirror that keeps its tables in step. */
export interface ThreadExecutor extends TaskExecutor {
  /** Applies a lake-table change to the thread's engine (in order); see {@link mirrorEngine}. */
  applyChange(change: EngineChange): Promise<void>;
  /**
   * Interrupts the thread's queries, stops the thread (its running jobs fail with LC_INTERNAL) and starts a
   * fresh one with every known table: what happens by itself when the thread dies, on demand.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface Job {
  readonly resolve: (o: ExecuteOutcome) => void;
  readonly reject: (e: unknown) => void;
  readonly onProgress?: (percent: number) => void;
}

function revive(error: ThreadError): LakecastError {
  const spec = error.code ? errorSpecOf(error.code) : undefined;
  return spec
    ? new LakecastError(spec, error.message)
    : new LakecastError(CommonErrors.INTERNAL, 'internal error', { cause: new Error(error.message) });
}

/**
 * Starts the executor thread and waits until its engine is up. Rejects when the thread cannot start (the
 * engine failed to open, the module cannot load). `onThreadStopped` hears of every later stop of the thread
 * (a crash, `restart()`); the next job starts a new one.
 */
export async function startThreadExecutor(
  init: ExecutorThreadInit,
  options: { logger?: Logger; onThreadStopped?: (why: string) => void } = {},
): Promise<ThreadExecutor> {
  const logger = options.logger ?? silentLogger();
  let worker: Worker | null = null;
  let starting: Promise<Worker> | null = null;
  let closed = false;
  let next = 0;
  const jobs = new Map<number, Job>();
  /** Jobs already failed by restart(), whose queries are still being interrupted in the thread. */
  const unwinding = new Map<number, () => void>();
  const changesInFlight = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  /** The lake tables and schemas the thread's engine must have (replayed into a restarted thread). */
  const schemas = new Set<string>();
  const tables = new Map<string, { def: TableDefinition; dir: string }>();
  const tableKey = (schema: string, name: string) => `${schema}\u0000${name}`.toLowerCase();

  function spawn(): Promise<Worker> {
    const w = createWorker(init);
    return new Promise<Worker>((resolve, reject) => {
      let up = false;
      w.on('message', (msg: FromThread) => {
        switch (msg.type) {
          case 'ready':
            up = true;
            resolve(w);
            return;
          case 'start-failed':
            reject(revive(msg.error));
            void w.terminate();
            return;
          case 'progress':
            jobs.get(msg.n)?.onProgress?.(msg.percent);
            return;
          case 'done':
            jobs.get(msg.n)?.resolve(msg.outcome);
            jobs.delete(msg.n);
            unwinding.get(msg.n)?.();
            return;
          case 'failed':
            jobs.get(msg.n)?.reject(revive(msg.error));
            jobs.delete(msg.n);
            unwinding.get(msg.n)?.();
            return;
          case 'engine-done': {
            const c = changesInFlight.get(msg.n);
            changesInFlight.delete(msg.n);
            if (msg.error) c?.reject(revive(msg.error));
            else c?.resolve();
            return;
          }
          case 'closed':
            return;
        }
      });
      const died = (why: string) => {
        if (!up) return reject(new LakecastError(CommonErrors.INTERNAL, `task executor thread: ${why}`));
        if (worker !== w) return;
        worker = null;
        starting = null;
        if (closed) return;
        logger.error({ why }, 'task executor thread stopped; running tasks fail, the next task restarts it');
        options.onThreadStopped?.(why);
        const err = new LakecastError(CommonErrors.INTERNAL, 'the task executor thread stopped');
        for (const j of jobs.values()) j.reject(err);
        jobs.clear();
        for (const c of changesInFlight.values()) c.resolve(); // replayed into the next thread
        changesInFlight.clear();
      };
      w.on('error', (err) => died(err.message));
      w.on('exit', (code) => died(`exited with code ${code}`));
    });
  }

  /** The running thread, started (and given every known table) if it is not. */
  function ensure(): Promise<Worker> {
    if (worker) return Promise.resolve(worker);
    starting ??= spawn().then(
      (w) => {
        worker = w;
        for (const name of schemas)
          post(w, { type: 'engine', n: next++, change: { op: 'ensureSchema', name } });
        for (const t of tables.values())
          post(w, { type: 'engine', n: next++, change: { op: 'registerTable', def: t.def, dir: t.dir } });
        return w;
      },
      (err: unknown) => {
        starting = null; // the next job tries again
        throw err;
      },
    );
    return starting;
  }

  const post = (w: Worker, msg: ToThread) => w.postMessage(msg);

  await ensure();

  return {
    formats: ['csv', 'json', 'parquet'] satisfies OutputFormat[],

    async execute(job, { signal, onProgress }) {
      signal.throwIfAborted();
      const w = await ensure();
      const n = next++;
      return new Promise<ExecuteOutcome>((resolve, reject) => {
        const onAbort = () => post(w, { type: 'abort', n });
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = () => signal.removeEventListener('abort', onAbort);
        jobs.set(n, {
          resolve: (o) => {
            settle();
            resolve(o);
          },
          reject: (e) => {
            settle();
            reject(e);
          },
          onProgress,
        });
        post(w, { type: 'execute', n, job });
      });
    },

    async applyChange(change) {
      switch (change.op) {
        case 'ensureSchema':
          schemas.add(change.name);
          break;
        case 'dropSchema':
          schemas.delete(change.name);
          for (const [k, t] of tables) if (t.def.schema === change.name) tables.delete(k);
          break;
        case 'registerTable':
          tables.set(tableKey(change.def.schema, change.def.name), { def: change.def, dir: change.dir });
          break;
        case 'unregisterTable':
          tables.delete(tableKey(change.schema, change.name));
          break;
      }
      if (closed) return;
      const w = await ensure();
      const n = next++;
      await new Promise<void>((resolve, reject) => {
        changesInFlight.set(n, { resolve, reject });
        post(w, { type: 'engine', n, change });
      });
    },

    async restart() {
      const w = worker ?? (await starting?.catch(() => null));
      if (w) {
        const exited = new Promise<void>((r) => w.once('exit', () => r()));
        // A worker ends only once its native calls have returned: interrupt the running queries first and
        // give them a moment to unwind.
        const err = new LakecastError(CommonErrors.INTERNAL, 'the task executor thread was restarted');
        const unwound: Promise<void>[] = [];
        for (const [n, j] of jobs) {
          unwound.push(new Promise<void>((r) => unwinding.set(n, r)));
          j.reject(err);
          post(w, { type: 'abort', n });
        }
        jobs.clear();
        await Promise.race([Promise.all(unwound), new Promise((r) => setTimeout(r, RESTART_UNWIND_MS))]);
        unwinding.clear();
        await w.terminate();
        await exited;
      }
      await ensure();
    },

    async close() {
      if (closed) return;
      closed = true;
      const w = worker ?? (await starting?.catch(() => null));
      if (!w) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      post(w, { type: 'close' });
      const timer = setTimeout(() => void w.terminate(), CLOSE_WAIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Wraps `engine` so its lake-table changes (schemas, table registrations) are also applied to the executor
 * thread's engine; everything else goes to `engine` unchanged. A change the thread fails to apply is logged:
 * the main engine has it, and the task that needs it will fail with the engine's error.
 */
export function mirrorEngine<E extends DuckDbEngine>(engine: E, executor: ThreadExecutor, logger: Logger): E {
  const mirror = (change: EngineChange) =>
    executor
      .applyChange(change)
      .catch((err) =>
        logger.error({ err, change: change.op }, 'task executor thread missed an engine change'),
      );
  return Object.assign(Object.create(engine) as E, {
    async ensureSchema(name: string) {
      await engine.ensureSchema(name);
      await mirror({ op: 'ensureSchema', name });
    },
    async dropSchema(name: string) {
      await engine.dropSchema(name);
      await mirror({ op: 'dropSchema', name });
    },
    async registerTable(def: TableDefinition, dir: string) {
      await engine.registerTable(def, dir);
      await mirror({ op: 'registerTable', def, dir });
    },
    async unregisterTable(schema: string, name: string) {
      await engine.unregisterTable(schema, name);
      await mirror({ op: 'unregisterTable', schema, name });
    },
  });
}

/**
 * The worker for executor-thread.ts: the compiled `.js` next to this file, or — when running from the
 * TypeScript sources (tsx, the test runner) — the `.ts` through tsx's loader, registered inside the thread.
 * The thread lowers its own priority first; DuckDB's worker threads, which the instance starts from a thread of
 * libuv's pool and so would not inherit it, are given the same priority once the engine is open
 * (executor-thread.ts).
 */
function createWorker(init: ExecutorThreadInit): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(`./executor-thread.${ts ? 'ts' : 'js'}`, import.meta.url).href;
  const boot = `
const { workerData } = require('node:worker_threads');
${LOWER_THREAD_PRIORITY(EXECUTOR_THREAD_NICE)}
(async () => {
  ${ts ? "(await import('tsx/esm/api')).register();" : ''}
  await import(workerData.entry);
})().catch((err) => { process.nextTick(() => { throw err; }); });
`;
  return new Worker(boot, { eval: true, name: 'lakecast-tasks', workerData: { init, entry } });
}
