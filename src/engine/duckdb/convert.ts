import {
  type DuckDBDataChunk,
  type DuckDBDecimalType,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import type { Cell, ColumnMeta, ValueType } from '../../shared/index.js';
import {
  formatDate,
  formatDecimalBig,
  formatDecimalNumber,
  formatTimeOfDay,
  formatTimestampBig,
  formatTimestampMicros,
} from './format.js';

/*
 * Chunk → Cell[][] conversion. Fixed-width columns are read straight from the vector's memory through
 * @duckdb/node-bindings (the package @duckdb/node-api itself wraps): the public DuckDBVector.getItem path
 * checks validity with BigInt arithmetic and allocates a value object per cell, several times slower.
 * Nested and rare types go through the public API.
 */

/** Writes column `col` of a chunk into `rows[r][col]` for r < n. */
export type ColumnReader = (chunk: DuckDBDataChunk, col: number, rows: Cell[][], n: number) => void;

const TWO32 = 4_294_967_296;
const textDecoder = new TextDecoder();

function rawVector(chunk: DuckDBDataChunk, col: number) {
  return bindings.data_chunk_get_vector(chunk.chunk, col);
}

/** The validity mask as bytes (bit r of the little-endian uint64 words = byte r>>3, bit r&7), or null when all valid. */
function validityOf(vector: ReturnType<typeof rawVector>, n: number): Uint8Array | null {
  return bindings.vector_get_validity(vector, Math.ceil(n / 64) * 8) ?? null;
}

function isNull(validity: Uint8Array | null, r: number): boolean {
  return validity !== null && (validity[r >> 3] & (1 << (r & 7))) === 0;
}

function dataOf(vector: ReturnType<typeof rawVector>, bytes: number): Uint8Array {
  return bindings.vector_get_data(vector, bytes);
}

type TypedArrayCtor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** Numbers and bigints stored as plain little-endian values: the typed array element is the cell. */
function plainReader(Ctor: TypedArrayCtor): ColumnReader {
  const width = Ctor.BYTES_PER_ELEMENT;
  return (chunk, col, rows, n) => {
    const v = rawVector(chunk, col);
    const d = dataOf(v, n * width);
    const items = new Ctor(d.buffer as ArrayBuffer, d.byteOffset, n);
    const valid = validityOf(v, n);
    for (let r = 0; r < n; r++) rows[r][col] = isNull(valid, r) ? null : items[r];
  };
}

const booleanReader: ColumnReader = (chunk, col, rows, n) => {
  const v = rawVector(chunk, col);
  const d = dataOf(v, n);
  const valid = validityOf(v, n);
  for (let r = 0; r < n; r++) rows[r][col] = isNull(valid, r) ? null : d[r] !== 0;
};

const dateReader: ColumnReader = (chunk, col, rows, n) => {
  const v = rawVector(chunk, col);
  const d = dataOf(v, n * 4);
  const days = new Int32Array(d.buffer, d.byteOffset, n);
  const valid = validityOf(v, n);
  for (let r = 0; r < n; r++) rows[r][col] = isNull(valid, r) ? null : formatDate(days[r]);
};

/** Reads an int64 column as two int32 halves so safe values need no BigInt. */
function int64Reader(toCell: (value: number) => Cell, toCellBig: (value: bigint) => Cell): ColumnReader {
  return (chunk, col, rows, n) => {
    const v = rawVector(chunk, col);
    const d = dataOf(v, n * 8);
    const halves = new Int32Array(d.buffer, d.byteOffset, n * 2);
    let bigs: BigInt64Array | null = null;
    const valid = validityOf(v, n);
    for (let r = 0; r < n; r++) {
      if (isNull(valid, r)) {
        rows[r][col] = null;
        continue;
      }
      const hi = halves[2 * r + 1];
      // Safe-integer range: |hi| < 2^21.
      if (hi < 2_097_152 && hi > -2_097_152) {
        const lo = halves[2 * r] >>> 0;
        rows[r][col] = toCell(hi * TWO32 + lo);
      } else {
        bigs ??= new BigInt64Array(d.buffer, d.byteOffset, n);
        rows[r][col] = toCellBig(bigs[r]);
      }
    }
  };
}

function timestampReader(unitsPerMicro: number, microsPerUnit: number): ColumnReader {
  if (unitsPerMicro === 1 && microsPerUnit === 1) {
    return int64Reader(formatTimestampMicros, formatTimestampBig);
  }
  return int64Reader(
    (x) => formatTimestampMicros(Math.floor((x * microsPerUnit) / unitsPerMicro)),
    (x) =>
      x === 9_223_372_036_854_775_807n || x === -9_223_372_036_854_775_807n
        ? formatTimestampBig(x)
        : formatTimestampBig((x * BigInt(microsPerUnit)) / BigInt(unitsPerMicro)),
  );
}

function decimalReader(width: number, scale: number): ColumnReader | null {
  if (width <= 4 || width <= 9) {
    const Ctor = width <= 4 ? Int16Array : Int32Array;
    return (chunk, col, rows, n) => {
      const v = rawVector(chunk, col);
      const d = dataOf(v, n * Ctor.BYTES_PER_ELEMENT);
      const items = new Ctor(d.buffer as ArrayBuffer, d.byteOffset, n);
      const valid = validityOf(v, n);
      for (let r = 0; r < n; r++)
        rows[r][col] = isNull(valid, r) ? null : formatDecimalNumber(items[r], scale);
    };
  }
  if (width <= 18) {
    return int64Reader(
      (x) => formatDecimalNumber(x, scale),
      (x) => formatDecimalBig(x, scale),
    );
  }
  return null; // 128-bit: public API below
}

/**
 * VARCHAR/BLOB: DuckDB's 16-byte string_t (uint32 length, then ≤12 inline bytes, or a 4-byte prefix and a
 * pointer). A long string costs one native call (get_data_from_pointer copies it out, ~1 µs), so strings
 * that share a pointer within a chunk (dictionary-encoded Parquet/CSV columns) are decoded once.
 */
function stringReader(asBytes: boolean): ColumnReader {
  return (chunk, col, rows, n) => {
    const v = rawVector(chunk, col);
    const d = dataOf(v, n * 16);
    const words = new Uint32Array(d.buffer, d.byteOffset, n * 4);
    const valid = validityOf(v, n);
    let seen: Map<number, { len: number; text: string }> | null = null;
    for (let r = 0; r < n; r++) {
      if (isNull(valid, r)) {
        rows[r][col] = null;
        continue;
      }
      const len = words[r * 4];
      const at = r * 16;
      if (len <= 12) {
        if (asBytes) {
          rows[r][col] = new Uint8Array(d.subarray(at + 4, at + 4 + len)); // copy: the chunk memory is freed
          continue;
        }
        // Short ASCII strings: building the string directly beats TextDecoder's per-call overhead.
        let s = '';
        let ascii = true;
        for (let i = 0; i < len; i++) {
          const c = d[at + 4 + i];
          if (c >= 0x80) {
            ascii = false;
            break;
          }
          s += String.fromCharCode(c);
        }
        rows[r][col] = ascii ? s : textDecoder.decode(d.subarray(at + 4, at + 4 + len));
        continue;
      }
      if (asBytes) {
        rows[r][col] = new Uint8Array(
          bindings.get_data_from_pointer(d.buffer as ArrayBuffer, d.byteOffset + at + 8, len),
        );
        continue;
      }
      // User-space pointers fit in 47 bits: exact as a double.
      const pointer = words[r * 4 + 3] * TWO32 + words[r * 4 + 2];
      seen ??= new Map();
      const hit = seen.get(pointer);
      if (hit !== undefined && hit.len === len) {
        rows[r][col] = hit.text;
        continue;
      }
      const text = textDecoder.decode(
        bindings.get_data_from_pointer(d.buffer as ArrayBuffer, d.byteOffset + at + 8, len),
      );
      seen.set(pointer, { len, text });
      rows[r][col] = text;
    }
  };
}

/** JSON-safe value for nested types (bigints become numbers when safe, else strings). */
function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, x) =>
    typeof x === 'bigint' ? (Number.isSafeInteger(Number(x)) ? Number(x) : x.toString()) : x,
  );
}

