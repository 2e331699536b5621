import type { Generated } from 'kysely';

/** Task states: DLA's RUNNING, SUCCESS, FAILURE, CANCELLED, plus Lakecast's QUEUED. */
export type TaskStatus = 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'CANCELLED';
export type TerminalStatus = 'SUCCESS' | 'FAILURE' | 'CANCELLED';
export const TASK_STATUSES: readonly TaskStatus[] = ['QUEUED', 'RUNNING', 'SUCCESS', 'FAILURE', 'CANCELLED'];

export function isTerminal(status: TaskStatus): status is TerminalStatus {
  return status === 'SUCCESS' || status === 'FAILURE' || status === 'CANCELLED';
}

/** The `query_tasks` table as Kysely sees it (migration 0002_tasks). Times are epoch ms. */
export interface QueryTasksTable {
  id: string;
  mpp_query_id: string | null;
  status: TaskStatus;
  task_name: string;
  table_schema: string | null;
  command: string;
  creator_id: string;
  create_time: number;
  update_time: number;
  connection_id: number | null;
  message: string | null;
  row_count: number | null;
  elapse_time: number | null;
  scanned_row_count: number | null;
  scanned_data_bytes: number | null;
  result_file_oss_file: string | null;
  cancellable_task: Generated<number>;
  mq_product: string | null;
  mq_model: string | null;
  mq_topic: string | null;
  mq_queue: string | null;
  mq_producer_id: string | null;
  mq_endpoint: string | null;
  mq_status: string | null;
  mq_error_msg: string | null;
  mq_message_id: string | null;
  mq_total_time: number | null;
  mq_attempts: number | null;
  progress: number | null;
  queue_time: number | null;
  result_file_size: number | null;
  attempts: Generated<number>;
  output_format: string;
  client_token: string | null;
  hints: string;
  started_at: number | null;
  finished_at: number | null;
  node: string;
  result_key: string | null;
  result_deleted_at: number | null;
}

/** The tables the task store uses, for `catalog.db as Kysely<TasksDatabase>`. */
export interface TasksDatabase {
  query_tasks: QueryTasksTable;
}

/** One task as read from the store (numbers normalized: PostgreSQL returns `bigint` as strings). */
export interface TaskRecord {
  readonly id: string;
  readonly mpp_query_id: string | null;
  readonly status: TaskStatus;
  readonly task_name: string;
  readonly table_schema: string | null;
  readonly command: string;
  readonly creator_id: string;
  readonly create_time: number;
  readonly update_time: number;
  readonly connection_id: number | null;
  readonly message: string | null;
  readonly row_count: number | null;
  readonly elapse_time: number | null;
  readonly scanned_row_count: number | null;
  readonly scanned_data_bytes: number | null;
  readonly result_file_oss_file: string | null;
  readonly cancellable_task: number;
  readonly mq_product: string | null;
  readonly mq_model: string | null;
  readonly mq_topic: string | null;
  readonly mq_queue: string | null;
  readonly mq_producer_id: string | null;
  readonly mq_endpoint: string | null;
  readonly mq_status: string | null;
  readonly mq_error_msg: string | null;
  readonly mq_message_id: string | null;
  readonly mq_total_time: number | null;
  /** Receipt delivery attempts so far (NULL: no receipt). */
  readonly mq_attempts: number | null;
  readonly progress: number | null;
  readonly queue_time: number | null;
  readonly result_file_size: number | null;
  readonly attempts: number;
  readonly output_format: string;
  readonly client_token: string | null;
  /** Hints as canonical key/value pairs, JSON object text. */
  readonly hints: string;
  readonly started_at: number | null;
  readonly finished_at: number | null;
  readonly node: string;
  readonly result_key: string | null;
  readonly result_deleted_at: number | null;
}

/** Columns a new task is inserted with. */
export type NewTask = Pick<
  TaskRecord,
  | 'id'
  | 'task_name'
  | 'table_schema'
  | 'command'
  | 'creator_id'
  | 'create_time'
  | 'connection_id'
  | 'output_format'
  | 'client_token'
  | 'hints'
  | 'node'
> &
  Partial<
    Pick<TaskRecord, 'mq_product' | 'mq_model' | 'mq_topic' | 'mq_queue' | 'mq_producer_id' | 'mq_endpoint'>
  >;

/** What a terminal transition may set besides the status. */
export type FinishFields = Partial<
  Pick<
    TaskRecord,
    | 'message'
    | 'row_count'
    | 'elapse_time'
    | 'scanned_row_count'
    | 'scanned_data_bytes'
    | 'result_file_oss_file'
    | 'result_file_size'
    | 'result_key'
    | 'progress'
    | 'mq_status'
    | 'mq_error_msg'
  >
>;
