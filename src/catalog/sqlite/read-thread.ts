import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Prepared statements the thread keeps (LRU, by SQL text). */
const THREAD_STATEMENT_CACHE = 64;

/**
 * The thread's code: plain JavaScript started with `eval`, as the checkpointer's (checkpointer.ts), with a
 * read-only connection of its own on the catalog file. Answers `{ n, rows }` or `{ n, error, code }`.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
} catch (e) {
  parentPort.postMessage({ n: -1, error: String(e && e.message ? e.message : e), code: e && e.code });
  process.exit(0);
}
const cache = new Map();
parentPort.on('message', (m) => {
  try {
    let st = cache.get(m.sql);
    if (st) cache.delete(m.sql);
    else st = db.prepare(m.sql);
    if (!st.reader) throw Object.assign(new Error('the catalog read thread runs reads only'), { code: 'LC_NOT_A_READ' });
    cache.set(m.sql, st);
    if (cache.size > workerData.cacheSize) cache.delete(cache.keys().next().value);
    parentPort.postMessage({ n: m.n, rows: st.all(m.params) });
  } catch (e) {
    parentPort.postMessage({ n: m.n, error: String(e && e.message ? e.message : e), code: e && e.code });
  }
});
parentPort.postMessage({ n: 0, ready: true });
`;

type Answer =
  | { readonly n: number; readonly rows: Record<string, unknown>[] }
  | { readonly n: number; readonly error: string; readonly code?: string }
  | { readonly n: 0; readonly ready: true };

/** A failed read, with SQLite's error code (`SQLITE_BUSY` …) as better-sqlite3 gives it. */
export class CatalogReadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

/**
 * Reads of the SQLite catalog on a thread of its own. better-sqlite3 runs statements synchronously, so a read
 * that visits many rows (a `SHOW QUERY_TASK` condition no index serves, a sort by a column of the user's choice,
 * every user's tasks in creation order) held the event loop — and every other client — for as long as it took:
 * 10–35 ms with 100,000 tasks, growing with the history. The thread has a read-only connection on the same file
 * (WAL: it sees every commit made before the read starts, never a transaction in progress). It starts with the
 * first read and again after it died; reads wait their turn on it, one at a time.
 */
export class CatalogReadThread {
  readonly #file: string;
  readonly #busyTimeoutMs: number;
  #worker: Worker | null = null;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();
  #closed = false;
  /** Reads answered so far (tests and diagnostics). */
  reads = 0;

  constructor(file: string, busyTimeoutMs: number) {
    this.#file = file;
    this.#busyTimeoutMs = Math.max(0, Math.trunc(busyTimeoutMs));
  }

  /** The rows of the reading statement `sql` with `params`. */
  read(sql: string, params: readonly unknown[]): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new CatalogReadError('the catalog is closed'));
    const worker = this.#worker ?? this.#start();
    const n = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(n, { resolve, reject });
      worker.postMessage({ n, sql, params });
    });
  }

  #start(): Worker {
    const worker = new Worker(SOURCE, {
      eval: true,
      name: 'lakecast-catalog-reader',
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: this.#file,
        busyTimeoutMs: this.#busyTimeoutMs,
        cacheSize: THREAD_STATEMENT_CACHE,
      },
    });
    worker.unref();
    worker.on('message', (m: Answer) => {
      if ('ready' in m) return;
      if (m.n === -1 && 'error' in m) return this.#failAll(new CatalogReadError(m.error, m.code));
      const p = this.#pending.get(m.n);
      if (!p) return;
      this.#pending.delete(m.n);
      this.reads++;
      if ('error' in m) p.reject(new CatalogReadError(m.error, m.code));
      else p.resolve(m.rows.map(withBuffers));
    });
    const died = (why: string) => {
      if (this.#worker === worker) this.#worker = null;
      this.#failAll(new CatalogReadError(`the catalog read thread stopped: ${why}`));
    };
    worker.on('error', (err) => died(String(err)));
    worker.on('exit', (code) => died(`exit ${code}`));
    this.#worker = worker;
    return worker;
  }

  #failAll(err: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }

  /**
   * Stops the thread at once, also in the middle of a long read (it only reads, so nothing is left half
   * done); reads still waiting fail.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    this.#failAll(new CatalogReadError('the catalog is closed'));
    if (worker) {
      worker.ref(); // see the checkpointer's stop(): the process must not end before the thread has
      await worker.terminate();
    }
  }
}

/** BLOB values arrive as Uint8Array (structured clone); the catalog's readers expect Buffers as on the loop. */
function withBuffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v))
      row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return row;
}
