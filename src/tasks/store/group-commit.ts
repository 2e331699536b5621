import { type Kysely, sql, type Transaction } from 'kysely';
import { commitWithoutWaitingForDurability } from '../../catalog/index.js';

interface Pending<DB> {
  readonly op: (tx: Transaction<DB>) => Promise<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  /** The caller does not wait for durability (see {@link GroupCommitter.run}). */
  readonly lazy: boolean;
}

/** Most operations applied in one transaction. */
export const DEFAULT_GROUP_MAX_OPS = 256;

/**
 * Group commit: write operations are applied several per transaction, so N concurrent task transitions cost one
 * commit (one fsync) instead of N. Each operation resolves only after its transaction is durable.
 *
 * Operations queue while a group runs its statements; the next group starts as soon as those statements are done,
 * while the previous group still waits for its commit to be durable (the catalog's fsync runs off the event loop
 * and is shared by the commits that wait for it, see catalog/sqlite/wal-sync.ts). So nothing waits on a timer:
 * an idle committer starts a group in a microtask (the operations issued in the same synchronous run join it),
 * a busy one batches whatever arrived during the previous fsync. At most two groups are in flight: one running
 * statements, one waiting for durability.
 *
 * Order: a group starts its statements only after the previous group's statements succeeded, so on SQLite (one
 * writer) it commits after it, and on PostgreSQL it waits for the row locks the previous group holds. If an
 * operation throws, its group is rolled back and run again — before the next group starts — with a savepoint
 * around each operation, so one failing operation (a duplicate client token, a receipts hook error) affects only
 * its caller and the others keep their order. A failure of the commit itself (or of its fsync) rejects the whole
 * group: whether it was applied is unknown, so it is not applied twice.
 */
export class GroupCommitter<DB> {
  private pending: Pending<DB>[] = [];
  /** A group is running its statements. */
  private executing = false;
  /** Groups not yet resolved (running statements or waiting for durability). */
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly db: Kysely<DB>,
    /** Most operations per transaction. */
    private readonly maxGroup = DEFAULT_GROUP_MAX_OPS,
    private readonly maxInFlight = 2,
  ) {}

  /**
   * Runs `op` in a (possibly shared) transaction; resolves with its result once committed and durable. With
   * `durable: false` it may resolve once committed: a group of only such operations does not wait for (or
   * cause) an fsync of its own, and becomes durable with the next durable commit (see catalog/durability.ts).
   */
  run<T>(op: (tx: Transaction<DB>) => Promise<T>, options: { durable?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        op,
        resolve: resolve as (v: unknown) => void,
        reject,
        lazy: options.durable === false,
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.executing || this.inFlight >= this.maxInFlight || this.pending.length === 0)
      return;
    this.scheduled = true;
    // Busy (a group is running or waiting for durability): the next turn of the event loop, so operations
    // issued meanwhile (other connections' commands read in this poll phase) join this group. Idle: a
    // microtask, once the caller's synchronous code has issued its operations: waiting for the event loop's
    // check phase cost every lone submit ~10 µs (measured), and a lone operation has nobody to wait for.
    if (this.inFlight === 0) queueMicrotask(this.startGroup);
    else setImmediate(this.startGroup);
  }

  private readonly startGroup = (): void => {
    this.scheduled = false;
    if (this.executing || this.inFlight >= this.maxInFlight || this.pending.length === 0) return;
    const group = this.pending.splice(0, this.maxGroup);
    void this.flush(
      group,
      group.every((item) => item.lazy),
    );
  };

  /** Applies `group` in one transaction; `lazy`: its commit does not wait to be durable. */
  private async flush(group: Pending<DB>[], lazy: boolean): Promise<void> {
    this.executing = true;
    this.inFlight++;
    const statementsDone = () => {
      if (!this.executing) return;
      this.executing = false;
      this.schedule();
    };
    let applied = false;
    try {
      const results = await this.db.transaction().execute(async (tx) => {
        if (lazy) await commitWithoutWaitingForDurability(tx);
        const out: unknown[] = [];
        for (const item of group) out.push(await item.op(tx));
        applied = true;
        statementsDone();
        return out;
      });
      for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i]);
    } catch (err) {
      if (applied || group.length === 1) {
        // The commit (or its fsync) failed, or the only operation threw: answer the error as it is.
        for (const item of group) item.reject(err);
      } else {
        await this.runIsolated(group, lazy, statementsDone);
      }
    } finally {
      statementsDone();
      this.inFlight--;
      this.schedule();
    }
  }

  /** Runs `group` again in one transaction with a savepoint around each operation. */
  private async runIsolated(group: Pending<DB>[], lazy: boolean, statementsDone: () => void): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await this.db.transaction().execute(async (tx) => {
        if (lazy) await commitWithoutWaitingForDurability(tx);
        for (const item of group) {
          await sql`savepoint group_op`.execute(tx);
          try {
            const value = await item.op(tx);
            await sql`release savepoint group_op`.execute(tx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await sql`rollback to savepoint group_op`.execute(tx);
            await sql`release savepoint group_op`.execute(tx);
            outcomes.push({ ok: false, error });
          }
        }
        statementsDone();
      });
    } catch (err) {
      for (const item of group) item.reject(err);
      return;
    }
    group.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }
}
