/**
 * The executor thread's entry point: an engine and a result store of its own, running task queries sent by
 * the main thread (see thread-executor.ts). Started by {@link startExecutorThread}, never imported directly.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createDuckDbEngine, type DuckDbEngine } from '../../engine/index.js';
import { createLogger, LakecastError, lowerPriorityOfThreadsSince, threadIds } from '../../shared/index.js';
import { openObjectStore } from '../../storage/index.js';
import { createInlineExecutor, type TaskExecutor } from '../executor.js';
import { engineParquetWriter } from '../parquet.js';
import type { EngineChange, ExecutorThreadInit, FromThread, ThreadError, ToThread } from './protocol.js';
import { EXECUTOR_THREAD_NICE } from './thread-executor.js';

/** The name the thread's engine temp folder has under `<dataDir>/engine/`. */
export const THREAD_ENGINE_TEMP_FOLDER = 'tmp-tasks';

if (!parentPort) throw new Error('executor-thread.ts runs as a worker thread only');
const port: MessagePort = parentPort;
const init = (workerData as { init: ExecutorThreadInit }).init;
const logger = createLogger({ level: init.logLevel, name: 'lakecast-tasks' });

const send = (msg: FromThread) => port.postMessage(msg);

function threadError(err: unknown): ThreadError {
  if (err instanceof LakecastError) return { code: err.code, message: err.message };
  return { code: null, message: err instanceof Error ? err.message : String(err) };
}

async function applyChange(engine: DuckDbEngine, change: EngineChange): Promise<void> {
  switch (change.op) {
    case 'ensureSchema':
      return engine.ensureSchema(change.name);
    case 'dropSchema':
      return engine.dropSchema(change.name);
    case 'registerTable':
      return engine.registerTable(change.def, change.dir);
    case 'unregisterTable':
      return engine.unregisterTable(change.schema, change.name);
  }
}

async function main(): Promise<void> {
  let engine: DuckDbEngine;
  let executor: TaskExecutor;
  try {
    const before = threadIds();
    engine = await createDuckDbEngine({
      dataDir: init.dataDir,
      tempFolder: THREAD_ENGINE_TEMP_FOLDER,
      memoryLimit: init.memoryLimit,
      threads: init.threads,
      allowedDirectories: init.allowedDirectories,
      logger,
    });
    // DuckDB starts its worker threads on the libuv pool thread that opens the instance: they would run at the
    // pool's priority, not this thread's.
    lowerPriorityOfThreadsSince(before, EXECUTOR_THREAD_NICE);
    executor = createInlineExecutor({
      engine,
      resultStore: openObjectStore(init.resultsUri, init.s3 ? { s3: init.s3 } : {}),
      writeParquet: engineParquetWriter(engine),
      logger,
    });
  } catch (err) {
    send({ type: 'start-failed', error: threadError(err) });
    return;
  }

  const running = new Map<number, AbortController>();
  /*
   * Catalog changes apply in the order they were sent, and a job waits for the changes sent before it: a
   * task submitted right after CREATE EXTERNAL TABLE sees the table.
   */
  let changes: Promise<void> = Promise.resolve();

  port.on('message', (msg: ToThread) => {
    switch (msg.type) {
      case 'execute': {
        const controller = new AbortController();
        running.set(msg.n, controller);
        const after = changes;
        void (async () => {
          try {
            await after;
            controller.signal.throwIfAborted();
            const outcome = await executor.execute(msg.job, {
              signal: controller.signal,
              onProgress: (percent) => send({ type: 'progress', n: msg.n, percent }),
            });
            send({ type: 'done', n: msg.n, outcome });
          } catch (err) {
            send({ type: 'failed', n: msg.n, error: threadError(err) });
          } finally {
            running.delete(msg.n);
          }
        })();
        return;
      }
      case 'abort':
        running.get(msg.n)?.abort();
        return;
      case 'engine': {
        const change = changes.then(() => applyChange(engine, msg.change));
        changes = change.catch(() => undefined);
        change.then(
          () => send({ type: 'engine-done', n: msg.n }),
          (err) => send({ type: 'engine-done', n: msg.n, error: threadError(err) }),
        );
        return;
      }
      case 'close':
        for (const c of running.values()) c.abort();
        void (async () => {
          await changes;
          await engine.close().catch((err) => logger.warn({ err }, 'closing the task engine failed'));
          send({ type: 'closed' });
          port.close();
        })();
        return;
    }
  });
  send({ type: 'ready' });
}

void main();
