import { mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive, randomHex } from '../../shared/index.js';

/** How many spare files and spare folders a pool keeps ready (each). */
export const SPARE_TARGET = 64;

/** Creations the refill keeps in flight on libuv's pool. */
const REFILL_PARALLEL = 2;

/** After a failed refill (full or read-only disk, folder removed), wait this long before trying again. */
const RETRY_AFTER_MS = 30_000;

/** Names of every entry a pool creates: `sp-<pid>-<instance>-<n>` (+ `.d` for folders). */
const SPARE_NAME = /^sp-(\d+)-[0-9a-f]+-\d+(\.d)?$/;

/**
 * Empty files and folders made ahead of time, off the event loop, inside a store's temp folder.
 *
 * Creating an inode is the dearest metadata call a local `put` makes: measured on the 2-core VMs we test on
 * (ext4), `open(O_CREAT)` of a new file costs 0.4–1 ms of kernel CPU and `mkdir` 0.25–0.5 ms, while `rename`
 * and opening an existing file cost 0.01–0.04 ms. Done synchronously they stall the event loop for every
 * result file; done on libuv's pool at the moment they are needed they add a round trip to each put. The pool
 * creates them in the background instead (two calls at a time on libuv's pool, refilled when half used), and
 * `put` takes one and renames it into place. When the pool is empty the caller creates its own, as before.
 *
 * Entries carry the creating process's id, so a later process removes what a dead one left behind (spares
 * and half-written temp files of a crashed put) without touching those of a live one sharing the folder.
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
  #failedAt = 0;

  /** `dir`: the store's temp folder (created on first use). */
  constructor(dir: string, target = SPARE_TARGET) {
    this.#dir = dir;
    this.#prefix = `sp-${process.pid}-${randomHex(4)}-`;
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

  /** An empty file of ours (path), or undefined when none is ready. Starts the pool on first use. */
  takeFile(): string | undefined {
    const f = this.#files.pop();
    this.#kick();
    return f;
  }

  /** An empty folder of ours (path), or undefined when none is ready. */
  takeFolder(): string | undefined {
    const d = this.#folders.pop();
    this.#kick();
    return d;
  }

  /** Counts of ready entries (for tests and metrics). */
  get ready(): { files: number; folders: number } {
    return { files: this.#files.length, folders: this.#folders.length };
  }

  /** Resolves when the background refill running now (if any) ends. */
  async settled(): Promise<void> {
    while (this.#refilling) await this.#refilling;
  }

  #kick(): void {
    if (this.#refilling || this.#target === 0) return;
    if (this.#failedAt && Date.now() - this.#failedAt < RETRY_AFTER_MS) return;
    const low = this.#target / 2;
    if (this.#started && this.#files.length > low && this.#folders.length > low) return;
    const first = !this.#started;
    this.#started = true;
    this.#refilling = this.#refill(first).finally(() => {
      this.#refilling = null;
    });
  }

  async #refill(first: boolean): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true });
      if (first) await this.#removeLeftovers();
      // Counts include creations in flight, so the parallel workers stop exactly at the target.
      let files = this.#files.length;
      let folders = this.#folders.length;
      const worker = async () => {
        while (files < this.#target || folders < this.#target) {
          // Files first: a new file costs more than a folder, and every put needs one.
          if (files <= folders || folders >= this.#target) {
            files++;
            const f = this.nextName();
            await (await open(f, 'wx')).close();
            this.#files.push(f);
          } else {
            folders++;
            const d = `${this.nextName()}.d`;
            await mkdir(d);
            this.#folders.push(d);
          }
        }
      };
      await Promise.all(Array.from({ length: REFILL_PARALLEL }, worker));
      this.#failedAt = 0;
    } catch {
      // A full or read-only disk, or the folder removed under us: pause; put creates its own meanwhile and
      // reports the real error if there is one.
      this.#failedAt = Date.now();
    }
  }

  /** Deletes entries of processes that no longer run (spares, and temp files of puts they never finished). */
  async #removeLeftovers(): Promise<void> {
    for (const name of await readdir(this.#dir)) {
      const m = SPARE_NAME.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || isProcessAlive(pid)) continue;
      await rm(path.join(this.#dir, name), { recursive: true, force: true }).catch(() => {});
    }
  }
}
