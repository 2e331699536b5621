import type { Cell } from '../shared/index.js';
import { SqlErrors, sqlError } from './errors.js';
import type { Token } from './tokenizer.js';

/** Number of `?` placeholders outside quotes and comments. */
export function countPlaceholders(tokens: readonly Token[]): number {
  let n = 0;
  for (const t of tokens) if (t.kind === 'param') n++;
  return n;
}

/** Fails with LC_SQL_BAD_PARAMS unless exactly `expected` parameters were given. */
export function checkParamCount(expected: number, params: readonly Cell[]): void {
  if (params.length !== expected)
    throw sqlError(
      SqlErrors.SQL_BAD_PARAMS,
      `Incorrect arguments to mysqld_stmt_execute: expected ${expected} parameters, got ${params.length}`,
    );
}

/**
 * A cell as a literal for DuckDB: strings single-quoted with `'` doubled (DuckDB standard strings take
 * backslashes literally), bytes as a hex BLOB literal, numbers only when finite.
 */
export function sqlLiteral(value: Cell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw sqlError(SqlErrors.SQL_BAD_PARAMS, 'parameter is not a finite number');
    return String(value);
  }
  if (value instanceof Uint8Array) {
    let hex = '';
    for (const b of value) hex += `\\x${b.toString(16).padStart(2, '0')}`;
    return `'${hex}'::BLOB`;
  }
  if (value.includes('\0')) throw sqlError(SqlErrors.SQL_BAD_PARAMS, 'parameter contains a NUL byte');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A cell as a literal for Lakecast's own tokenizer (MySQL strings: backslashes doubled too). */
export function frontLiteral(value: Cell): string {
  const lit = sqlLiteral(value);
  return typeof value === 'string' ? lit.replaceAll('\\', '\\\\') : lit;
}

/** Replaces each `?` token with the literal of the matching parameter (statements other than engine queries). */
export function bindLiterals(sql: string, tokens: readonly Token[], params: readonly Cell[]): string {
  let out = '';
  let last = 0;
  let k = 0;
  for (const t of tokens) {
    if (t.kind !== 'param') continue;
    out += sql.slice(last, t.start) + frontLiteral(params[k++]);
    last = t.end;
  }
  return out + sql.slice(last);
}
