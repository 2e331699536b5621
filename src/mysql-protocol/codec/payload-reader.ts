import { LakecastError } from '../../shared/index.js';
import { MysqlProtocolErrors } from '../errors.js';

/** Thrown by {@link PayloadReader} when a field runs past the end of the payload. */
export function malformed(what = 'Malformed communication packet.'): LakecastError {
  return new LakecastError(MysqlProtocolErrors.MYSQL_MALFORMED_PACKET, what);
}

/** Bounds-checked reader over one packet payload. Every read past the end throws ER_MALFORMED_PACKET. */
export class PayloadReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
  ) {
    this.pos = offset;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw malformed();
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Length-encoded integer; null for the 0xFB NULL marker. Values above 2^53 are rejected. */
  lenenc(): number | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfb) return null;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) {
      this.need(3);
      const v = this.buf.readUIntLE(this.pos, 3);
      this.pos += 3;
      return v;
    }
    if (first === 0xfe) {
      this.need(8);
      const v = this.buf.readBigUInt64LE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed();
      return Number(v);
    }
    throw malformed();
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  lenencBytes(): Buffer {
    const n = this.lenenc();
    if (n === null) throw malformed();
    return this.bytes(n);
  }

  /** NUL-terminated string; when `optional` and the payload ends first, returns the rest. */
  strNul(optional = false): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) {
      if (!optional) throw malformed();
      const s = this.buf.toString('utf8', this.pos);
      this.pos = this.buf.length;
      return s;
    }
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  lenencStr(): string {
    return this.lenencBytes().toString('utf8');
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }
}