/** Slow path: the public vector API, for rare and nested types. */
function genericReader(toCell: (value: DuckDBValue) => Cell): ColumnReader {
  return (chunk, col, rows, n) => {
    const vector = chunk.getColumnVector(col);
    for (let r = 0; r < n; r++) {
      const value = vector.getItem(r);
      rows[r][col] = value === null ? null : toCell(value);
    }
  };
}

const nestedReader: ColumnReader = (chunk, col, rows, n) => {
  const values = chunk.convertColumnValues(col, JsonDuckDBValueConverter);
  for (let r = 0; r < n; r++) {
    const value = values[r];
    rows[r][col] = value === null || value === undefined ? null : jsonText(value);
  }
};

const toText = (value: DuckDBValue): Cell => (typeof value === 'string' ? value : String(value));

/** The reader for one result column type. */
export function columnReader(type: DuckDBType): ColumnReader {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return booleanReader;
    case DuckDBTypeId.TINYINT:
      return plainReader(Int8Array);
    case DuckDBTypeId.SMALLINT:
      return plainReader(Int16Array);
    case DuckDBTypeId.INTEGER:
      return plainReader(Int32Array);
    case DuckDBTypeId.BIGINT:
      return plainReader(BigInt64Array);
    case DuckDBTypeId.UTINYINT:
      return plainReader(Uint8Array);
    case DuckDBTypeId.USMALLINT:
      return plainReader(Uint16Array);
    case DuckDBTypeId.UINTEGER:
      return plainReader(Uint32Array);
    case DuckDBTypeId.UBIGINT:
      return plainReader(BigUint64Array);
    case DuckDBTypeId.FLOAT:
      return plainReader(Float32Array);
    case DuckDBTypeId.DOUBLE:
      return plainReader(Float64Array);
    case DuckDBTypeId.DATE:
      return dateReader;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return timestampReader(1, 1);
    case DuckDBTypeId.TIMESTAMP_S:
      return timestampReader(1, 1_000_000);
    case DuckDBTypeId.TIMESTAMP_MS:
      return timestampReader(1, 1000);
    case DuckDBTypeId.TIMESTAMP_NS:
      return timestampReader(1000, 1);
    case DuckDBTypeId.TIME:
      return int64Reader(formatTimeOfDay, (x) => formatTimeOfDay(Number(x)));
    case DuckDBTypeId.DECIMAL: {
      const t = type as DuckDBDecimalType;
      return (
        decimalReader(t.width, t.scale) ??
        genericReader((value) => formatDecimalBig((value as { value: bigint }).value, t.scale))
      );
    }
    case DuckDBTypeId.VARCHAR:
      return stringReader(false);
    case DuckDBTypeId.BLOB:
      return stringReader(true);
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return genericReader((value) => value as bigint);
    case DuckDBTypeId.BIGNUM:
      return genericReader((value) => String(value));
    case DuckDBTypeId.ENUM:
      return genericReader(toText);
    case DuckDBTypeId.SQLNULL:
      return (_chunk, col, rows, n) => {
        for (let r = 0; r < n; r++) rows[r][col] = null;
      };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return nestedReader;
    default:
      // UUID, INTERVAL, TIME_TZ, TIME_NS, BIT, GEOMETRY: DuckDB's own text form.
      return genericReader(toText);
  }
}

