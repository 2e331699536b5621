import { type Kysely, PostgresAdapter, SqliteAdapter, sql, type Transaction } from 'kysely';

/**
 * The SQLite catalog's mark for a transaction whose commit does not wait to be durable. The catalog's dialect
 * (sqlite/dialect.ts) takes it instead of running it; any other SQLite connection ignores it, as SQLite ignores
 * every pragma it does not know.
 */
export const SQLITE_COMMIT_WITHOUT_WAITING = 'PRAGMA lakecast_commit_without_waiting_for_durability';

/**
 * Marks the transaction `tx` as one whose commit does not wait to be durable: for writes nobody is told about
 * before a later, durable write (a task's QUEUED → RUNNING and its progress: its terminal commit follows). After
 * a crash such a commit may be lost, never reordered.
 * - SQLite catalog: the commit resolves once committed, without its own fdatasync of the WAL; the next durable
 *   commit (any later one) makes it durable too, since the WAL is written in commit order.
 * - PostgreSQL: `SET LOCAL synchronous_commit = off`, the same promise made by the server itself.
 * - Elsewhere, and outside a transaction: nothing changes (the commit waits as usual).
 *
 * An explicit statement in the transaction rather than an ambient context: an `AsyncLocalStorage` turns on
 * Node's promise hooks for the whole process, which cost every `await` of every request (12 KB of allocation per
 * task submit and run on the main thread, 12 % of it, measured with the sampling heap profiler on 2026-12-04).
 */
export async function commitWithoutWaitingForDurability<DB>(tx: Transaction<DB> | Kysely<DB>): Promise<void> {
  if (!tx.isTransaction) return;
  const adapter = tx.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) await sql.raw(SQLITE_COMMIT_WITHOUT_WAITING).execute(tx);
  else if (adapter instanceof PostgresAdapter)
    await sql.raw('SET LOCAL synchronous_commit = off').execute(tx);
}
