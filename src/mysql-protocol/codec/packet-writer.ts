import { MAX_PACKET_PAYLOAD } from '../constants.js';

const DEFAULT_CAPACITY = 64 * 1024;
/** Buffers smaller than this are copied out by take() so the big buffer can be reused. */
const COPY_OUT_BELOW = 4096;

/**
 * Encodes packets (4-byte header + payload) directly into one growable Buffer. A caller opens a packet with
 * {@link begin}, writes fields, and closes it with {@link end}, which fills in the header and splits payloads
 * of 16 MiB - 1 bytes or more into several physical packets. {@link take} hands out everything encoded so far
 * as one Buffer for a single `socket.write`.
 *
 * Sequence ids: `seq` is the id of the next physical packet; it wraps at 255.
 */
export class PacketWriter {
  buf: Buffer;
  pos = 0;
  seq = 0;
  private start = -1;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes encoded and not yet taken. */
  get length(): number {
    return this.pos;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Opens a packet: reserves its header. */
  begin(): void {
    this.ensure(4);
    this.start = this.pos;
    this.pos += 4;
  }

  /** Drops the packet opened by {@link begin} (e.g. a row whose encoding failed). */
  abort(): void {
    if (this.start >= 0) this.pos = this.start;
    this.start = -1;
  }

  /** Closes the open packet: writes its header (and splits it when too long). */
  end(): void {
    const start = this.start;
    const len = this.pos - start - 4;
    this.start = -1;
    if (len < MAX_PACKET_PAYLOAD) {
      const b = this.buf;
      b[start] = len & 0xff;
      b[start + 1] = (len >> 8) & 0xff;
      b[start + 2] = len >> 16;
      b[start + 3] = this.seq;
      this.seq = (this.seq + 1) & 0xff;
      return;
    }
    this.splitLong(start, len);
  }

  // Payloads >= 0xFFFFFF go out as 0xFFFFFF-byte chunks followed by a shorter (possibly empty) one.
  // https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
  private splitLong(start: number, len: number): void {
    const payload = Buffer.from(this.buf.subarray(start + 4, start + 4 + len));
    this.pos = start;
    const chunks = Math.floor(len / MAX_PACKET_PAYLOAD) + 1;
    this.ensure(len + chunks * 4);
    let off = 0;
    for (let i = 0; i < chunks; i++) {
      const n = Math.min(MAX_PACKET_PAYLOAD, len - off);
      const b = this.buf;
      const p = this.pos;
      b[p] = n & 0xff;
      b[p + 1] = (n >> 8) & 0xff;
      b[p + 2] = n >> 16;
      b[p + 3] = this.seq;
      this.seq = (this.seq + 1) & 0xff;
      payload.copy(b, p + 4, off, off + n);
      this.pos = p + 4 + n;
      off += n;
    }
  }

  /** Returns the encoded bytes and starts a fresh buffer (the returned one is never written again). */
  take(): Buffer {
    const n = this.pos;
    this.pos = 0;
    if (n < COPY_OUT_BELOW) return Buffer.from(this.buf.subarray(0, n));
    const out = this.buf.subarray(0, n);
    this.buf = Buffer.allocUnsafe(Math.max(DEFAULT_CAPACITY, Math.min(this.buf.length, 4 * 1024 * 1024)));
    return out;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }

  u24(v: number): void {
    this.ensure(3);
    this.buf.writeUIntLE(v, this.pos, 3);
    this.pos += 3;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Length-encoded integer. https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_dt_integers.html */
  lenenc(v: number): void {
    this.ensure(9);
    const b = this.buf;
    if (v < 251) {
      b[this.pos++] = v;
    } else if (v < 0x10000) {
      b[this.pos] = 0xfc;
      b.writeUInt16LE(v, this.pos + 1);
      this.pos += 3;
    } else if (v < 0x1000000) {
      b[this.pos] = 0xfd;
      b.writeUIntLE(v, this.pos + 1, 3);
      this.pos += 4;
    } else {
      b[this.pos] = 0xfe;
      b.writeBigUInt64LE(BigInt(v), this.pos + 1);
      this.pos += 9;
    }
  }

  /** Raw bytes. */
  bytes(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Length-encoded bytes. */
  lenencBytes(v: Uint8Array): void {
    this.lenenc(v.length);
    this.bytes(v);
  }

  /** UTF-8 string without terminator. */
  str(s: string): void {
    const max = s.length * 3;
    this.ensure(max);
    this.pos += this.buf.write(s, this.pos, max, 'utf8');
  }

  /** NUL-terminated UTF-8 string. */
  strNul(s: string): void {
    this.str(s);
    this.u8(0);
  }

  /** Length-encoded UTF-8 string, written without an intermediate Buffer. */
  lenencStr(s: string): void {
    const len = s.length;
    if (len < 64) {
      // Short strings: copy ASCII by hand (cheaper than a native write call); fall back on non-ASCII.
      this.ensure(1 + len * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === len) {
        b[this.pos] = len;
        this.pos = start + len;
        return;
      }
    }
    const max = len * 3;
    if (max < 251) {
      this.ensure(1 + max);
      const n = this.buf.write(s, this.pos + 1, max, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.lenenc(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /**
   * Length-encoded decimal text of a safe integer, digits written straight into the buffer (no string).
   * Used for every integer cell of a text row.
   */
  lenencIntText(v: number): void {
    this.ensure(18);
    const b = this.buf;
    let p = this.pos;
    let u = v;
    if (v < 0) {
      u = -v;
    }
    let digits = 1;
    for (let t = u; t >= 10; t = Math.floor(t / 10)) digits++;
    const len = v < 0 ? digits + 1 : digits;
    b[p++] = len;
    if (v < 0) b[p++] = 45;
    let q = p + digits - 1;
    if (u < 0x80000000) {
      do {
        const d = (u / 10) | 0;
        b[q--] = 48 + (u - d * 10);
        u = d;
      } while (u > 0);
    } else {
      do {
        const d = Math.floor(u / 10);
        b[q--] = 48 + (u - d * 10);
        u = d;
      } while (u > 0);
    }
    this.pos = p + digits;
  }

  /** Length-encoded ASCII text (numbers' text forms). */
  lenencAscii(s: string): void {
    this.ensure(9 + s.length);
    this.lenenc(s.length);
    this.pos += this.buf.write(s, this.pos, s.length, 'latin1');
  }
}
