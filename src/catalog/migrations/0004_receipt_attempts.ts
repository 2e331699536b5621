import type { Kysely } from 'kysely';

/**
 * Receipt delivery attempts on the task row (`mq_attempts`, issue 4 §5), kept with `mq_status` by the
 * dispatcher so SHOW QUERY_TASK shows them without reading the outbox. NULL for tasks without a receipt.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types (Kysely docs)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('query_tasks').addColumn('mq_attempts', 'integer').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('query_tasks').dropColumn('mq_attempts').execute();
}
