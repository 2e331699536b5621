import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the background thread runs a passive checkpoint. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * WAL size (pages) at which the write connection checkpoints by itself, on the event loop: only reached if
 * the background thread cannot keep up or is gone. SQLite's default is 1,000.
 */
export const FOREGROUND_CHECKPOINT_PAGES = 10_000;

/**
 * The thread's code: plain JavaScript started with `eval` (see storage/local/helper-thread.ts for why), given
 * the absolute path of better-sqlite3 so it resolves the same module as the caller wherever the process runs.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message ? e.message : e) });
  process.exit(0);
}
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (e) {
    // SQLITE_BUSY and the like: try again next time; the write connection's own checkpoint is the backstop.
    if (++failures === 50) parentPort.postMessage({ error: String(e && e.message ? e.message : e) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { db.close(); } catch {}
  process.exit(0);
});
`;

/** A running background checkpointer. */
export interface Checkpointer {
  /** Stops the thread after closing its connection. */
  stop(): Promise<void>;
}

/**
 * Copies the WAL of the SQLite file `file` back into the database from a thread of its own, with a connection
 * of its own (`PRAGMA wal_checkpoint(PASSIVE)` every {@link CHECKPOINT_INTERVAL_MS} ms: it never waits for
 * readers or the writer). Without it the write connection checkpoints after the commit that passes 1,000 WAL
 * pages, on the event loop, fsyncs included: measured on the tasks benchmark, 1 commit in 100 took 2–5 ms
 * instead of 0.09 ms. The caller sets `wal_autocheckpoint` to {@link FOREGROUND_CHECKPOINT_PAGES} as a
 * backstop. `onError` hears of a thread that could not open the file or keeps failing (it is not fatal).
 */
export function startCheckpointer(
  file: string,
  options: { busyTimeoutMs: number; intervalMs?: number; onError?: (message: string) => void },
): Checkpointer {
  const worker = new Worker(SOURCE, {
    eval: true,
    name: 'lakecast-sqlite-checkpointer',
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      busyTimeoutMs: Math.max(0, Math.trunc(options.busyTimeoutMs)),
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
    },
  });
  worker.unref();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  worker.on('message', (m: { error?: string }) => {
    if (m.error) options.onError?.(m.error);
  });
  worker.on('error', (err) => options.onError?.(String(err)));
  return {
    async stop() {
      // Referenced again while it stops: with nothing else left (a start that failed and is closing everything),
      // an unreferenced worker would let the process end before its exit, and with it the caller's error report.
      worker.ref();
      if (!exited) worker.postMessage('stop');
      await exit;
    },
  };
}
