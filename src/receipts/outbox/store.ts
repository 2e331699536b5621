/**
 * The transactional outbox: the receipt row is written in the transaction that ends its task (so a task is never
 * finished without its receipt, nor a receipt written for a task that did not finish), then claimed, delivered and
 * marked by the dispatcher. Every mark also updates the task row's `mq_*` columns in the same transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import { type Hints, hintsFromEntries } from '../../sql/hints.js';
import type { TaskRecord, TerminalStatus } from '../../tasks/store/types.js';
import type { ReceiptTarget } from '../channels/types.js';
import { buildReceiptMessage, receiptMessageId } from '../message.js';
import { endpointAllowed } from '../ssrf.js';
import { normalizeOutboxRow, type OutboxRow, type ReceiptStatus } from './schema.js';

// biome-ignore lint/suspicious/noExplicitAny: the catalog's db is untyped (see Catalog.db)
type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: see Db
type Tx = Transaction<any>;

/** Runs an operation in a transaction (a plain `db.transaction()` or a {@link WriteBatcher}'s group commit). */
export type TxRunner = <T>(op: (tx: Tx) => Promise<T>) => Promise<T>;

/** A {@link TxRunner} over one transaction per operation. */
export function txRunner(db: Db): TxRunner {
  return (op) => db.transaction().execute(op);
}

const ON: Record<TerminalStatus, 'success' | 'failure' | 'cancelled'> = {
  SUCCESS: 'success',
  FAILURE: 'failure',
  CANCELLED: 'cancelled',
};

/** Settings of {@link writeReceipt}. */
export interface WriteReceiptOptions {
  readonly source: string;
  readonly endpointAllowlist: readonly string[];
  readonly publicUrl?: string;
  /** Claims the PENDING row for this dispatcher in the same transaction (it delivers right after the commit). */
  readonly claimFor?: { readonly owner: string; readonly leaseMs: number };
}

/** The task's receipt hints, or undefined when it asked for none. */
export function receiptHintsOf(task: Pick<TaskRecord, 'hints'>): Hints | undefined {
  let entries: [string, unknown][];
  try {
    entries = Object.entries(JSON.parse(task.hints) as Record<string, unknown>);
  } catch {
    return undefined;
  }
  const h = hintsFromEntries(entries.filter(([k]) => k.startsWith('mq-')));
  return h.mqNotifyBy === undefined ? undefined : h;
}

/** What {@link writeReceipt} decided. */
export interface WrittenReceipt {
  readonly messageId: string;
  readonly status: ReceiptStatus;
  /** The row as written. */
  readonly row: OutboxRow;
  /** What was written to the task's row in the same transaction. */
  readonly taskFields: {
    readonly mq_status: ReceiptStatus;
    readonly mq_error_msg: string | null;
    readonly mq_attempts: number;
  };
}

/**
 * Writes the receipt of a task that just ended, inside the terminal transaction (`TaskServiceDeps.onFinishInTx`):
 * nothing without `mq-notify-by`; SKIPPED when the status is not in `mq-on` or the task ran `mq-threshold-secs`
 * or less; FAILURE at once when `mq-endpoint` is not allowed; else PENDING, due now.
 */
export async function writeReceipt(
  tx: Tx,
  task: TaskRecord,
  options: WriteReceiptOptions,
): Promise<WrittenReceipt | undefined> {
  const h = receiptHintsOf(task);
  if (!h) return undefined;
  const now = task.finished_at ?? task.update_time;
  const status = task.status as TerminalStatus;
  const target: ReceiptTarget = {
    topic: h.mqTopic,
    queue: h.mqQueue,
    producerId: h.mqProducerId,
    endpoint: h.mqEndpoint,
  };
  const message = buildReceiptMessage(task, { source: options.source, publicUrl: options.publicUrl });
  let rstatus: ReceiptStatus = 'PENDING';
  let error: string | null = null;
  if (h.mqOn && !h.mqOn.includes(ON[status])) {
    rstatus = 'SKIPPED';
    error = `not sent: mq-on=${h.mqOn.join(',')} excludes ${ON[status]}`;
  } else if (h.mqThresholdSecs !== undefined && (task.elapse_time ?? 0) <= h.mqThresholdSecs * 1000) {
    rstatus = 'SKIPPED';
    error = null;
  } else if (target.endpoint !== undefined && !endpointAllowed(target.endpoint, options.endpointAllowlist)) {
    rstatus = 'FAILURE';
    error = 'LC_RECEIPT_ENDPOINT_DENIED: mq-endpoint host is not on the receipts endpoint allowlist';
  }
  const id = receiptMessageId(task.id);
  const claim = rstatus === 'PENDING' ? options.claimFor : undefined;
  const row: OutboxRow = {
    message_id: id,
    task_id: task.id,
    channel: h.mqNotifyBy!,
    settings: JSON.stringify(target),
    payload: JSON.stringify(message),
    status: rstatus,
    attempts: 0,
    next_attempt_at: now,
    last_error: error,
    broker_message_id: null,
    created_at: now,
    updated_at: now,
    delivered_at: null,
    claimed_by: claim?.owner ?? null,
    claimed_until: claim ? now + claim.leaseMs : null,
  };
  await tx.insertInto('receipt_outbox').values(row).execute();
  const taskFields = {
    mq_status: rstatus,
    mq_error_msg: rstatus === 'SKIPPED' ? null : error,
    mq_attempts: 0,
  };
  await tx.updateTable('query_tasks').set(taskFields).where('id', '=', task.id).execute();
  return { messageId: id, status: rstatus, row, taskFields };
}

