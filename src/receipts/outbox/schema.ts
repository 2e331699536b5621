/** The `receipt_outbox` table (migration 0003_receipts). Times are epoch ms. */
export type ReceiptStatus = 'PENDING' | 'RETRYING' | 'SUCCESS' | 'FAILURE' | 'SKIPPED';
export const RECEIPT_STATUSES: readonly ReceiptStatus[] = [
  'PENDING',
  'RETRYING',
  'SUCCESS',
  'FAILURE',
  'SKIPPED',
];

export interface OutboxRow {
  readonly message_id: string;
  readonly task_id: string;
  readonly channel: string;
  /** JSON of the {@link ReceiptTarget} (no secrets). */
  readonly settings: string;
  /** The CloudEvent JSON. */
  readonly payload: string;
  readonly status: ReceiptStatus;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly last_error: string | null;
  readonly broker_message_id: string | null;
  /** When the task ended (the receipt's clock starts here). */
  readonly created_at: number;
  readonly updated_at: number;
  readonly delivered_at: number | null;
  readonly claimed_by: string | null;
  readonly claimed_until: number | null;
}

const NUMERIC = [
  'attempts',
  'next_attempt_at',
  'created_at',
  'updated_at',
  'delivered_at',
  'claimed_until',
] as const;

/** PostgreSQL returns `bigint` as strings: numbers everywhere. */
export function normalizeOutboxRow(row: Record<string, unknown>): OutboxRow {
  const out: Record<string, unknown> = { ...row };
  for (const k of NUMERIC) if (out[k] !== null && out[k] !== undefined) out[k] = Number(out[k]);
  return out as unknown as OutboxRow;
}
