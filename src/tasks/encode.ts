/**
 * Result file encoders: turn the engine's row batches into text chunks, one batch at a time, so a result is
 * never held in memory (DESIGN principle 4). Used through `Readable.from(encodeCsv(…))`, which pulls the next
 * batch only when the object store asks for more (backpressure).
 */
import type { Cell, ColumnMeta, RowBatch } from '../shared/index.js';

/** A text field must be quoted when it holds one of these. */
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field (RFC 4180): quoted when it holds `,` `"` CR or LF, or is the empty string; NULL is empty. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  switch (typeof cell) {
    case 'string':
      return quotedIfNeeded(cell);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(cell); // digits, sign, point, exponent, Infinity, NaN, true, false: never quoted
    default:
      return quotedIfNeeded(Buffer.from(cell).toString('base64'));
  }
}

function quotedIfNeeded(s: string): string {
  // An empty string is quoted so it stays distinguishable from NULL.
  if (s === '' || NEEDS_QUOTES.test(s)) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

/**
 * RFC 4180 CSV: UTF-8, CRLF line ends, a header row with the column names, then one line per row.
 * NULL is an empty field, the empty string is `""`, BLOBs are base64.
 */
export async function* encodeCsv(
  columns: readonly ColumnMeta[],
  batches: AsyncIterable<RowBatch>,
): AsyncGenerator<string> {
  const enc = batchEncoder('csv', columns);
  yield enc.header;
  for await (const batch of batches) {
    const chunk = enc.batch(batch);
    if (chunk) yield chunk;
  }
}

/** Encodes one batch at a time (for writers that also hand the batches on, e.g. force-persist-result). */
export interface BatchEncoder {
  /** Text before the first row (the CSV header; empty for NDJSON). */
  readonly header: string;
  batch(rows: RowBatch): string;
}

/** A {@link BatchEncoder} for `csv` or `json` (NDJSON). */
export function batchEncoder(format: 'csv' | 'json', columns: readonly ColumnMeta[]): BatchEncoder {
  if (format === 'json') {
    const keys = jsonKeys(columns);
    return {
      header: '',
      batch(rows) {
        let chunk = '';
        for (const row of rows) chunk += ndjsonLine(keys, columns, row);
        return chunk;
      },
    };
  }
  return {
    header: `${columns.map((c) => csvField(c.name)).join(',')}\r\n`,
    batch(rows) {
      let chunk = '';
      for (const row of rows) {
        let line = '';
        for (let i = 0; i < row.length; i++) {
          if (i > 0) line += ',';
          line += csvField(row[i]!);
        }
        chunk += `${line}\r\n`;
      }
      return chunk;
    },
  };
}

function jsonValue(cell: Cell, column: ColumnMeta): string {
  if (cell === null) return 'null';
  if (typeof cell === 'bigint') {
    return cell <= BigInt(Number.MAX_SAFE_INTEGER) && cell >= BigInt(Number.MIN_SAFE_INTEGER)
      ? cell.toString()
      : JSON.stringify(cell.toString());
  }
  if (cell instanceof Uint8Array) return JSON.stringify(Buffer.from(cell).toString('base64'));
  // Nested values (LIST, STRUCT, MAP…) arrive as JSON text: embed them as JSON, not as a string.
  if (column.type === 'JSON' && typeof cell === 'string') return cell;
  if (typeof cell === 'number' && !Number.isFinite(cell)) return JSON.stringify(String(cell));
  return JSON.stringify(cell);
}

/** Unique object keys for the columns (`a`, `a_2`, … when a query repeats a name). */
function jsonKeys(columns: readonly ColumnMeta[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return JSON.stringify(n === 1 ? c.name : `${c.name}_${n}`);
  });
}

/**
 * NDJSON (https://github.com/ndjson/ndjson-spec): one JSON object per row and line, keys = column names.
 * BIGINTs beyond 2^53 and non-finite floats become strings, BLOBs base64, nested values JSON.
 */
export async function* encodeNdjson(
  columns: readonly ColumnMeta[],
  batches: AsyncIterable<RowBatch>,
): AsyncGenerator<string> {
  const enc = batchEncoder('json', columns);
  for await (const batch of batches) {
    const chunk = enc.batch(batch);
    if (chunk) yield chunk;
  }
}

function ndjsonLine(keys: readonly string[], columns: readonly ColumnMeta[], row: readonly Cell[]): string {
  let line = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) line += ',';
    line += `${keys[i]}:${jsonValue(row[i] ?? null, columns[i]!)}`;
  }
  return `${line}}\n`;
}
