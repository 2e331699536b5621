import { crc32c } from './crc32c.js';

/**
 * Segment batch frame (all little-endian). A segment file is a sequence of frames, nothing else:
 *
 * ```
 * 0  u32 frameLength   whole frame, header included
 * 4  u32 crc32c        of bytes [8, frameLength)
 * 8  u32 magic         0x4C434231 ("LCB1")
 * 12 u32 count         records in the batch
 * 16 f64 baseSequence  sequence of the first record
 * 24 f64 systemTime    ms; one time per batch, never decreasing within a shard
 * 32 records           count × { u32 dataLen, data, u16 keyLen (0xFFFF: none), key utf8, u32 attrLen (0: none), attrs JSON }
 * ```
 * A frame is the unit of atomicity: recovery keeps a prefix of whole frames whose CRC matches.
 */
export const FRAME_HEADER = 32;
export const FRAME_MAGIC = 0x4c434231;
const NO_KEY = 0xffff;

/** What the log needs from a record. */
export interface LogRecordInput {
  readonly data: Uint8Array;
  readonly partitionKey?: string;
  readonly attributes?: string;
}

export interface FrameHeader {
  readonly length: number;
  readonly count: number;
  readonly baseSequence: number;
  readonly systemTime: number;
}

/** Encodes records into one frame. */
export function encodeFrame(
  records: readonly LogRecordInput[],
  baseSequence: number,
  systemTime: number,
): Buffer {
  let size = FRAME_HEADER;
  const keyLens = new Array<number>(records.length);
  const attrLens = new Array<number>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const kl = r.partitionKey === undefined ? 0 : Buffer.byteLength(r.partitionKey);
    const al = r.attributes === undefined ? 0 : Buffer.byteLength(r.attributes);
    keyLens[i] = kl;
    attrLens[i] = al;
    size += 10 + r.data.byteLength + kl + al;
  }
  const buf = Buffer.allocUnsafe(size);
  buf.writeUInt32LE(size, 0);
  buf.writeUInt32LE(FRAME_MAGIC, 8);
  buf.writeUInt32LE(records.length, 12);
  buf.writeDoubleLE(baseSequence, 16);
  buf.writeDoubleLE(systemTime, 24);
  let off = FRAME_HEADER;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    buf.writeUInt32LE(r.data.byteLength, off);
    off += 4;
    buf.set(r.data, off);
    off += r.data.byteLength;
    if (r.partitionKey === undefined) {
      buf.writeUInt16LE(NO_KEY, off);
      off += 2;
    } else {
      buf.writeUInt16LE(keyLens[i], off);
      off += 2;
      off += buf.write(r.partitionKey, off, 'utf8');
    }
    buf.writeUInt32LE(attrLens[i], off);
    off += 4;
    if (r.attributes !== undefined) off += buf.write(r.attributes, off, 'utf8');
  }
  buf.writeUInt32LE(crc32c(buf, 8, size), 4);
  return buf;
}

/**
 * Reads the frame header at `off` when the whole header is inside `buf[0, end)`; undefined when it is not
 * (caller reads more). Throws nothing: a bad magic or length is reported as `{ bad: true }`.
 */
export function readHeader(buf: Buffer, off: number, end: number): FrameHeader | { bad: true } | undefined {
  if (end - off < FRAME_HEADER) return undefined;
  const length = buf.readUInt32LE(off);
  if (buf.readUInt32LE(off + 8) !== FRAME_MAGIC || length < FRAME_HEADER) return { bad: true };
  return {
    length,
    count: buf.readUInt32LE(off + 12),
    baseSequence: buf.readDoubleLE(off + 16),
    systemTime: buf.readDoubleLE(off + 24),
  };
}

/** Whether the frame at `off` (fully inside `buf`) has a matching CRC. */
export function frameCrcOk(buf: Buffer, off: number, length: number): boolean {
  return buf.readUInt32LE(off + 4) === crc32c(buf, off + 8, off + length);
}

/** A record parsed out of a frame; `data` is a view into the read buffer (no copy). */
export interface ParsedRecord {
  readonly sequence: number;
  readonly systemTime: number;
  readonly data: Uint8Array;
  readonly partitionKey?: string;
  readonly attributes?: string;
}

/**
 * Parses the records of the frame at `off` with sequence ≥ `fromSeq`, at most `max`, pushing onto `out`.
 * Returns false when the frame's record layout is inconsistent with its length (corruption).
 */
export function parseFrame(
  buf: Buffer,
  off: number,
  h: FrameHeader,
  fromSeq: number,
  max: number,
  out: ParsedRecord[],
): boolean {
  const end = off + h.length;
  let p = off + FRAME_HEADER;
  let taken = 0;
  for (let i = 0; i < h.count; i++) {
    if (p + 4 > end) return false;
    const dl = buf.readUInt32LE(p);
    p += 4;
    const ds = p;
    p += dl;
    if (p + 2 > end) return false;
    const kl = buf.readUInt16LE(p);
    p += 2;
    let key: string | undefined;
    if (kl !== NO_KEY) {
      key = buf.toString('utf8', p, p + kl);
      p += kl;
    }
    if (p + 4 > end) return false;
    const al = buf.readUInt32LE(p);
    p += 4;
    const as = p;
    p += al;
    if (p > end) return false;
    const seq = h.baseSequence + i;
    if (seq < fromSeq || taken >= max) continue;
    taken++;
    const rec: {
      sequence: number;
      systemTime: number;
      data: Uint8Array;
      partitionKey?: string;
      attributes?: string;
    } = {
      sequence: seq,
      systemTime: h.systemTime,
      data: buf.subarray(ds, ds + dl),
    };
    if (key !== undefined) rec.partitionKey = key;
    if (al > 0) rec.attributes = buf.toString('utf8', as, as + al);
    out.push(rec);
  }
  return p === end;
}
