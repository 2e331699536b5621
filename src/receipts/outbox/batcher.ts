import type { Kysely, Transaction } from 'kysely';

/**
 * Group commit for the dispatcher's marks: marks that arrive while a commit is in progress share the next
 * transaction, so N deliveries confirmed together cost one commit (one fsync on SQLite) instead of N. An idle
 * batcher commits at once. If a group fails, its marks are retried one per transaction so one bad mark affects
 * only its caller.
 */
export class WriteBatcher {
  private pending: {
    op: (tx: Transaction<unknown>) => Promise<unknown>;
    done: (e?: unknown, v?: unknown) => void;
  }[] = [];
  private flushing = false;

  constructor(
    // biome-ignore lint/suspicious/noExplicitAny: the catalog's db is untyped (see Catalog.db)
    private readonly db: Kysely<any>,
    private readonly maxGroup = 256,
  ) {}

  /** Runs `op` in a (possibly shared) transaction; resolves with its result once committed. */
  // biome-ignore lint/suspicious/noExplicitAny: see db
  run<T>(op: (tx: Transaction<any>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        op: op as (tx: Transaction<unknown>) => Promise<unknown>,
        done: (e, v) => (e === undefined ? resolve(v as T) : reject(e)),
      });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, this.maxGroup);
        let results: unknown[] | undefined;
        try {
          results = await this.db.transaction().execute(async (tx) => {
            const out: unknown[] = [];
            for (const item of group) out.push(await item.op(tx));
            return out;
          });
        } catch (err) {
          if (group.length === 1) {
            group[0]!.done(err ?? new Error('transaction failed'));
            continue;
          }
        }
        if (results) {
          for (const [i, item] of group.entries()) item.done(undefined, results[i]);
          continue;
        }
        for (const item of group) {
          try {
            item.done(undefined, await this.db.transaction().execute((tx) => item.op(tx)));
          } catch (err) {
            item.done(err ?? new Error('transaction failed'));
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
