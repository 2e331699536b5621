import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { randomHex } from '../../shared/index.js';
import { makeInodes } from './inode-maker.js';

/** How many spare files and spare folders a pool keeps ready (each). */
export const SPARE_TARGET = 64;

/**
 * This machine's tag in entry names (8 hex digits of a hash of the host name): a process only ever removes
 * entries of its own machine, so servers sharing a results folder over a network file system never take each
 * other's live entries for a dead process's.
 */
export const HOST_TAG = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);

/** After a failed refill (full or read-only disk, folder removed), wait this long before trying again. */
const RETRY_AFTER_MS = 30_000;

/**
 * Empty files and folders made ahead of time, off the event loop, inside a store's temp folder.
 *
 * Creating an inode is the dearest metadata call a local `put` makes: measured on the 2-core VMs we test on
 * (ext4 without a journal), `open(O_CREAT)` of a new file costs 0.4–1 ms of kernel CPU and `mkdir`
 * 0.12–0.5 ms, while opening an existing file costs 0.07 ms. Done synchronously they stall the event loop
 * for every result file. Done on libuv's pool they cost nearly as much event-loop time: a CPU profile of the
 * tasks benchmark put 0.2 ms of main-thread time on each asynchronous open or mkdir (waking a pool thread on
 * two busy cores preempts the loop). So a maker thread of our own creates them in batches (one message per
 * half pool, see inode-maker.ts), and `put` takes one and renames it into place. When the pool is empty the
 * caller creates its own, as before.
 *
 * Entries carry the creating machine's tag and process id (`sp-<host>-<pid>-<instance>-<n>`), so a later
 * process on the same machine removes what a dead one left behind (spares and half-written temp files of a
 * crashed put) without touching those of a live one or of another machine sharing the folder. (Processes in
 * separate pid namespaces that share both a host name and the folder would defeat the pid check: give such
 * containers their own host names or results folders.)
 */
export class SpareInodes {
  readonly #dir: string;
  readonly #prefix: string;
  readonly #target: number;
  readonly #files: string[] = [];
  readonly #folders: string[] = [];
  #n = 0;
  #refilling: Promise<void> | null = null;
  #started = false;
  /** A batch has run without error, so a dead process's leftovers were removed. */
  #cleaned = false;
  #failedAt = 0;
  /** Batch folders made so far that may still hold entries (removed by the maker once empty). */
  #batches: string[] = [];

  /** `dir`: the store's temp folder (created on first use). */
  constructor(dir: string, target = SPARE_TARGET) {
    this.#dir = dir;
    this.#prefix = `sp-${HOST_TAG}-${process.pid}-${randomHex(4)}-`;
    this.#target = Math.max(0, target);
  }

  /** The temp folder the entries live in. */
  get dir(): string {
    return this.#dir;
  }

  /** A fresh name in the temp folder for a file the caller creates itself (same cleanup rules). */
  nextName(): string {
    return path.join(this.#dir, `${this.#prefix}${this.#n++}`);
  }

  /** An empty file of ours (path), or undefined when none is ready. */
  takeFile(): string | undefined {
    return this.#files.shift(); // oldest first, so that older batch folders empty out
  }

  /** An empty folder of ours (path), or undefined when none is ready. */
  takeFolder(): string | undefined {
    return this.#folders.shift();
  }

  /** Counts of ready entries (for tests and metrics). */
  get ready(): { files: number; folders: number } {
    return { files: this.#files.length, folders: this.#folders.length };
  }

  /** Resolves when the background refill running now (if any) ends. */
  async settled(): Promise<void> {
    while (this.#refilling) await this.#refilling;
  }

  /**
   * Starts a refill batch when the pool is half used (or on first use; the first batch that succeeds also
   * removes a dead process's leftovers). Call it once the temp folder exists:
   * the maker thread creates entries in it but never creates the folder's parents.
   */
  replenish(): void {
    if (this.#refilling || this.#target === 0) return;
    if (this.#failedAt && Date.now() - this.#failedAt < RETRY_AFTER_MS) return;
    const low = this.#target / 2;
    if (this.#started && this.#files.length > low && this.#folders.length > low) return;
    this.#started = true;
    this.#refilling = this.#refill().finally(() => {
      this.#refilling = null;
    });
  }

  async #refill(): Promise<void> {
    // Each batch goes into a folder of its own that the maker never touches again once it has answered:
    // creating an inode holds its folder's lock for the whole (slow) allocation, and put's renames out of
    // a folder being filled waited for it (0.15 ms per rename in a profile of the tasks benchmark, against
    // 0.02 ms alone).
    const batch = `${this.nextName()}.b`;
    const names = (n: number, suffix: string) =>
      Array.from({ length: n }, () => path.join(batch, `${this.#n++}${suffix}`));
    const res = await makeInodes({
      dir: this.#dir,
      batch,
      files: names(this.#target - this.#files.length, ''),
      folders: names(this.#target - this.#folders.length, '.d'),
      removeLeftoversOf: this.#cleaned ? null : HOST_TAG,
      removeIfEmpty: this.#batches,
    });
    this.#batches = this.#batches.filter((b) => !res.removed.includes(b));
    this.#batches.push(batch); // even if it stayed empty (an error after its mkdir): removed next time
    this.#files.push(...res.files);
    this.#folders.push(...res.folders);
    // A full or read-only disk, or the folder removed under us: pause; put creates its own meanwhile and
    // reports the real error if there is one.
    this.#failedAt = res.error ? Date.now() : 0;
    if (!res.error) this.#cleaned = true;
  }
}
