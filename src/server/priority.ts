import { getPriority, setPriority } from 'node:os';
import { type Logger, latencyCriticalThreadIds } from '../shared/index.js';

/** Where bin/lakecast.cjs leaves the ids of the threads Node started before any of Lakecast's code. */
const STARTUP_THREADS = Symbol.for('lakecast.startupThreads');

/**
 * Gives the calling thread — the event loop — the scheduling priority `nice` (−20 … 19, lower runs first) when it
 * is higher than the current one and the process may raise it (Linux: root or `CAP_SYS_NICE`); otherwise it
 * leaves it and logs why at info. Returns a function that puts the previous priority back (for `close`).
 *
 * Why: the event loop answers every client and acknowledges every catalog commit, while queries run on other
 * threads (libuv's pool, DuckDB's workers, the task thread at nice 5). On two cores busy with tasks, a woken event
 * loop waited for a core behind them; at nice −10 a submit's p99 fell from 4.7–6.0 to 4.2–4.9 ms and its p50
 * from 0.77–1.04 to 0.70–0.86 ms (6 interleaved rounds of 3,000 back-to-back submits, docs/tasks-performance.md).
 * Threads created later by the event loop inherit the priority; those doing background work set their own
 * (the task thread 5, the spare-inode maker 10). V8's platform threads, listed by the `lakecast` command's entry
 * before anything else started, get it too: the event loop waits for them in every garbage collection (p99 of the
 * same submits 3.7–5.1 against 4.0–5.2 ms, p50 0.52–0.81 against 0.67–0.91 ms, 5 interleaved rounds); embedded
 * (no such list), they keep theirs. The threads registered as latency-critical (the catalog's WAL flush threads)
 * are raised too; one started later inherits the priority from the event loop that starts it.
 */
export function raiseEventLoopPriority(nice: number, logger: Logger): () => void {
  const keep = () => {};
  if (nice === 0) return keep;
  let before: number;
  try {
    before = getPriority(0);
  } catch {
    return keep; // not supported here
  }
  if (nice >= before) return keep;
  try {
    setPriority(0, nice);
  } catch (err) {
    logger.info(
      { eventLoopNice: nice, reason: (err as NodeJS.ErrnoException).code ?? String(err) },
      'the event loop keeps its scheduling priority: raising it needs root or CAP_SYS_NICE (eventLoopNice)',
    );
    return keep;
  }
  const helpers = [...startupThreads(), ...latencyCriticalThreadIds()];
  for (const tid of helpers) {
    try {
      setPriority(tid, nice);
    } catch {
      // gone, or not ours to change: the event loop's own priority is what matters most
    }
  }
  logger.debug({ eventLoopNice: nice, threads: helpers.length }, 'event loop scheduling priority raised');
  return () => {
    for (const tid of [0, ...helpers]) {
      try {
        setPriority(tid, before);
      } catch {
        // lowering is always allowed; a thread may be gone
      }
    }
  };
}

/** The thread ids bin/lakecast.cjs recorded at start (empty when Lakecast is embedded or not on Linux). */
function startupThreads(): number[] {
  const list = (globalThis as Record<symbol, unknown>)[STARTUP_THREADS];
  return Array.isArray(list) ? list.filter((t): t is number => Number.isInteger(t) && t > 0) : [];
}
