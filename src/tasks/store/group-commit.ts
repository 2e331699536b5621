import type { Kysely, Transaction } from 'kysely';

interface Pending<DB> {
  readonly op: (tx: Transaction<DB>) => Promise<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit: write operations are applied several per transaction, so N concurrent task transitions cost one
 * commit (one fsync) instead of N. Each operation resolves only after its transaction committed (durable).
 *
 * better-sqlite3 commits synchronously (the fsync blocks the event loop), so operations can only pile up between
 * flushes. An idle store flushes on the next turn of the event loop (no added latency); a busy one (last flush
 * ended < 5 ms ago) waits `commitDelayMs` first so concurrent transitions share the commit — as PostgreSQL's
 * `commit_delay` does when other transactions are active. An `urgent` operation (someone is waiting for it, e.g.
 * a submit) never waits and takes the waiting operations along.
 *
 * If any operation of a group throws, the group is rolled back and its operations are retried one per
 * transaction, so one failing operation (a duplicate client token, a receipts hook error) affects only its caller.
 */
export class GroupCommitter<DB> {
  private pending: Pending<DB>[] = [];
  private flushing = false;
  private scheduled: 'now' | 'delayed' | null = null;
  private urgent = false;
  private timer: NodeJS.Timeout | undefined;
  private lastFlushEnd = 0;

  constructor(
    private readonly db: Kysely<DB>,
    /** Most operations per transaction. */
    private readonly maxGroup = 256,
    /** Wait before a flush while busy, ms (0 = never wait). */
    private readonly commitDelayMs = 2,
  ) {}

  /** Runs `op` in a (possibly shared) transaction; resolves with its result once committed. */
  run<T>(op: (tx: Transaction<DB>) => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ op, resolve: resolve as (v: unknown) => void, reject });
      if (options.urgent) this.urgent = true;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.scheduled === 'now') return;
    const delay =
      !this.urgent && this.commitDelayMs > 0 && performance.now() - this.lastFlushEnd < 5
        ? this.commitDelayMs
        : 0;
    if (this.scheduled === 'delayed') {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    const go = () => {
      this.scheduled = null;
      this.timer = undefined;
      void this.flush();
    };
    if (delay > 0) {
      this.scheduled = 'delayed';
      this.timer = setTimeout(go, delay);
    } else {
      this.scheduled = 'now';
      setImmediate(go);
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      // Take what accumulated; operations arriving during this commit go to the next group.
      const group = this.pending.splice(0, this.maxGroup);
      this.urgent = false;
      if (group.length === 1) return await this.runAlone(group[0]!);
      let results: unknown[] | undefined;
      try {
        results = await this.db.transaction().execute(async (tx) => {
          const out: unknown[] = [];
          for (const item of group) out.push(await item.op(tx));
          return out;
        });
      } catch {
        results = undefined;
      }
      if (results) {
        for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i]);
        return;
      }
      for (const item of group) await this.runAlone(item);
    } finally {
      this.flushing = false;
      this.lastFlushEnd = performance.now();
      if (this.pending.length > 0) this.schedule();
    }
  }

  private async runAlone(item: Pending<DB>): Promise<void> {
    try {
      item.resolve(await this.db.transaction().execute((tx) => item.op(tx)));
    } catch (err) {
      item.reject(err);
    }
  }
}
