import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { crc32c } from './crc32c.js';
import { FRAME_HEADER, frameCrcOk, readHeader } from './frame.js';

/**
 * One segment of a shard: `<baseSequence, 20 digits>.log` holding frames, plus a sparse index kept in memory
 * (and written to `<base>.idx` when the segment is sealed). An index entry maps a frame's base sequence to its
 * byte position and time; one entry per `indexIntervalBytes` of log at most.
 */
export interface Segment {
  readonly base: number;
  readonly file: string;
  /** Sequence after the last record in the segment. */
  next: number;
  /** Committed byte size (readers never read past it). */
  size: number;
  /** systemTime of the first and last batch (ms); NaN while empty. */
  firstTime: number;
  lastTime: number;
  idxSeq: number[];
  idxPos: number[];
  idxTime: number[];
  /** Position of the last index entry, to space entries out. */
  lastIndexedPos: number;
}

export function segmentFile(dir: string, base: number): string {
  return path.join(dir, `${String(base).padStart(20, '0')}.log`);
}

export function indexFileOf(logFile: string): string {
  return logFile.replace(/\.log$/, '.idx');
}

export function newSegment(file: string, base: number): Segment {
  return {
    base,
    file,
    next: base,
    size: 0,
    firstTime: Number.NaN,
    lastTime: Number.NaN,
    idxSeq: [],
    idxPos: [],
    idxTime: [],
    lastIndexedPos: -Infinity,
  };
}

/** Records a frame in the segment's in-memory state (after it is written). */
export function noteFrame(
  seg: Segment,
  pos: number,
  base: number,
  count: number,
  time: number,
  length: number,
  indexIntervalBytes: number,
): void {
  if (pos - seg.lastIndexedPos >= indexIntervalBytes) {
    seg.idxSeq.push(base);
    seg.idxPos.push(pos);
    seg.idxTime.push(time);
    seg.lastIndexedPos = pos;
  }
  if (Number.isNaN(seg.firstTime)) seg.firstTime = time;
  seg.lastTime = time;
  seg.next = base + count;
  seg.size = pos + length;
}

export interface ScanResult {
  /** Bytes of whole, valid frames from the start. */
  validSize: number;
  /** Actual file size (validSize < fileSize means a torn or corrupt tail). */
  fileSize: number;
}

/**
 * Scans a segment file from the start, checking every frame's header, sequence continuity and (when
 * `verifyCrc`) its CRC; fills `seg` with what is valid. Stops at the first bad frame.
 */
export async function scanSegment(
  seg: Segment,
  verifyCrc: boolean,
  indexIntervalBytes: number,
): Promise<ScanResult> {
  const fh = await fsp.open(seg.file, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    let buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    let bufStart = 0;
    let bufEnd = 0;
    let pos = 0;
    let expected = seg.base;
    for (;;) {
      let h = readHeader(buf, pos - bufStart, bufEnd - bufStart);
      if (h === undefined || (!('bad' in h) && pos + h.length > bufEnd)) {
        if (bufEnd >= fileSize) break;
        const need = h && !('bad' in h) ? h.length : FRAME_HEADER;
        if (need > buf.length) buf = Buffer.allocUnsafe(need);
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        bufStart = pos;
        bufEnd = pos + bytesRead;
        h = readHeader(buf, 0, bytesRead);
        if (h === undefined || (!('bad' in h) && h.length > bytesRead)) break;
      }
      if ('bad' in h) break;
      const off = pos - bufStart;
      if (h.baseSequence !== expected || h.count === 0) break;
      if (verifyCrc && !frameCrcOk(buf, off, h.length)) break;
      noteFrame(seg, pos, h.baseSequence, h.count, h.systemTime, h.length, indexIntervalBytes);
      expected += h.count;
      pos += h.length;
    }
    return { validSize: pos, fileSize };
  } finally {
    await fh.close();
  }
}

const IDX_ENTRY = 24;
const IDX_TRAILER = 36;

/** Writes a sealed segment's index: entries (f64 seq, pos, time), then next, size, first/last time and a CRC. */
export async function writeIndex(seg: Segment): Promise<void> {
  const n = seg.idxSeq.length;
  const buf = Buffer.allocUnsafe(n * IDX_ENTRY + IDX_TRAILER);
  for (let i = 0; i < n; i++) {
    buf.writeDoubleLE(seg.idxSeq[i], i * IDX_ENTRY);
    buf.writeDoubleLE(seg.idxPos[i], i * IDX_ENTRY + 8);
    buf.writeDoubleLE(seg.idxTime[i], i * IDX_ENTRY + 16);
  }
  const t = n * IDX_ENTRY;
  buf.writeDoubleLE(seg.next, t);
  buf.writeDoubleLE(seg.size, t + 8);
  buf.writeDoubleLE(seg.firstTime, t + 16);
  buf.writeDoubleLE(seg.lastTime, t + 24);
  buf.writeUInt32LE(crc32c(buf, 0, t + 32), t + 32);
  await fsp.writeFile(indexFileOf(seg.file), buf);
}

/**
 * Loads a sealed segment's index into `seg` when the index file exists, its CRC matches and it describes the
 * log file's current size. Returns false otherwise (the caller rescans the log).
 */
export async function loadIndex(seg: Segment, logSize: number): Promise<boolean> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(indexFileOf(seg.file));
  } catch {
    return false;
  }
  if (buf.length < IDX_TRAILER || (buf.length - IDX_TRAILER) % IDX_ENTRY !== 0) return false;
  const t = buf.length - IDX_TRAILER;
  if (buf.readUInt32LE(t + 32) !== crc32c(buf, 0, t + 32)) return false;
  if (buf.readDoubleLE(t + 8) !== logSize) return false;
  for (let i = 0; i < t; i += IDX_ENTRY) {
    seg.idxSeq.push(buf.readDoubleLE(i));
    seg.idxPos.push(buf.readDoubleLE(i + 8));
    seg.idxTime.push(buf.readDoubleLE(i + 16));
  }
  seg.next = buf.readDoubleLE(t);
  seg.size = logSize;
  seg.firstTime = buf.readDoubleLE(t + 16);
  seg.lastTime = buf.readDoubleLE(t + 24);
  return true;
}

/** Index of the last entry with `keys[i] <= v` (or -1). `keys` is sorted ascending. */
export function floorIndex(keys: readonly number[], v: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] <= v) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
