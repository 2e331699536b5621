import { closeSync, fdatasync, openSync } from 'node:fs';

/**
 * Makes the catalog's commits durable off the event loop, sharing one fsync among concurrent commits.
 *
 * The connection runs with `synchronous=NORMAL` in WAL mode: COMMIT appends the transaction's frames to the
 * `-wal` file (write(2), page cache) and returns without fsync. Before a commit is acknowledged, the driver
 * awaits {@link sync}, which fdatasyncs the WAL file on libuv's thread pool. One fdatasync makes every frame
 * written before it started durable, so commits that arrive while one runs share the next one (group commit).
 * SQLite itself fsyncs the WAL before a checkpoint copies it into the database file, and the database file
 * after (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html). A kill -9
 * loses nothing either way (the frames are in the page cache); this is about power loss.
 */
export class WalSync {
  readonly #walFile: string;
  #fd: number | null = null;
  #inflight: Promise<void> | null = null;
  #next: Promise<void> | null = null;
  #closed = false;

  readonly #datasync: typeof fdatasync;

  /** `databaseFile`: the catalog file; its WAL is `<databaseFile>-wal`. `datasync` is for tests. */
  constructor(databaseFile: string, datasync: typeof fdatasync = fdatasync) {
    this.#walFile = `${databaseFile}-wal`;
    this.#datasync = datasync;
  }

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    if (!this.#inflight) {
      this.#inflight = this.#fdatasync().finally(() => {
        this.#inflight = null;
      });
      return this.#inflight;
    }
    // The running fdatasync may have started before our commit: wait for it, then for one more (shared).
    this.#next ??= this.#inflight.then(
      () => this.#startNext(),
      () => this.#startNext(),
    );
    return this.#next;
  }

  #startNext(): Promise<void> {
    this.#next = null;
    return this.sync();
  }

  #fdatasync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    // The WAL exists from the first commit on and keeps its inode while the connection is open (SQLite
    // deletes it only when the last connection closes).
    this.#fd ??= openSync(this.#walFile, 'r');
    const fd = this.#fd;
    return new Promise((resolve, reject) => this.#datasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Waits for a running fdatasync, then closes the WAL's descriptor. */
  async close(): Promise<void> {
    await Promise.allSettled([this.#inflight, this.#next]);
    this.#closed = true;
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
