import type { Kysely, Transaction } from 'kysely';

/**
 * Group commit: write operations that arrive while a commit is in progress are applied together in the next
 * transaction, so N concurrent task transitions cost one commit (one fsync) instead of N. An idle store commits
 * at once (no added latency). Each operation still resolves only after its transaction committed (durable).
 *
 * If any operation of a group throws, the group is rolled back and its operations are retried one per
 * transaction, so one failing operation (a duplicate client token, a receipts hook error) affects only its caller.
 */
export class GroupCommitter<DB> {
  private pending: {
    op: (tx: Transaction<DB>) => Promise<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private flushing = false;

  constructor(
    private readonly db: Kysely<DB>,
    /** Most operations per transaction. */
    private readonly maxGroup = 256,
  ) {}

  /** Runs `op` in a (possibly shared) transaction; resolves with its result once committed. */
  run<T>(op: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, this.maxGroup);
        if (group.length === 1) {
          const [item] = group;
          try {
            item!.resolve(await this.db.transaction().execute((tx) => item!.op(tx)));
          } catch (err) {
            item!.reject(err);
          }
          continue;
        }
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
          continue;
        }
        for (const item of group) {
          try {
            item.resolve(await this.db.transaction().execute((tx) => item.op(tx)));
          } catch (err) {
            item.reject(err);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
