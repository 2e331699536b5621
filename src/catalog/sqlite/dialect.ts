import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { SQLITE_COMMIT_WITHOUT_WAITING } from '../durability.js';
import { isOffTheEventLoop } from '../off-thread.js';
import type { SqliteExecutor, StatementOutcome } from './executor.js';
import type { CatalogReadThread } from './read-thread.js';

/**
 * Kysely's SQLite adapter, declaring what SQLite really supports: DDL inside transactions
 * (https://www.sqlite.org/lang_transaction.html). Our migration runner relies on it (each migration runs in
 * one transaction); the flag keeps Kysely's own tooling (e.g. its Migrator) doing the same.
 */
export class LakecastSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** The connections and durability the driver works with (see connect.ts). */
export interface SqliteChannels {
  /** The read-write connection: every write and every transaction. */
  readonly writer: SqliteExecutor;
  /**
   * A read-only connection on the same file for reads outside transactions: they see the last commit (WAL)
   * at once instead of waiting for the transaction in progress. Absent (`:memory:`): reads use `writer` and
   * wait for the transaction in progress, as in Kysely's own SQLite driver.
   */
  readonly reader?: SqliteExecutor;
  /**
   * Reads marked `offTheEventLoop` (../off-thread.ts) outside a transaction run here (absent: on `reader`, like the others).
   */
  readonly readThread?: CatalogReadThread;
  /** Resolves once every commit so far is durable (see wal-sync.ts); absent: commits are durable already. */
  readonly durable?: () => Promise<void>;
  /** Closes the connections (after the last sync). */
  close(): Promise<void>;
}

/** One-at-a-time lock: one transaction at a time on the write connection. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with the unlock function once the caller holds the lock. */
  lock(): Promise<() => void> {
    let unlock!: () => void;
    const held = new Promise<void>((r) => {
      unlock = r;
    });
    const ready = this.#tail.then(() => unlock);
    this.#tail = held;
    return ready;
  }
}

function toQueryResult<R>(o: StatementOutcome): QueryResult<R> {
  if (o.reader) return { rows: o.rows as R[] };
  return { numAffectedRows: BigInt(o.changes), insertId: BigInt(o.lastInsertRowid), rows: [] };
}

/** A statement that only reads: a Kysely SELECT, or raw SQL starting with SELECT (the store's index hints). */
function isRead(q: CompiledQuery): boolean {
  const kind = q.query.kind;
  return kind === 'SelectQueryNode' || (kind === 'RawNode' && /^\s*select\b/i.test(q.sql));
}

/**
 * A Kysely connection (one per acquire, cheap). Statements run synchronously on better-sqlite3; what waits is
 * the lock (a transaction in progress) and durability (a commit is acknowledged once {@link
 * SqliteChannels.durable} resolves — after the lock is released, so the next transaction runs meanwhile and
 * shares the fsync).
 */
class LakecastSqliteConnection implements DatabaseConnection {
  #unlock: (() => void) | null = null;
  /** The open transaction ran {@link SQLITE_COMMIT_WITHOUT_WAITING}: its commit does not wait for the fdatasync. */
  #lazyCommit = false;

  constructor(
    private readonly ch: SqliteChannels,
    private readonly mutex: Mutex,
  ) {}

  async begin(): Promise<void> {
    const unlock = await this.mutex.lock();
    try {
      this.ch.writer.run('begin immediate', []);
    } catch (err) {
      unlock();
      throw err;
    }
    this.#unlock = unlock;
  }

  async end(statement: 'commit' | 'rollback'): Promise<void> {
    const unlock = this.#unlock;
    this.#unlock = null;
    const lazy = this.#lazyCommit;
    this.#lazyCommit = false;
    try {
      if (statement === 'commit' || this.ch.writer.db.inTransaction) this.ch.writer.run(statement, []);
    } catch (err) {
      // A failed COMMIT leaves the transaction open (SQLITE_BUSY on another process's lock): roll it back so
      // the connection is usable; the caller sees the commit error.
      if (this.ch.writer.db.inTransaction) this.ch.writer.run('rollback', []);
      throw err;
    } finally {
      unlock?.();
    }
    if (statement === 'commit' && !lazy) await this.ch.durable?.();
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (q.sql === SQLITE_COMMIT_WITHOUT_WAITING) {
      // A mark for this transaction's commit, not run (outside a transaction it changes nothing).
      if (this.#unlock) this.#lazyCommit = true;
      return { rows: [] };
    }
    if (this.#unlock) return toQueryResult(this.ch.writer.run(q.sql, q.parameters));
    if (this.ch.readThread && isOffTheEventLoop(q) && isRead(q))
      return { rows: (await this.ch.readThread.read(q.sql, q.parameters)) as R[] };
    if (this.ch.reader && isRead(q)) return toQueryResult(this.ch.reader.run(q.sql, q.parameters));
    const unlock = await this.mutex.lock();
    let outcome: StatementOutcome;
    try {
      outcome = this.ch.writer.run(q.sql, q.parameters);
    } finally {
      unlock();
    }
    if (!outcome.reader || !isRead(q)) await this.ch.durable?.();
    return toQueryResult(outcome);
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (this.#unlock || !isRead(q))
      throw new Error('the SQLite catalog streams only reads outside a transaction');
    const exec = this.ch.reader ?? this.ch.writer;
    // Without a reader connection, the lock is held while the caller consumes the rows.
    const unlock = this.ch.reader ? null : await this.mutex.lock();
    try {
      for (const row of exec.iterate(q.sql, q.parameters)) yield { rows: [row as R] };
    } finally {
      unlock?.();
    }
  }

  /** Ends a transaction the caller abandoned without commit or rollback. */
  release(): void {
    this.#lazyCommit = false;
    if (!this.#unlock) return;
    if (this.ch.writer.db.inTransaction) this.ch.writer.run('rollback', []);
    const unlock = this.#unlock;
    this.#unlock = null;
    unlock();
  }
}

/** Kysely driver over {@link SqliteChannels}. */
class LakecastSqliteDriver implements Driver {
  readonly #mutex = new Mutex();

  constructor(private readonly ch: SqliteChannels) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new LakecastSqliteConnection(this.ch, this.#mutex);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as LakecastSqliteConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as LakecastSqliteConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as LakecastSqliteConnection).end('rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as LakecastSqliteConnection).release();
  }

  async destroy(): Promise<void> {
    await this.ch.close();
  }
}

/**
 * The catalog's SQLite dialect. Transactions take the write lock up front (`BEGIN IMMEDIATE`, waiting up to
 * busy_timeout) instead of a deferred transaction failing with SQLITE_BUSY when it later tries to upgrade
 * while another process (e.g. a CLI on the same file) writes:
 * https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
 */
export class LakecastSqliteDialect implements Dialect {
  constructor(private readonly ch: SqliteChannels) {}

  createDriver(): Driver {
    return new LakecastSqliteDriver(this.ch);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new LakecastSqliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's introspector takes any database
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
