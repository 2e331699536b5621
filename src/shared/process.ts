import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Whether a process with this id runs now (signal 0 probes without sending anything; EPERM means it runs
 * under another user). Pid reuse can make a long-dead owner look alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * JavaScript expression (CommonJS, node: built-ins only) for an eval'd worker thread's source: the Linux thread id
 * of the thread evaluating it. Throws off Linux (no `/proc/thread-self`).
 */
export const OWN_THREAD_ID_SOURCE =
  "Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())";

/**
 * JavaScript source (CommonJS, node: built-ins only) that lowers the scheduling priority of the thread running it
 * to `nice` (Linux: setpriority on its thread id; elsewhere nothing): for the source of an eval'd worker thread,
 * so that on a busy machine it yields to the event loop. Threads it starts afterwards inherit the priority.
 */
export const LOWER_THREAD_PRIORITY = (nice: number) => `
try {
  const tid = ${OWN_THREAD_ID_SOURCE};
  if (tid > 0) require('node:os').setPriority(tid, ${nice});
} catch {}
`;

/** Ids of this process's threads now (Linux `/proc/self/task`; empty elsewhere). */
export function threadIds(): Set<number> {
  try {
    return new Set(readdirSync('/proc/self/task').map(Number));
  } catch {
    return new Set();
  }
}

/**
 * Gives the threads of this process that did not exist in `before` the priority `nice` (Linux; best effort):
 * for threads a library starts on a thread of libuv's pool, which does not inherit the caller's priority — DuckDB
 * starts its worker threads from there when an instance opens.
 */
export function lowerPriorityOfThreadsSince(before: ReadonlySet<number>, nice: number): void {
  for (const tid of threadIds()) {
    if (before.has(tid)) continue;
    try {
      setPriority(tid, nice);
    } catch {
      // gone already, or not allowed: leave it
    }
  }
}

const latencyCritical = new Set<() => number>();

/**
 * Registers a thread on the path of clients' answers besides the event loop (the catalog's WAL flush threads: a
 * commit is acknowledged when theirs ends), by a function giving its thread id (0 while unknown): the server
 * gives such threads the event loop's priority (server/priority.ts). Returns the function that unregisters it.
 */
export function registerLatencyCriticalThread(tid: () => number): () => void {
  latencyCritical.add(tid);
  return () => latencyCritical.delete(tid);
}

/** Thread ids of the registered latency-critical threads that are known now. */
export function latencyCriticalThreadIds(): number[] {
  return [...latencyCritical].map((tid) => tid()).filter((tid) => tid > 0);
}
