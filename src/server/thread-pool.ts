import { MAX_CONCURRENT_ENGINE_CALLS } from '../engine/index.js';
import type { Logger } from '../shared/index.js';

/** libuv's thread pool size when UV_THREADPOOL_SIZE is not set. */
const LIBUV_DEFAULT_THREADS = 4;
/** Threads left for file I/O (result files, downloads, the hub's logs) while every engine call holds one. */
const IO_THREADS = 6;

/**
 * How many threads libuv's pool needs so that no file operation waits behind DuckDB: each engine call (a query,
 * a fetch) holds a pool thread until it returns, for as long as a query runs. `engines`: DuckDB instances in the
 * process (the main engine, and the task executor thread's).
 */
export function neededPoolThreads(engines: number): number {
  return engines * MAX_CONCURRENT_ENGINE_CALLS + IO_THREADS;
}

/**
 * The pool size this process asked for (UV_THREADPOOL_SIZE, libuv's default 4 when unset or invalid; libuv caps
 * it at 1024). Set before the pool started, as bin/lakecast.cjs does, it is the pool's size.
 */
export function configuredPoolThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1024) : LIBUV_DEFAULT_THREADS;
}

/**
 * Logs a warning when libuv's pool is smaller than {@link neededPoolThreads}: long queries would then hold every
 * thread and make file I/O (result files, downloads) and further queries wait until one ends. The catalog's
 * acknowledgements do not depend on it (their flushes run on threads of their own).
 */
export function warnIfPoolSmall(
  logger: Logger,
  engines: number,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const threads = configuredPoolThreads(env);
  const needed = neededPoolThreads(engines);
  if (threads >= needed) return false;
  logger.warn(
    { threads, needed },
    `libuv's thread pool has ${threads} threads; ${needed} keep long queries from delaying file I/O: start ` +
      `Lakecast with the lakecast command (it sets UV_THREADPOOL_SIZE) or set UV_THREADPOOL_SIZE=${needed}`,
  );
  return true;
}
