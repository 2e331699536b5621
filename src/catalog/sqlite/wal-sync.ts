import { closeSync, type fdatasync, openSync } from 'node:fs';
import { DatasyncThread } from './datasync-thread.js';

/**
 * Makes the catalog's commits durable off the event loop, sharing one fsync among concurrent commits.
 *
 * The connection runs with `synchronous=NORMAL` in WAL mode: COMMIT appends the transaction's frames to the
 * `-wal` file (write(2), page cache) and returns without fsync. Before a commit is acknowledged, the driver
 * awaits {@link sync}, which fdatasyncs the WAL file on a thread of its own ({@link DatasyncThread}; not libuv's
 * pool, where DuckDB's calls hold threads for as long as their queries run). One fdatasync makes every frame
 * written before it started durable, so commits share them (group commit): up to two run at once (on two
 * threads), and commits that arrive while both run share the next one.
 * SQLite itself fsyncs the WAL before a checkpoint copies it into the database file, and the database file
 * after (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html). A kill -9
 * loses nothing either way (the frames are in the page cache); this is about power loss.
 */
export class WalSync {
  readonly #walFile: string;
  #fd: number | null = null;
  /** fdatasyncs running now. */
  #running = 0;
  /** The fdatasync that starts when one running ends, shared by every commit that waits for it. */
  #queued: { promise: Promise<void>; start: () => void } | null = null;
  readonly #all = new Set<Promise<void>>();
  #closed = false;

  readonly #datasync: typeof fdatasync | undefined;
  readonly #maxConcurrent: number;
  /** The flush threads started so far (at most `maxConcurrent`). */
  #threads: DatasyncThread[] = [];

  /**
   * `databaseFile`: the catalog file; its WAL is `<databaseFile>-wal`. `maxConcurrent` fdatasyncs may run at
   * once (default 2): a commit arriving while one runs starts its own instead of waiting for it to end first,
   * which halves its wait; later commits share the next one. `datasync` is for tests: it replaces the flush threads.
   */
  constructor(databaseFile: string, datasync?: typeof fdatasync, maxConcurrent = 2) {
    this.#walFile = `${databaseFile}-wal`;
    this.#datasync = datasync;
    this.#maxConcurrent = Math.max(1, maxConcurrent);
  }

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    if (this.#running < this.#maxConcurrent) return this.#start();
    // Every running fdatasync may have started before our commit: share the next one.
    if (!this.#queued) {
      let start!: () => void;
      const promise = new Promise<void>((resolve, reject) => {
        start = () => {
          this.#queued = null;
          this.#start().then(resolve, reject);
        };
      });
      this.#queued = { promise, start };
    }
    return this.#queued.promise;
  }

  #start(): Promise<void> {
    this.#running++;
    const p = this.#fdatasync().finally(() => {
      this.#running--;
      this.#all.delete(p);
      this.#queued?.start();
    });
    this.#all.add(p);
    return p;
  }

  #fdatasync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    // The WAL exists from the first commit on and keeps its inode while the connection is open (SQLite
    // deletes it only when the last connection closes).
    this.#fd ??= openSync(this.#walFile, 'r');
    const fd = this.#fd;
    const datasync = this.#datasync;
    if (datasync)
      return new Promise((resolve, reject) => datasync(fd, (err) => (err ? reject(err) : resolve())));
    // At most maxConcurrent run (see #start), so an idle thread exists or another may start.
    let thread = this.#threads.find((t) => !t.busy);
    if (!thread) {
      const started: DatasyncThread = new DatasyncThread(fd, () => {
        this.#threads = this.#threads.filter((t) => t !== started);
      });
      thread = started;
      this.#threads.push(thread);
    }
    return thread.sync();
  }

  /** Waits for running and queued fdatasyncs, then closes the WAL's descriptor. */
  async close(): Promise<void> {
    while (this.#all.size > 0 || this.#queued) {
      await Promise.allSettled([...this.#all, this.#queued?.promise]);
    }
    this.#closed = true;
    await Promise.all(this.#threads.map((t) => t.close()));
    this.#threads = [];
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
