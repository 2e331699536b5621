/**
 * Benchmark runner: `npm run bench -- <name> [more names]` imports `bench/<name>.ts`, calls its `run()`,
 * prints the summary it returns and writes it with machine facts to `bench/results/<name>.json`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// libuv's pool is sized by `npm run bench` (UV_THREADPOOL_SIZE in package.json), as bin/lakecast.cjs sizes the
// server's: an ES module entry starts the pool before its first line runs, too late to size it here.

const here = path.dirname(fileURLToPath(import.meta.url));
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (names.length === 0) {
  console.error('usage: npm run bench -- <name>   (engine, tasks, hub, …: the files in bench/)');
  process.exit(2);
}

/** CPU time counters of the whole machine (/proc/stat, Linux): total and stolen by the hypervisor. */
function cpuTimes(): { total: number; steal: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

/** A one-line kernel setting (`/proc`, `/sys`), or null where it does not exist or cannot be read. */
function kernelSetting(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The guest kernel's scheduling facts that move latencies on a VM (docs/tasks-performance.md): whether it packs
 * runnable threads onto few virtual CPUs (a Firecracker guest's `sched_vcpu_pack`), and how long an idle virtual
 * CPU polls before it halts (waking a halted one costs ~0.1 ms per hand-off between threads).
 */
function schedulerFacts() {
  return {
    kernel: os.release(),
    schedVcpuPack: kernelSetting('/proc/sys/kernel/sched_vcpu_pack'),
    cpuidleDriver: kernelSetting('/sys/devices/system/cpu/cpuidle/current_driver'),
    guestHaltPollNs: kernelSetting('/sys/module/haltpoll/parameters/guest_halt_poll_ns'),
  };
}

for (const name of names) {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`bad benchmark name ${name}`);
  const mod = (await import(path.join(here, `${name}.ts`))) as { run: () => Promise<unknown> };
  console.log(`\n### benchmark ${name}`);
  const started = new Date();
  const cpu0 = cpuTimes();
  const result = await mod.run();
  const cpu1 = cpuTimes();
  // Share of CPU time the hypervisor took from this VM during the run: noisy neighbours, recorded with the figures.
  const stealPct =
    cpu0 && cpu1 && cpu1.total > cpu0.total
      ? Math.round((1000 * (cpu1.steal - cpu0.steal)) / (cpu1.total - cpu0.total)) / 10
      : null;
  const record = {
    benchmark: name,
    startedAt: started.toISOString(),
    durationS: (Date.now() - started.getTime()) / 1000,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      cpuStealPercentDuringRun: stealPct,
      scheduler: schedulerFacts(),
    },
    result,
  };
  mkdirSync(path.join(here, 'results'), { recursive: true });
  const file = path.join(here, 'results', `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(record, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}
process.exit(0);
