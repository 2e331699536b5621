import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OWN_THREAD_ID_SOURCE, registerLatencyCriticalThread } from '../../shared/index.js';

/** Slots of the shared state (Int32 each). Sequence numbers wrap; they are compared by their difference. */
const REQUESTED = 0; // last sequence number asked for (main thread)
const DONE = 1; // sequence number the last finished fdatasync covers (thread)
const FAILED_AT = 2; // sequence number the last failed fdatasync covers (thread)
const ERRNO = 3; // its errno, negative as libuv reports it (thread)
const FAILURES = 4; // failed fdatasyncs so far (thread)
const STOP = 5; // 1: the thread leaves its loop (main thread)
const TID = 6; // the thread's Linux thread id, once it runs (thread; 0 elsewhere)
const SLOTS = 7;

/**
 * The thread's code: plain JavaScript started with `eval`, as the catalog's other threads. It sleeps in
 * `Atomics.wait` until a sync is asked for, runs fdatasync(2), and publishes the sequence number it covered: every
 * request made before the fdatasync started.
 */
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { fdatasyncSync } = require('node:fs');
const s = new Int32Array(workerData.state);
try {
  Atomics.store(s, ${TID}, ${OWN_THREAD_ID_SOURCE});
} catch {}
let seen = workerData.first;
for (;;) {
  Atomics.wait(s, ${REQUESTED}, seen);
  if (Atomics.load(s, ${STOP}) !== 0) break;
  const covered = Atomics.load(s, ${REQUESTED});
  try {
    fdatasyncSync(workerData.fd);
  } catch (e) {
    Atomics.store(s, ${ERRNO}, typeof e.errno === 'number' ? e.errno : -5);
    Atomics.store(s, ${FAILED_AT}, covered);
    Atomics.add(s, ${FAILURES}, 1);
  }
  Atomics.store(s, ${DONE}, covered);
  Atomics.notify(s, ${DONE});
  seen = covered;
}
`;

/** `Atomics.waitAsync` (V8 ≥ 8.7, in every Node this project supports; not yet in TypeScript's ES2022 lib). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      index: number,
      value: number,
    ): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync;

const covers = (done: number, seq: number) => ((done - seq) | 0) >= 0;

/** libuv's negative errno → its name (`-5` → `EIO`). */
function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === -errno) return name;
  return 'EIO';
}

interface Waiter {
  readonly seq: number;
  /**
   * Failed fdatasyncs before the request: a later failure that covers it fails it (a wrapped old one cannot). A
   * failure of a still later flush, seen at the same time, fails it too: an fsync error leaves the disk's state
   * unknown, so the commit is not acknowledged.
   */
  readonly failures: number;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * fdatasync(2) of one file descriptor on a thread of its own, one at a time: the catalog's commits are
 * acknowledged once their WAL frames are flushed, and the flush must never queue on libuv's thread pool, where
 * DuckDB's calls hold threads for as long as a query runs (a few long queries would otherwise stall every
 * acknowledgement). The main thread asks through shared memory (`Atomics.notify`) and is woken by
 * `Atomics.waitAsync`: no message is serialized. Each flush covers every request made before it started, so
 * requests arriving while one runs share the next.
 */
export class DatasyncThread {
  readonly #state = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  /** Waiting requests, oldest first. */
  #waiters: Waiter[] = [];
  #watching = false;
  #dead: Error | null = null;

  /**
   * `onExit` is called if the thread ends on its own (it never should): the owner starts another. `firstSeq` (for
   * tests) is where the sequence numbers start, to check that their wrap-around changes nothing.
   */
  constructor(fd: number, onExit?: () => void, firstSeq = 0) {
    Atomics.store(this.#state, REQUESTED, firstSeq | 0);
    Atomics.store(this.#state, DONE, firstSeq | 0);
    this.#worker = new Worker(SOURCE, {
      eval: true,
      name: 'lakecast-catalog-datasync',
      workerData: { state: this.#state.buffer, fd, first: firstSeq | 0 },
    });
    this.#worker.unref(); // referenced only while a request waits (see #watch)
    // Acknowledging a commit waits for this thread: it runs at the event loop's priority.
    const unregister = registerLatencyCriticalThread(() => this.tid);
    this.#exited = new Promise((resolve) => {
      this.#worker.once('error', (err) => this.#fail(err instanceof Error ? err : new Error(String(err))));
      this.#worker.once('exit', () => {
        unregister();
        this.#fail(new Error('the catalog flush thread ended'));
        onExit?.();
        resolve();
      });
    });
  }

  /** The thread's Linux thread id once it runs (0 before, and off Linux): for its scheduling priority. */
  get tid(): number {
    return Atomics.load(this.#state, TID);
  }

  /** Whether a request waits for this thread now. */
  get busy(): boolean {
    return this.#waiters.length > 0;
  }

  /** Resolves once an fdatasync that started after this call has ended; rejects with its errno error if it failed. */
  sync(): Promise<void> {
    if (this.#dead) return Promise.reject(this.#dead);
    // Read before asking: a flush that covers this request starts after the request, so any failure of it is
    // counted after this read.
    const failures = Atomics.load(this.#state, FAILURES);
    const seq = (Atomics.add(this.#state, REQUESTED, 1) + 1) | 0;
    Atomics.notify(this.#state, REQUESTED);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ seq, failures, resolve, reject });
      if (!this.#watching) this.#watch();
    });
  }

  /** Settles the requests the last finished flush covers, then waits for the next one while any is left. */
  #watch(): void {
    const done = Atomics.load(this.#state, DONE);
    while (this.#waiters.length > 0 && covers(done, this.#waiters[0]!.seq)) {
      const w = this.#waiters.shift()!;
      const failed =
        Atomics.load(this.#state, FAILURES) !== w.failures &&
        covers(Atomics.load(this.#state, FAILED_AT), w.seq);
      if (failed) {
        const code = errnoName(Atomics.load(this.#state, ERRNO));
        w.reject(Object.assign(new Error(`${code}: fdatasync of the catalog's WAL failed`), { code }));
      } else w.resolve();
    }
    if (this.#waiters.length === 0 || this.#dead) {
      this.#watching = false;
      this.#worker.unref();
      return;
    }
    this.#watching = true;
    this.#worker.ref(); // the process must not end while a commit waits for its flush
    const wait = waitAsync(this.#state, DONE, done);
    if (wait.async) (wait.value as Promise<unknown>).then(() => this.#watch());
    else queueMicrotask(() => this.#watch());
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }

  /** Stops the thread (after the flush it runs, if any) and waits for it to end. */
  async close(): Promise<void> {
    Atomics.store(this.#state, STOP, 1);
    Atomics.add(this.#state, REQUESTED, 1);
    Atomics.notify(this.#state, REQUESTED);
    this.#worker.ref(); // keep the process until it has ended (see the catalog's close)
    await this.#exited;
  }
}
