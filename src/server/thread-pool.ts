import { MAX_CONCURRENT_ENGINE_CALLS } from '../engine/index.js';
import type { Logger } from '../shared/index.js';

/** libuv's thread pool size when UV_THREADPOOL_SIZE is not set. */
const LIBUV_DEFAULT_THREADS = 4;
/** libuv's cap on the pool's size. */
const MAX_THREADS = 1024;
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
 * The pool size UV_THREADPOOL_SIZE asks for, read as libuv reads it: unset → 4; otherwise its leading integer
 * (C `atoi`: `48abc` → 48), where 0 or no number → 1 and a negative or larger value → 1024 (the cap). Set
 * before the pool started, as bin/lakecast.cjs does, it is the pool's size.
 */
export function configuredPoolThreads(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.UV_THREADPOOL_SIZE;
  if (value === undefined) return LIBUV_DEFAULT_THREADS;
  const n = Number.parseInt(value.trim(), 10);
  if (!Number.isFinite(n) || n === 0) return 1;
  return n < 0 || n > MAX_THREADS ? MAX_THREADS : n;
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
