import type { Kysely } from 'kysely';

/**
 * Async query tasks (issue 3): one row per task, the columns of DLA's `SHOW QUERY_TASK` in DLA's order, then
 * Lakecast's own. Times are epoch milliseconds (`bigint`), booleans `integer` 0/1, hints a JSON `text`.
 * Portable across SQLite and PostgreSQL.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types (Kysely docs)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('query_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('mpp_query_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('task_name', 'text', (c) => c.notNull())
    .addColumn('table_schema', 'text')
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('creator_id', 'text', (c) => c.notNull())
    .addColumn('create_time', 'bigint', (c) => c.notNull())
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .addColumn('connection_id', 'bigint')
    .addColumn('message', 'text')
    .addColumn('row_count', 'bigint')
    .addColumn('elapse_time', 'bigint')
    .addColumn('scanned_row_count', 'bigint')
    .addColumn('scanned_data_bytes', 'bigint')
    .addColumn('result_file_oss_file', 'text')
    .addColumn('cancellable_task', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('mq_product', 'text')
    .addColumn('mq_model', 'text')
    .addColumn('mq_topic', 'text')
    .addColumn('mq_queue', 'text')
    .addColumn('mq_producer_id', 'text')
    .addColumn('mq_endpoint', 'text')
    .addColumn('mq_status', 'text')
    .addColumn('mq_error_msg', 'text')
    .addColumn('mq_message_id', 'text')
    .addColumn('mq_total_time', 'bigint')
    // Lakecast's own columns.
    .addColumn('progress', 'real')
    .addColumn('queue_time', 'bigint')
    .addColumn('result_file_size', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output_format', 'text', (c) => c.notNull())
    .addColumn('client_token', 'text')
    .addColumn('hints', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('result_key', 'text')
    .addColumn('result_deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('query_tasks_status_idx')
    .on('query_tasks')
    .columns(['status', 'create_time'])
    .execute();
  await db.schema
    .createIndex('query_tasks_creator_idx')
    .on('query_tasks')
    .columns(['creator_id', 'create_time'])
    .execute();
  // A user's SHOW QUERY_TASK WHERE status = … (the most common poll) is one index range, already in order.
  await db.schema
    .createIndex('query_tasks_creator_status_idx')
    .on('query_tasks')
    .columns(['creator_id', 'status', 'create_time'])
    .execute();
  // NULL tokens never collide (both dialects treat NULLs as distinct in unique indexes).
  await db.schema
    .createIndex('query_tasks_client_token_uq')
    .on('query_tasks')
    .columns(['creator_id', 'client_token'])
    .unique()
    .execute();
  await db.schema
    .createIndex('query_tasks_node_status_idx')
    .on('query_tasks')
    .columns(['node', 'status'])
    .execute();
  await db.schema.createIndex('query_tasks_finished_idx').on('query_tasks').column('finished_at').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('query_tasks').ifExists().execute();
}
