/**
 * The receipt message: a CloudEvents 1.0 event in structured JSON mode
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md).
 */
import { taskToJson } from '../tasks/columns.js';
import type { TaskRecord, TerminalStatus } from '../tasks/store/types.js';

/** Media type of a structured-mode CloudEvent. */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json; charset=utf-8';

/** CloudEvents `type` per terminal status. */
export const RECEIPT_TYPES: Readonly<Record<TerminalStatus, string>> = Object.freeze({
  SUCCESS: 'lakecast.query_task.succeeded',
  FAILURE: 'lakecast.query_task.failed',
  CANCELLED: 'lakecast.query_task.cancelled',
});

/** One receipt. `id` is the message id: stable across retries, the consumer's dedupe key. */
export interface ReceiptMessage {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** The task id. */
  readonly subject: string;
  /** RFC 3339: when the task ended. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  /** The task row as SHOW QUERY_TASK shows it (times ISO 8601), plus `result_uri` and `result_url`. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** The message id of a task's receipt (one receipt per task): deterministic, so a re-run transaction agrees. */
export function receiptMessageId(taskId: string): string {
  return `rcpt-${taskId}`;
}

/** A URL without its password and with query values hidden (tokens travel there); other text unchanged. */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, '***');
  return url.toString();
}

/** Builds the receipt of a finished task. */
export function buildReceiptMessage(
  task: TaskRecord,
  options: { source: string; id?: string; publicUrl?: string },
): ReceiptMessage {
  const data: Record<string, unknown> = taskToJson(task);
  if (typeof data.mq_endpoint === 'string') data.mq_endpoint = redactUrl(data.mq_endpoint);
  const hints = data.hints as Record<string, unknown> | undefined;
  if (hints && typeof hints['mq-endpoint'] === 'string') {
    data.hints = { ...hints, 'mq-endpoint': redactUrl(hints['mq-endpoint']) };
  }
  data.result_uri = task.result_file_oss_file;
  if (options.publicUrl && task.status === 'SUCCESS' && task.result_file_oss_file) {
    data.result_url = `${options.publicUrl.replace(/\/+$/, '')}/v1/tasks/${encodeURIComponent(task.id)}/result`;
  }
  const status = task.status as TerminalStatus;
  return {
    specversion: '1.0',
    id: options.id ?? receiptMessageId(task.id),
    source: options.source,
    type: RECEIPT_TYPES[status] ?? `lakecast.query_task.${status.toLowerCase()}`,
    subject: task.id,
    time: new Date(task.finished_at ?? task.update_time).toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

function fmtDuration(ms: unknown): string {
  if (typeof ms !== 'number') return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** The human summary robots post (Markdown): status, duration, rows, result link, message. */
export function receiptSummary(message: ReceiptMessage): { title: string; lines: string[]; link?: string } {
  const d = message.data;
  const status = String(d.status ?? '');
  const link = (d.result_url ?? d.result_uri ?? undefined) as string | undefined;
  const lines = [
    `task: ${message.subject}`,
    `status: ${status}`,
    `duration: ${fmtDuration(d.elapse_time)}`,
    `rows: ${d.row_count ?? '-'}`,
  ];
  if (d.message) lines.push(`message: ${String(d.message).slice(0, 500)}`);
  return { title: `Lakecast query task ${status}`, lines, link: link ?? undefined };
}

/** The summary as standard Markdown (DingTalk, Feishu, WeCom). */
export function receiptMarkdown(message: ReceiptMessage): { title: string; text: string } {
  const s = receiptSummary(message);
  const text = [
    `### ${s.title}`,
    ...s.lines.map((l) => `- ${l}`),
    ...(s.link ? [`- result: [${s.link}](${s.link})`] : []),
  ].join('\n');
  return { title: s.title, text };
}