/** Converts one chunk into rows using per-column readers built once per result. */
export function convertChunk(chunk: DuckDBDataChunk, readers: readonly ColumnReader[]): Cell[][] {
  const n = chunk.rowCount;
  const width = readers.length;
  const rows: Cell[][] = new Array(n);
  for (let r = 0; r < n; r++) rows[r] = new Array<Cell>(width);
  for (let c = 0; c < width; c++) readers[c](chunk, c, rows, n);
  return rows;
}

/** Maps a DuckDB column type onto Lakecast's logical {@link ValueType} with precision and scale. */
export function columnMeta(name: string, type: DuckDBType): ColumnMeta {
  const vt = valueType(type);
  if (type.typeId === DuckDBTypeId.DECIMAL) {
    const t = type as DuckDBDecimalType;
    return { name, type: vt, precision: t.width, scale: t.scale };
  }
  return { name, type: vt };
}

function valueType(type: DuckDBType): ValueType {
  if (type.alias?.toUpperCase() === 'JSON') return 'JSON';
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TINYINT:
      return 'TINYINT';
    case DuckDBTypeId.SMALLINT:
      return 'SMALLINT';
    case DuckDBTypeId.INTEGER:
      return 'INTEGER';
    case DuckDBTypeId.BIGINT:
      return 'BIGINT';
    case DuckDBTypeId.UTINYINT:
      return 'UTINYINT';
    case DuckDBTypeId.USMALLINT:
      return 'USMALLINT';
    case DuckDBTypeId.UINTEGER:
      return 'UINTEGER';
    case DuckDBTypeId.UBIGINT:
      return 'UBIGINT';
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'HUGEINT';
    case DuckDBTypeId.FLOAT:
      return 'FLOAT';
    case DuckDBTypeId.DOUBLE:
      return 'DOUBLE';
    case DuckDBTypeId.DECIMAL:
      return 'DECIMAL';
    case DuckDBTypeId.BLOB:
      return 'BLOB';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.TIME_NS:
      return 'TIME';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'TIMESTAMP';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMPTZ';
    case DuckDBTypeId.INTERVAL:
      return 'INTERVAL';
    case DuckDBTypeId.UUID:
      return 'UUID';
    case DuckDBTypeId.SQLNULL:
      return 'NULL';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return 'JSON';
    default:
      return 'VARCHAR';
  }
}