/**
 * Claims up to `limit` due receipts for `owner` until `now + leaseMs`. On PostgreSQL the candidate rows are
 * locked `FOR UPDATE SKIP LOCKED`, so several servers never claim the same receipt; on SQLite one process
 * writes at a time anyway.
 */
export async function claimDue(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  owner: string,
  now: number,
  limit: number,
  leaseMs: number,
  exclude: ReadonlySet<string> = new Set(),
): Promise<OutboxRow[]> {
  if (limit <= 0) return [];
  // Cheap look first (no transaction, no lock): an idle outbox costs one indexed read.
  const any = await db
    .selectFrom('receipt_outbox')
    .select('message_id')
    .where('status', 'in', ['PENDING', 'RETRYING'])
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .limit(exclude.size + 1)
    .execute();
  if (!(any as { message_id: string }[]).some((r) => !exclude.has(r.message_id))) return [];
  return db.transaction().execute(async (tx) => {
    let q = tx
      .selectFrom('receipt_outbox')
      .select('message_id')
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit + exclude.size);
    if (dialect === 'postgres') q = q.forUpdate().skipLocked();
    const ids = ((await q.execute()) as { message_id: string }[])
      .map((r) => r.message_id)
      .filter((id) => !exclude.has(id))
      .slice(0, limit);
    if (ids.length === 0) return [];
    await tx
      .updateTable('receipt_outbox')
      .set({ claimed_by: owner, claimed_until: now + leaseMs })
      .where('message_id', 'in', ids)
      .execute();
    const rows = await tx.selectFrom('receipt_outbox').selectAll().where('message_id', 'in', ids).execute();
    return rows.map(normalizeOutboxRow).sort((a, b) => a.next_attempt_at - b.next_attempt_at);
  });
}

/** Releases claims left by a previous run of this node (`claimed_by` starting with `prefix`). */
export async function releaseClaims(db: Db, prefix: string): Promise<number> {
  const r = await db
    .updateTable('receipt_outbox')
    .set({ claimed_by: null, claimed_until: null })
    .where('claimed_by', 'like', `${prefix.replace(/[%_\\]/g, '\\$&')}%`)
    .where('status', 'in', ['PENDING', 'RETRYING'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The earliest `next_attempt_at` of a pending receipt, or undefined. */
export async function nextDueAt(db: Db): Promise<number | undefined> {
  const r = (await db
    .selectFrom('receipt_outbox')
    .select((eb) => eb.fn.min('next_attempt_at').as('t'))
    .where('status', 'in', ['PENDING', 'RETRYING'])
    .executeTakeFirst()) as { t: number | string | null } | undefined;
  return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
}

/** Delivery confirmed: SUCCESS on the row and the task (broker id, total time from the task's end). */
export async function markDelivered(
  run: TxRunner,
  row: OutboxRow,
  owner: string,
  brokerMessageId: string | undefined,
  now: number,
): Promise<boolean> {
  return run(async (tx) => {
    const r = await tx
      .updateTable('receipt_outbox')
      .set({
        status: 'SUCCESS',
        attempts: row.attempts + 1,
        broker_message_id: brokerMessageId ?? null,
        delivered_at: now,
        updated_at: now,
        last_error: null,
        claimed_by: null,
        claimed_until: null,
      })
      .where('message_id', '=', row.message_id)
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .where('claimed_by', '=', owner)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await tx
      .updateTable('query_tasks')
      .set({
        mq_status: 'SUCCESS',
        mq_error_msg: null,
        mq_message_id: brokerMessageId ?? row.message_id,
        mq_total_time: Math.max(0, now - row.created_at),
        mq_attempts: row.attempts + 1,
      })
      .where('id', '=', row.task_id)
      .execute();
    return true;
  });
}

/** A failed attempt: RETRYING until `nextAt`, or FAILURE when `nextAt` is undefined. */
export async function markAttemptFailed(
  run: TxRunner,
  row: OutboxRow,
  owner: string,
  error: string,
  nextAt: number | undefined,
  now: number,
): Promise<void> {
  const status: ReceiptStatus = nextAt === undefined ? 'FAILURE' : 'RETRYING';
  const msg = error.slice(0, 1000);
  await run(async (tx) => {
    const r = await tx
      .updateTable('receipt_outbox')
      .set({
        status,
        attempts: row.attempts + 1,
        next_attempt_at: nextAt ?? row.next_attempt_at,
        last_error: msg,
        updated_at: now,
        claimed_by: null,
        claimed_until: null,
      })
      .where('message_id', '=', row.message_id)
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .where('claimed_by', '=', owner)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return;
    await tx
      .updateTable('query_tasks')
      .set({ mq_status: status, mq_error_msg: msg, mq_attempts: row.attempts + 1 })
      .where('id', '=', row.task_id)
      .execute();
  });
}

/** Puts a claimed row back for later without counting an attempt (a robot's rate limit is full). */
export async function defer(run: TxRunner, row: OutboxRow, owner: string, at: number): Promise<void> {
  await run((tx) =>
    tx
      .updateTable('receipt_outbox')
      .set({ next_attempt_at: at, claimed_by: null, claimed_until: null })
      .where('message_id', '=', row.message_id)
      .where('claimed_by', '=', owner)
      .execute(),
  );
}

/** A receipt's row (tests, TEST/inspection). */
export async function getOutboxRow(db: Db, messageId: string): Promise<OutboxRow | null> {
  const r = await db
    .selectFrom('receipt_outbox')
    .selectAll()
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return r ? normalizeOutboxRow(r as Record<string, unknown>) : null;
}
