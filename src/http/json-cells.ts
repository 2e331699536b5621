import type { Cell } from '../shared/index.js';

/**
 * JSON form of a cell: bigints within ±2^53 as numbers and beyond as strings (JSON parsers lose precision
 * otherwise), BLOBs as base64 strings, everything else as is.
 */
export function cellToJson(cell: Cell): unknown {
  if (typeof cell === 'bigint') {
    return cell <= 9007199254740991n && cell >= -9007199254740991n ? Number(cell) : cell.toString();
  }
  if (cell instanceof Uint8Array)
    return Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength).toString('base64');
  if (typeof cell === 'number' && !Number.isFinite(cell)) return String(cell);
  return cell;
}

/** Serializes one row as a JSON array. */
export function rowToJson(row: Cell[]): string {
  let out = '[';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) out += ',';
    const v = cellToJson(row[i]);
    out += v === null ? 'null' : JSON.stringify(v);
  }
  return `${out}]`;
}
