import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costPerOperation, snapshotThreads } from '../../../bench/lib/thread-cpu.js';

/** This process's main thread's CPU time so far, ns (what the kernel accounts it, not the whole process). */
const mainThreadNs = () =>
  Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);

/** Spins until the main thread has used `ms` of CPU time (other threads of the worker may run meanwhile). */
function burn(ms: number): void {
  const start = mainThreadNs();
  while (mainThreadNs() - start < ms * 1e6) {
    // spin
  }
}

describe('bench thread CPU accounting', () => {
  it.runIf(process.platform === 'linux')("charges a phase's CPU to the main thread, per operation", () => {
    const before = snapshotThreads(process.pid);
    burn(40);
    const after = snapshotThreads(process.pid);
    const cost = costPerOperation(process.pid, before, after, 4);
    expect(cost).not.toBeNull();
    // 40 ms over 4 operations: at least ~10 ms each on the main thread, all threads at least as much.
    expect(cost!.main_thread_cpu_ms).toBeGreaterThanOrEqual(9.5);
    expect(cost!.cpu_ms).toBeGreaterThanOrEqual(cost!.main_thread_cpu_ms);
    expect(cost!.runqueue_wait_ms).toBeGreaterThanOrEqual(0);
    expect(cost!.voluntary_switches).toBeGreaterThanOrEqual(0);
  });

  it('has nothing to say without a process to read', () => {
    expect(snapshotThreads(undefined)).toBeNull();
    expect(snapshotThreads(2 ** 30)).toBeNull(); // no such pid
    expect(costPerOperation(undefined, null, null, 10)).toBeNull();
    const now = snapshotThreads(process.pid);
    expect(costPerOperation(process.pid, now, now, 0)).toBeNull();
  });
});
