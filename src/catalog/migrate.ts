import { type Kysely, sql } from 'kysely';
import { loadMigrations } from './migrations/index.js';

/** Table recording applied migrations: one row per migration name, with the time it was applied. */
export const MIGRATION_TABLE = 'lakecast_migration';

/**
 * Applies every pending migration of `migrations/index.ts`, in name order, each in its own transaction
 * together with its row in {@link MIGRATION_TABLE}, so a crash leaves a migration either applied and recorded
 * or neither (both dialects have transactional DDL).
 *
 * Our own small runner rather than Kysely's Migrator: the Migrator decides whether its tables exist by
 * introspecting every table of the whole database, which fails when another schema is being dropped at
 * the same moment (seen with parallel test files) and grows with unrelated schemas.
 *
 * Concurrency: on PostgreSQL (`schema` given) a session advisory lock keyed on the schema serializes servers
 * migrating the same schema, and the schema is created if missing. On SQLite each migration's transaction is
 * `BEGIN IMMEDIATE` (see sqlite/dialect.ts). In both, a migration is re-checked inside its transaction, so a
 * second runner skips what the first applied.
 *
 * Refuses to run when the database has migrations this build does not know (it was migrated by a newer
 * Lakecast): running old code on a newer catalog could corrupt it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the runner works on the untyped handle
export async function runMigrations(db: Kysely<any>, options: { schema?: string } = {}): Promise<void> {
  const migrations = await loadMigrations();
  const names = Object.keys(migrations).sort();

  // biome-ignore lint/suspicious/noExplicitAny: see above
  const run = async (conn: Kysely<any>) => {
    if (options.schema !== undefined)
      await sql`create schema if not exists ${sql.id(options.schema)}`.execute(conn);
    await conn.schema
      .createTable(MIGRATION_TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
      .execute();
    const applied = new Set(
      (await conn.selectFrom(MIGRATION_TABLE).select('name').execute()).map((r: { name: string }) => r.name),
    );
    const unknown = [...applied].filter((n) => !(n in migrations));
    if (unknown.length > 0) {
      throw new Error(
        `catalog has migrations this Lakecast does not know (${unknown.join(', ')}): it was upgraded by a newer version`,
      );
    }
    for (const name of names) {
      if (applied.has(name)) continue;
      await conn.transaction().execute(async (trx) => {
        const done = await trx
          .selectFrom(MIGRATION_TABLE)
          .select('name')
          .where('name', '=', name)
          .executeTakeFirst();
        if (done) return;
        try {
          await migrations[name].up(trx);
        } catch (err) {
          throw new Error(
            `catalog migration ${name} failed: ${err instanceof Error ? err.message : String(err)}`,
            {
              cause: err,
            },
          );
        }
        await trx.insertInto(MIGRATION_TABLE).values({ name, timestamp: new Date().toISOString() }).execute();
      });
    }
  };

  await db.connection().execute(async (conn) => {
    if (options.schema === undefined) return run(conn);
    const key = `lakecast:migrate:${options.schema}`;
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
    try {
      await run(conn);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}
