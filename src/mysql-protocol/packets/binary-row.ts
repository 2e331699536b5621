import type { Cell, ColumnMeta, ValueType } from '../../shared/index.js';
import type { PacketWriter } from '../codec/packet-writer.js';
import { writeBinaryDate, writeBinaryDateTime, writeBinaryTime } from './binary-temporal.js';

type Value = Exclude<Cell, null>;
/** Writes one non-NULL cell in the binary protocol encoding of its column. */
export type BinaryCellWriter = (w: PacketWriter, v: Value) => void;

const toNumber = (v: Value): number =>
  typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v as string | bigint);

const toText = (v: Value): string =>
  typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);

const int8: BinaryCellWriter = (w, v) => {
  w.ensure(1);
  w.buf[w.pos++] = toNumber(v) & 0xff;
};
const int16: BinaryCellWriter = (w, v) => {
  w.ensure(2);
  w.buf.writeUInt16LE(toNumber(v) & 0xffff, w.pos);
  w.pos += 2;
};
const int32: BinaryCellWriter = (w, v) => {
  w.ensure(4);
  w.buf.writeUInt32LE(toNumber(v) >>> 0, w.pos);
  w.pos += 4;
};
const int64: BinaryCellWriter = (w, v) => {
  w.ensure(8);
  if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
    w.buf.writeUInt32LE(v % 0x100000000, w.pos);
    w.buf.writeUInt32LE(Math.floor(v / 0x100000000), w.pos + 4);
  } else {
    const b = typeof v === 'bigint' ? v : BigInt(typeof v === 'boolean' ? Number(v) : (v as string | number));
    w.buf.writeBigUInt64LE(BigInt.asUintN(64, b), w.pos);
  }
  w.pos += 8;
};
const float32: BinaryCellWriter = (w, v) => {
  w.ensure(4);
  w.buf.writeFloatLE(toNumber(v), w.pos);
  w.pos += 4;
};
const float64: BinaryCellWriter = (w, v) => {
  w.ensure(8);
  w.buf.writeDoubleLE(toNumber(v), w.pos);
  w.pos += 8;
};
const lenencText: BinaryCellWriter = (w, v) => {
  if (v instanceof Uint8Array) w.lenencBytes(v);
  else w.lenencStr(toText(v));
};

const WRITERS: Record<ValueType, BinaryCellWriter> = {
  NULL: lenencText,
  BOOLEAN: int8,
  TINYINT: int8,
  UTINYINT: int8,
  SMALLINT: int16,
  USMALLINT: int16,
  INTEGER: int32,
  UINTEGER: int32,
  BIGINT: int64,
  UBIGINT: int64,
  HUGEINT: lenencText,
  FLOAT: float32,
  DOUBLE: float64,
  DECIMAL: lenencText,
  VARCHAR: lenencText,
  BLOB: lenencText,
  DATE: (w, v) => writeBinaryDate(w, toText(v)),
  TIME: (w, v) => writeBinaryTime(w, toText(v)),
  TIMESTAMP: (w, v) => writeBinaryDateTime(w, toText(v)),
  TIMESTAMPTZ: (w, v) => writeBinaryDateTime(w, toText(v)),
  INTERVAL: lenencText,
  UUID: lenencText,
  JSON: lenencText,
};

/** Binary cell writer for a column type (must agree with the column definition from type-map.ts). */
export function binaryCellWriter(type: ValueType): BinaryCellWriter {
  return WRITERS[type] ?? lenencText;
}

/**
 * Builds the ProtocolBinary::ResultsetRow encoder of a result: header 0x00, NULL bitmap with offset 2, then
 * each non-NULL value in its column's binary form.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_binary_resultset.html
 */
export function binaryRowEncoder(
  columns: readonly ColumnMeta[],
): (w: PacketWriter, row: readonly Cell[]) => void {
  const writers = columns.map((c) => binaryCellWriter(c.type));
  const n = columns.length;
  const bitmapLength = (n + 7 + 2) >> 3;
  return (w, row) => {
    w.begin();
    w.ensure(1 + bitmapLength);
    const bitmap = w.pos + 1;
    w.buf.fill(0, w.pos, bitmap + bitmapLength);
    w.pos = bitmap + bitmapLength;
    for (let i = 0; i < n; i++) {
      const v = row[i];
      if (v === null || v === undefined) {
        const bit = i + 2;
        w.buf[bitmap + (bit >> 3)] |= 1 << (bit & 7);
      } else writers[i](w, v);
    }
    w.end();
  };
}
