import { type Kysely, sql } from 'kysely';

/**
 * Two `query_tasks` indexes made partial, so rows that nothing looks up through them are not in them:
 *  - the client-token uniqueness index holds only rows with a token (most tasks have none; NULL tokens never
 *    collided anyway), used by `client-token` submits (`creator_id = ? AND client_token = ?`);
 *  - the finished-time index becomes the index of live result files (`result_key IS NOT NULL AND
 *    result_deleted_at IS NULL`), the only rows the retention sweep asks for, by finish time.
 * A submit's insert then touches two B-trees fewer (on SQLite 7 WAL frames instead of 9) and a finish one fewer;
 * both indexes shrink to what they serve. Both dialects use a partial index when the query's WHERE implies the
 * index's (`client_token = ?` implies `client_token IS NOT NULL`; the sweep repeats the two IS [NOT] NULL terms).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types (Kysely docs)
export async function up(db: Kysely<any>): Promise<void> {
  await recreateTokenIndex(db, true);
  await db.schema.dropIndex('query_tasks_finished_idx').execute();
  await db.schema
    .createIndex('query_tasks_live_results_idx')
    .on('query_tasks')
    .column('finished_at')
    .where(sql<boolean>`result_key is not null and result_deleted_at is null`)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('query_tasks_live_results_idx').execute();
  await db.schema.createIndex('query_tasks_finished_idx').on('query_tasks').column('finished_at').execute();
  await recreateTokenIndex(db, false);
}

/** Drops the client-token uniqueness index and creates it again, partial (rows with a token only) or whole. */
// biome-ignore lint/suspicious/noExplicitAny: see up()
async function recreateTokenIndex(db: Kysely<any>, partial: boolean): Promise<void> {
  await db.schema.dropIndex('query_tasks_client_token_uq').execute();
  const index = db.schema
    .createIndex('query_tasks_client_token_uq')
    .on('query_tasks')
    .columns(['creator_id', 'client_token'])
    .unique();
  await (partial ? index.where(sql.ref('client_token'), 'is not', null) : index).execute();
}
