import { type Kysely, type Migration, PostgresAdapter } from 'kysely';

/**
 * The migration registry: every migration of the catalog database. `runMigrations` (../migrate.ts) applies
 * them in name order, each once and in its own transaction, recorded in the `lakecast_migration` table.
 *
 * HOW TO ADD A MIGRATION (e.g. the receipts outbox):
 *   1. create `src/catalog/migrations/0003_receipts.ts` exporting `up(db)` (and `down(db)`), using only
 *      portable column types (`text`, `integer`, `bigint`, `real`); use `dialectOf(db)` for the rare
 *      dialect-specific statement;
 *   2. add ONE line at the end of `MIGRATIONS` below: `'0003_receipts': () => import('./0003_receipts.js'),`
 * Never rename, reorder or edit a migration that has shipped: add a new one.
 */
export const MIGRATIONS: Readonly<Record<string, () => Promise<Migration>>> = {
  '0001_initial': () => import('./0001_initial.js'),
  '0002_tasks': () => import('./0002_tasks.js'),
  '0003_receipts': () => import('./0003_receipts.js'),
  '0004_receipt_attempts': () => import('./0004_receipt_attempts.js'),
  '0005_task_partial_indexes': () => import('./0005_task_partial_indexes.js'),
};

/** Loads every registered migration (for Kysely's `MigrationProvider`). */
export async function loadMigrations(): Promise<Record<string, Migration>> {
  const out: Record<string, Migration> = {};
  for (const [name, load] of Object.entries(MIGRATIONS)) out[name] = await load();
  return out;
}

/** The dialect a migration runs on (Kysely passes only the `db` handle to migrations). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run with untyped handles
export function dialectOf(db: Kysely<any>): 'sqlite' | 'postgres' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
