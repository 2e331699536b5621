/** What the runner derives from a statement: its kind (`task_name`), idempotency, result key, error text. */
import { LakecastError } from '../shared/index.js';

const IDEMPOTENT = new Set([
  'SELECT',
  'WITH',
  'VALUES',
  'TABLE',
  'FROM',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
]);

/** The statement's first keyword, upper case, after comments (`SELECT`, `INSERT`, …): the `task_name`. */
export function statementKind(body: string): string {
  const stripped = body.replace(/^(\s+|--[^\n]*\n?|#[^\n]*\n?|\/\*[\s\S]*?\*\/|\()+/, '');
  const m = /^[A-Za-z]+/.exec(stripped);
  const word = (m?.[0] ?? 'UNKNOWN').toUpperCase();
  return word === 'WITH' || word === 'VALUES' || word === 'TABLE' || word === 'FROM' ? 'SELECT' : word;
}

/** True when re-running the statement cannot change anything (safe to run again after a crash). */
export function isIdempotentKind(kind: string): boolean {
  return IDEMPOTENT.has(kind);
}

export function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `YYYY/MM/DD/<id>/result.<ext>`, dated by the task's creation (UTC). */
export function resultKeyOf(id: string, createTime: number, format: string): string {
  const d = new Date(createTime);
  const ext = format === 'json' ? 'json' : format === 'parquet' ? 'parquet' : 'csv';
  return `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${id}/result.${ext}`;
}

export const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** The error code a failed task's `message` starts with (see {@link errorText}); LC_INTERNAL when none. */
export function errorCodeOf(message: string | null | undefined): string {
  return /^(LC_[A-Z0-9_]+):/.exec(message ?? '')?.[1] ?? 'LC_INTERNAL';
}

/** A failed task's `message`: `<code>: <message>` of a Lakecast error; an unexpected error's text is not shown. */
export function errorText(err: unknown): string {
  if (err instanceof LakecastError) return `${err.code}: ${err.message}`;
  return 'LC_INTERNAL: internal error';
}
