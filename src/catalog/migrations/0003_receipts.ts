import type { Kysely } from 'kysely';

/**
 * Message receipts (issue 4): the transactional outbox (`receipt_outbox`, one row per receipt, written in the
 * transaction that ends its task) and the admin-defined notification channels (`notification_channels`).
 * Times are epoch milliseconds (`bigint`). Portable across SQLite and PostgreSQL.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types (Kysely docs)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('receipt_outbox')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    // The receipt's target from the hints (topic, queue, producer id, endpoint), JSON; never a secret.
    .addColumn('settings', 'text', (c) => c.notNull())
    // The CloudEvent, JSON text, fixed at the task's end so every retry sends the same bytes.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('broker_message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'bigint')
    .execute();
  await db.schema
    .createIndex('receipt_outbox_due_idx')
    .on('receipt_outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema.createIndex('receipt_outbox_task_idx').on('receipt_outbox').column('task_id').execute();
  await db.schema
    .createTable('notification_channels')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    // Non-secret settings, JSON.
    .addColumn('settings', 'text', (c) => c.notNull())
    // Secret settings (passwords, tokens, signing keys), JSON; never shown or logged.
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // Set when a receiver answered 410 Gone: no more receipts are sent through it.
    .addColumn('disabled_at', 'bigint')
    .addColumn('disabled_reason', 'text')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_channels').ifExists().execute();
  await db.schema.dropTable('receipt_outbox').ifExists().execute();
}
