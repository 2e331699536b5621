/**
 * CPU accounting of another process, thread by thread, from Linux's /proc: what a benchmark phase cost the
 * server in CPU time, time spent waiting for a CPU, and context switches, per operation. Steadier than
 * latency on a noisy machine, so builds can be compared by what they spend rather than by how long the client
 * waited. Threads that start during a phase count from zero; a thread that ends during it is not counted.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One thread's counters at one moment. */
interface ThreadCounters {
  /** Time on a CPU, ns (schedstat's first field). */
  readonly cpuNs: number;
  /** Time runnable but waiting for a CPU, ns (schedstat's second field). */
  readonly waitNs: number;
  readonly voluntary: number;
  readonly involuntary: number;
}

/** Every thread's counters of a process, by thread id; null where /proc has no such process (not Linux). */
export type ThreadSnapshot = ReadonlyMap<number, ThreadCounters> | null;

/** What a phase cost per operation (see {@link costPerOperation}). */
export interface CostPerOperation {
  /** CPU time of all the process's threads, ms. */
  readonly cpu_ms: number;
  /** CPU time of the main thread (the event loop), ms. */
  readonly main_thread_cpu_ms: number;
  /** Time the process's threads spent runnable but waiting for a CPU, ms. */
  readonly runqueue_wait_ms: number;
  readonly voluntary_switches: number;
  readonly involuntary_switches: number;
}

const switches = (status: string, name: string) =>
  Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);

/** Reads every thread's counters of `pid` now. */
export function snapshotThreads(pid: number | undefined): ThreadSnapshot {
  if (pid === undefined) return null;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const out = new Map<number, ThreadCounters>();
  for (const tid of tids) {
    try {
      const [cpu, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      out.set(Number(tid), {
        cpuNs: Number(cpu),
        waitNs: Number(wait),
        voluntary: switches(status, 'voluntary_ctxt_switches'),
        involuntary: switches(status, 'nonvoluntary_ctxt_switches'),
      });
    } catch {
      // the thread ended while we read
    }
  }
  return out;
}

/** The difference of two snapshots of process `pid`, divided by `operations`; null without /proc. */
export function costPerOperation(
  pid: number | undefined,
  before: ThreadSnapshot,
  after: ThreadSnapshot,
  operations: number,
): CostPerOperation | null {
  if (pid === undefined || !before || !after || operations <= 0) return null;
  let cpu = 0;
  let wait = 0;
  let voluntary = 0;
  let involuntary = 0;
  let main = 0;
  for (const [tid, a] of after) {
    const b = before.get(tid) ?? { cpuNs: 0, waitNs: 0, voluntary: 0, involuntary: 0 };
    cpu += a.cpuNs - b.cpuNs;
    wait += a.waitNs - b.waitNs;
    voluntary += a.voluntary - b.voluntary;
    involuntary += a.involuntary - b.involuntary;
    if (tid === pid) main = a.cpuNs - b.cpuNs;
  }
  const per = (ns: number) => Math.round((ns / 1e6 / operations) * 1000) / 1000;
  const count = (n: number) => Math.round((n / operations) * 100) / 100;
  return {
    cpu_ms: per(cpu),
    main_thread_cpu_ms: per(main),
    runqueue_wait_ms: per(wait),
    voluntary_switches: count(voluntary),
    involuntary_switches: count(involuntary),
  };
}
