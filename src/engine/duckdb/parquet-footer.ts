import { open } from 'node:fs/promises';

/**
 * Reads the row count of a Parquet file from its footer: the last 8 bytes are the footer's length and the magic
 * `PAR1`, and the footer is the Thrift compact encoding of `FileMetaData`, whose field 3 is `num_rows`
 * (https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift). Used for scanned-row
 * statistics, because DuckDB's profiler reports a Parquet scan's `operator_rows_scanned` as its estimated
 * cardinality times the threads that ran it (duckdb/duckdb#20944). Null when the file is not plain Parquet
 * (encrypted footer `PARE`, truncated, another format) or cannot be read.
 */
export async function parquetRowCount(file: string): Promise<number | null> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size < 12) return null;
    const tail = Buffer.alloc(8);
    await handle.read(tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== 'PAR1') return null;
    const length = tail.readUInt32LE(0);
    if (length <= 0 || length > size - 12 || length > MAX_FOOTER_BYTES) return null;
    const footer = Buffer.alloc(length);
    await handle.read(footer, 0, length, size - 8 - length);
    return readNumRows(footer);
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Footers larger than this are not read (a corrupt length; real footers of huge files stay far below). */
export const MAX_FOOTER_BYTES = 64 * 1024 * 1024;

/** `num_rows` (field 3) of a Thrift-compact `FileMetaData`, or null when absent or malformed. */
export function readNumRows(buf: Buffer): number | null {
  const r = new CompactReader(buf);
  try {
    let fieldId = 0;
    for (;;) {
      const header = r.byte();
      if (header === 0) return null; // stop: no num_rows
      const type = header & 0x0f;
      const delta = header >> 4;
      fieldId = delta === 0 ? r.zigzag() : fieldId + delta;
      if (fieldId === 3 && type === T_I64) return r.zigzag();
      r.skip(type);
    }
  } catch {
    return null;
  }
}

// Thrift compact protocol type ids.
const T_TRUE = 1;
const T_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
const T_STRUCT = 12;
/** Nesting deeper than this is refused (a hostile footer must not exhaust the stack). */
const MAX_DEPTH = 64;

class CompactReader {
  #pos = 0;
  #depth = 0;
  constructor(private readonly buf: Buffer) {}

  byte(): number {
    if (this.#pos >= this.buf.length) throw new RangeError('truncated');
    return this.buf[this.#pos++]!;
  }

  /** An unsigned varint (at most 64 bits; returned as a double, exact below 2^53). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new RangeError('varint too long');
  }

  /** A zigzag-encoded signed varint. */
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  advance(n: number): void {
    if (n < 0 || this.#pos + n > this.buf.length) throw new RangeError('truncated');
    this.#pos += n;
  }

  skip(type: number): void {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return; // a field's boolean value is its type
      case T_BYTE:
        this.advance(1);
        return;
      case T_I16:
      case T_I32:
      case T_I64:
        this.varint();
        return;
      case T_DOUBLE:
        this.advance(8);
        return;
      case T_BINARY:
        this.advance(this.varint());
        return;
      case T_LIST:
      case T_SET: {
        const head = this.byte();
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        const elem = head & 0x0f;
        this.nested(() => {
          for (let i = 0; i < size; i++) this.skipElement(elem);
        });
        return;
      }
      case T_MAP: {
        const size = this.varint();
        if (size === 0) return;
        const kv = this.byte();
        this.nested(() => {
          for (let i = 0; i < size; i++) {
            this.skipElement(kv >> 4);
            this.skipElement(kv & 0x0f);
          }
        });
        return;
      }
      case T_STRUCT:
        this.nested(() => {
          for (;;) {
            const header = this.byte();
            if (header === 0) return;
            if (header >> 4 === 0) this.zigzag();
            this.skip(header & 0x0f);
          }
        });
        return;
      default:
        throw new RangeError(`unknown compact type ${type}`);
    }
  }

  /** Inside lists, sets and maps a boolean takes a byte of its own. */
  private skipElement(type: number): void {
    if (type === T_TRUE || type === T_FALSE) this.advance(1);
    else this.skip(type);
  }

  private nested(fn: () => void): void {
    if (++this.#depth > MAX_DEPTH) throw new RangeError('nested too deep');
    try {
      fn();
    } finally {
      this.#depth--;
    }
  }
}
