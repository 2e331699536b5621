import { type Kysely, Migrator, sql } from 'kysely';
import { loadMigrations } from './migrations/index.js';

/** Name of the table recording applied migrations (Kysely's Migrator bookkeeping). */
export const MIGRATION_TABLE = 'lakecast_migration';
export const MIGRATION_LOCK_TABLE = 'lakecast_migration_lock';

/**
 * Applies every pending migration of `migrations/index.ts` with Kysely's Migrator. Each migration runs in a
 * transaction (both dialects support transactional DDL), so a crash leaves it either applied or not.
 *
 * PostgreSQL: `schema` is created if missing and holds the bookkeeping tables; a session advisory lock keyed
 * on the schema serializes servers migrating the same schema at once (Kysely then takes its own global
 * migration lock too), so the second server finds everything applied and does nothing.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on the untyped handle
export async function runMigrations(db: Kysely<any>, options: { schema?: string } = {}): Promise<void> {
  const migrate = async () => {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: loadMigrations },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
      migrationTableSchema: options.schema,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'bookkeeping';
      // The driver error stays as `cause` so the catalog can classify it (unavailable vs internal).
      throw new Error(`catalog migration ${failed} failed: ${errorMessage(error)}`, { cause: error });
    }
  };
  if (options.schema === undefined) return migrate();
  const key = `lakecast:migrate:${options.schema}`;
  // The lock lives on one pinned connection; the migrator uses other pool connections meanwhile.
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
    try {
      await migrate();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
