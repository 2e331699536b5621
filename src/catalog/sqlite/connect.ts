import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { CatalogDatabase } from '../database.js';
import type { CatalogDriver } from '../driver.js';
import { FOREGROUND_CHECKPOINT_PAGES, startCheckpointer } from './checkpointer.js';
import { LakecastSqliteDialect } from './dialect.js';
import { classifySqliteError } from './errors.js';
import { createExecutor } from './executor.js';
import { CatalogReadThread } from './read-thread.js';
import { WalSync } from './wal-sync.js';

/** How long a statement waits for another process's lock on the file before failing (SQLITE_BUSY). */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface SqliteConnectOptions {
  /** Default {@link DEFAULT_SQLITE_BUSY_TIMEOUT_MS}. */
  readonly busyTimeoutMs?: number;
  /** Hears of a background checkpointer that could not start or keeps failing (not fatal). */
  readonly onCheckpointError?: (message: string) => void;
}

function open(file: string, readonly: boolean, busyTimeoutMs: number): Database.Database {
  const db = new Database(file, { readonly });
  try {
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // Commits do not fsync on the event loop; WalSync makes them durable before they are acknowledged.
      db.pragma(file === ':memory:' ? 'synchronous = FULL' : 'synchronous = NORMAL');
      // Checkpoints run on a thread of their own (checkpointer.ts); this is the backstop.
      if (file !== ':memory:') db.pragma(`wal_autocheckpoint = ${FOREGROUND_CHECKPOINT_PAGES}`);
    }
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Opens (creating if needed, with its folder) the SQLite catalog file `file` (or `:memory:`): WAL journal
 * (readers never block the writer), `busy_timeout`, foreign keys enforced, and three connections: one for writes
 * and transactions, a read-only one for other reads, and a read-only one in a thread of its own for reads marked
 * `offTheEventLoop` (../off-thread.ts, read-thread.ts). A commit is acknowledged once it is on disk, but its
 * fsync runs off the event loop and is shared by concurrent commits (wal-sync.ts), so a change a user was told
 * about survives power loss while the server keeps serving during the fsync; WAL checkpoints run on a thread
 * of their own (checkpointer.ts).
 */
export function connectSqlite(file: string, options: SqliteConnectOptions = {}): CatalogDriver {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
  const memory = file === ':memory:';
  if (!memory) mkdirSync(path.dirname(file), { recursive: true });
  const writeDb = open(file, false, busyTimeoutMs);
  let readDb: Database.Database | undefined;
  try {
    // The write connection has created the file and turned WAL on before the read-only one opens it.
    readDb = memory ? undefined : open(file, true, busyTimeoutMs);
  } catch (err) {
    writeDb.close();
    throw err;
  }
  const writer = createExecutor(writeDb);
  const reader = readDb ? createExecutor(readDb) : undefined;
  const wal = memory ? undefined : new WalSync(file);
  const readThread = memory ? undefined : new CatalogReadThread(file, busyTimeoutMs);
  const checkpointer = memory
    ? undefined
    : startCheckpointer(file, { busyTimeoutMs, onError: options.onCheckpointError });
  const dialect = new LakecastSqliteDialect({
    writer,
    reader,
    readThread,
    durable: wal ? () => wal.sync() : undefined,
    async close() {
      await readThread?.close();
      await checkpointer?.stop();
      await wal?.close();
      reader?.clear();
      readDb?.close();
      writer.clear();
      writeDb.close();
    },
  });
  return {
    dialect: 'sqlite',
    db: new Kysely<CatalogDatabase>({ dialect }),
    classify: classifySqliteError,
  };
}
