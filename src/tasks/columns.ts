/**
 * The task row as users see it: SHOW QUERY_TASK's columns in DLA's order, then Lakecast's own (issue 3 §4).
 * Shared by SHOW QUERY_TASK, the HTTP API and (later) receipts, so all three show the same thing.
 */
import type { Cell, ColumnMeta, ValueType } from '../shared/index.js';
import type { TaskRecord } from './store/types.js';

type Kind = 'text' | 'int' | 'time' | 'real';

/** Every visible column: name, kind. The first 27 are DLA's, in DLA's order. */
export const TASK_COLUMN_SPECS: readonly (readonly [keyof TaskRecord & string, Kind])[] = [
  ['id', 'text'],
  ['mpp_query_id', 'text'],
  ['status', 'text'],
  ['task_name', 'text'],
  ['table_schema', 'text'],
  ['command', 'text'],
  ['creator_id', 'text'],
  ['create_time', 'time'],
  ['update_time', 'time'],
  ['connection_id', 'int'],
  ['message', 'text'],
  ['row_count', 'int'],
  ['elapse_time', 'int'],
  ['scanned_row_count', 'int'],
  ['scanned_data_bytes', 'int'],
  ['result_file_oss_file', 'text'],
  ['cancellable_task', 'int'],
  ['mq_product', 'text'],
  ['mq_model', 'text'],
  ['mq_topic', 'text'],
  ['mq_queue', 'text'],
  ['mq_producer_id', 'text'],
  ['mq_endpoint', 'text'],
  ['mq_status', 'text'],
  ['mq_error_msg', 'text'],
  ['mq_message_id', 'text'],
  ['mq_total_time', 'int'],
  // Lakecast's own.
  ['progress', 'real'],
  ['queue_time', 'int'],
  ['result_file_size', 'int'],
  ['attempts', 'int'],
  ['mq_attempts', 'int'],
  ['output_format', 'text'],
  ['client_token', 'text'],
  ['hints', 'text'],
  ['started_at', 'time'],
  ['finished_at', 'time'],
  ['node', 'text'],
  ['result_deleted_at', 'time'],
];

/** Names of the visible columns, in order. */
export const TASK_COLUMN_NAMES: readonly string[] = TASK_COLUMN_SPECS.map(([n]) => n);

/** The columns DLA showed (the first 27), in DLA's order. */
export const DLA_TASK_COLUMNS: readonly string[] = TASK_COLUMN_NAMES.slice(0, 27);

const TYPE: Record<Kind, ValueType> = { text: 'VARCHAR', int: 'BIGINT', time: 'TIMESTAMP', real: 'DOUBLE' };

/** Result-set column definitions of SHOW QUERY_TASK. */
export const TASK_COLUMNS: readonly ColumnMeta[] = TASK_COLUMN_SPECS.map(([name, kind]) => ({
  name,
  type: TYPE[kind],
  nullable: true,
}));

/** The kind of a visible column (for the WHERE compiler), or undefined when it is not one. */
export function taskColumnKind(name: string): Kind | undefined {
  return TASK_COLUMN_SPECS.find(([n]) => n === name)?.[1];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Epoch ms → `YYYY-MM-DD HH:MM:SS.mmm` in UTC (the TIMESTAMP cell format). */
export function formatTaskTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** A task as one SHOW QUERY_TASK row (cells in {@link TASK_COLUMNS} order). */
export function taskRowCells(task: TaskRecord): Cell[] {
  return TASK_COLUMN_SPECS.map(([name, kind]) => {
    const v = task[name];
    if (v === null || v === undefined) return null;
    if (kind === 'time') return formatTaskTime(v as number);
    if (kind === 'int') return BigInt(Math.trunc(v as number));
    return v as Cell;
  });
}

/** A task as a JSON object for the HTTP API (times ISO 8601, hints parsed). */
export function taskToJson(task: TaskRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of TASK_COLUMN_SPECS) {
    const v = task[name];
    if (name === 'hints') out[name] = JSON.parse(task.hints);
    else if (kind === 'time' && typeof v === 'number') out[name] = new Date(v).toISOString();
    else out[name] = v ?? null;
  }
  return out;
}
