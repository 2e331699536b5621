import { promises as fsp } from 'node:fs';

/** A leased file handle; call `release()` when done (the pool may then close it). */
export interface FdLease {
  readonly fh: fsp.FileHandle;
  release(): void;
}

interface Entry {
  fh: fsp.FileHandle | undefined;
  opening: Promise<fsp.FileHandle> | undefined;
  refs: number;
  /** Forgotten while leased: close on the last release. */
  doomed: boolean;
}

/**
 * Bounds the number of open segment files: an LRU of file handles keyed by path. Handles in use (leased) are
 * never closed; when more than `maxOpen` are leased at once the pool goes over the bound temporarily rather
 * than fail. All segment files are opened `r+` (read and positioned writes).
 */
export class FdPool {
  /** Map iteration order is insertion order: re-inserting on use makes the first key the least recent. */
  private readonly entries = new Map<string, Entry>();
  private closing = new Set<Promise<void>>();

  constructor(readonly maxOpen = 256) {}

  /** Number of files currently open. */
  get openCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.fh || e.opening) n++;
    return n;
  }

  async acquire(file: string): Promise<FdLease> {
    let e = this.entries.get(file);
    if (e) {
      this.entries.delete(file);
    } else {
      e = { fh: undefined, opening: undefined, refs: 0, doomed: false };
    }
    this.entries.set(file, e);
    e.refs++;
    const entry = e;
    try {
      if (!entry.fh) {
        if (!entry.opening) {
          entry.opening = fsp.open(file, 'r+').finally(() => {
            entry.opening = undefined;
          });
        }
        entry.fh = await entry.opening;
      }
    } catch (err) {
      entry.refs--;
      if (entry.refs === 0 && this.entries.get(file) === entry) this.entries.delete(file);
      throw err;
    }
    this.evict();
    let released = false;
    return {
      fh: entry.fh,
      release: () => {
        if (released) return;
        released = true;
        entry.refs--;
        if (entry.doomed && entry.refs === 0) void entry.fh?.close().catch(() => undefined);
        this.evict();
      },
    };
  }

  /** Closes and forgets `file` (before deleting or truncating it from outside). Waits for leases to end. */
  async forget(file: string): Promise<void> {
    const e = this.entries.get(file);
    if (!e) return;
    this.entries.delete(file);
    if (e.opening) await e.opening.catch(() => undefined);
    if (e.refs > 0) {
      e.doomed = true;
      return;
    }
    if (e.fh) await e.fh.close().catch(() => undefined);
  }

  private evict(): void {
    let open = this.openCount;
    if (open <= this.maxOpen) return;
    for (const [file, e] of this.entries) {
      if (open <= this.maxOpen) break;
      if (e.refs > 0 || !e.fh) continue;
      this.entries.delete(file);
      const p = e.fh.close().catch(() => undefined);
      this.closing.add(p);
      p.finally(() => this.closing.delete(p));
      open--;
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      all.map(async (e) => (await (e.opening ?? Promise.resolve(e.fh)))?.close().catch(() => undefined)),
    );
    await Promise.all([...this.closing]);
  }
}
