import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { hubError } from '../errors.js';
import type { FdPool } from './fd-pool.js';
import {
  encodeFrame,
  frameCrcOk,
  type LogRecordInput,
  type ParsedRecord,
  parseFrame,
  readHeader,
} from './frame.js';
import {
  floorIndex,
  indexFileOf,
  loadIndex,
  newSegment,
  noteFrame,
  type Segment,
  scanSegment,
  segmentFile,
  writeIndex,
} from './segment.js';

/** `batch`: fsync (fdatasync) each batch before acknowledging it. `interval`: fsync dirty shards every `intervalMs`. */
export type DurabilityPolicy =
  | { readonly mode: 'batch' }
  | { readonly mode: 'interval'; readonly intervalMs: number };

export interface ShardLogOptions {
  readonly dir: string;
  readonly pool: FdPool;
  readonly durability: DurabilityPolicy;
  /** Roll to a new segment past this size. */
  readonly segmentBytes: number;
  /** Roll to a new segment when the active one's first batch is older than this (retention granularity). */
  readonly segmentMs: number;
  readonly indexIntervalBytes: number;
  readonly clock: () => number;
  /** `tail`: verify CRCs of the last segment on open (torn tail); `all`: of every segment. */
  readonly verifyOnOpen: 'tail' | 'all';
  readonly onRecover?: (info: { file: string; validSize: number; fileSize: number }) => void;
}

interface Pending {
  readonly records: readonly LogRecordInput[];
  readonly resolve: (base: number) => void;
  readonly reject: (err: unknown) => void;
}

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * One shard's append-only log: ordered segments, group commit (appends queued while a write or fsync is in
 * flight go out together in the next write), readers that never see unacknowledged bytes.
 */
export class ShardLog {
  private readonly segments: Segment[] = [];
  private queue: Pending[] = [];
  private writing = false;
  private dirty = false;
  private broken: unknown;
  private lastTime = 0;
  private waiters = new Set<Waiter>();
  /** Serializes writes with retention and close. */
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly opts: ShardLogOptions) {}

  /** Opens (or creates) the shard in `opts.dir`, recovering a torn tail. */
  static async open(opts: ShardLogOptions): Promise<ShardLog> {
    const log = new ShardLog(opts);
    await log.recover();
    return log;
  }

  get firstSequence(): number {
    return this.segments[0].base;
  }

  get nextSequence(): number {
    return this.active.next;
  }

  get bytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private async recover(): Promise<void> {
    const created = await fsp.mkdir(this.opts.dir, { recursive: true });
    if (created) {
      // New directories must survive a power loss too: fsync each new one's parent, deepest first.
      for (let d = this.opts.dir; ; d = path.dirname(d)) {
        await fsyncDir(path.dirname(d));
        if (d === created || path.dirname(d) === d) break;
      }
    }
    const names = (await fsp.readdir(this.opts.dir)).filter((n) => /^\d{20}\.log$/.test(n)).sort();
    for (let i = 0; i < names.length; i++) {
      const base = Number(names[i].slice(0, 20));
      const seg = newSegment(segmentFile(this.opts.dir, base), base);
      const last = i === names.length - 1;
      const size = (await fsp.stat(seg.file)).size;
      if (!last && this.opts.verifyOnOpen === 'tail' && (await loadIndex(seg, size))) {
        this.segments.push(seg);
        continue;
      }
      const r = await scanSegment(seg, true, this.opts.indexIntervalBytes);
      if (r.validSize < r.fileSize) {
        const nextBase = last ? Number.NaN : Number(names[i + 1].slice(0, 20));
        if (!last && seg.next !== nextBase) {
          throw hubError(
            'HUB_CORRUPT',
            `segment ${seg.file} is corrupt at byte ${r.validSize} (not at its tail)`,
          );
        }
        // A torn tail: bytes of a batch that was never acknowledged (or trailing garbage). Drop them.
        this.opts.onRecover?.({ file: seg.file, validSize: r.validSize, fileSize: r.fileSize });
        const fh = await fsp.open(seg.file, 'r+');
        try {
          await fh.truncate(r.validSize);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      }
      if (!last) await writeIndex(seg);
      this.segments.push(seg);
    }
    if (this.segments.length === 0) this.segments.push(await this.createSegment(0));
    this.lastTime = Number.isNaN(this.active.lastTime) ? 0 : this.active.lastTime;
  }

  private async createSegment(base: number): Promise<Segment> {
    const file = segmentFile(this.opts.dir, base);
    const fh = await fsp.open(file, 'a');
    await fh.close();
    // The directory entry must be durable before a batch in it is acknowledged.
    await fsyncDir(this.opts.dir);
    return newSegment(file, base);
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.lock.then(fn, fn);
    this.lock = p.catch(() => undefined);
    return p;
  }

  /** Appends one batch; resolves with the sequence of its first record once durable per the policy. */
  append(records: readonly LogRecordInput[]): Promise<number> {
    if (this.closed) return Promise.reject(hubError('HUB_CLOSED', 'hub is closed'));
    if (this.broken)
      return Promise.reject(
        hubError('HUB_CORRUPT', 'shard is unwritable after an I/O error; reopen the hub', this.broken),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.withLock(() => this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const items = this.queue;
        this.queue = [];
        try {
          await this.writeItems(items);
        } catch (err) {
          for (const it of items) it.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeItems(items: Pending[]): Promise<void> {
    if (this.broken) throw hubError('HUB_CORRUPT', 'shard is unwritable after an I/O error', this.broken);
    let seg = this.active;
    const now = this.opts.clock();
    if (seg.size >= this.opts.segmentBytes || (seg.size > 0 && now - seg.firstTime >= this.opts.segmentMs)) {
      await this.roll();
      seg = this.active;
    }
    const time = Math.max(this.lastTime, now);
    const frames: Buffer[] = [];
    const bases: number[] = [];
    let seq = seg.next;
    let total = 0;
    for (const it of items) {
      const f = encodeFrame(it.records, seq, time);
      frames.push(f);
      bases.push(seq);
      seq += it.records.length;
      total += f.length;
    }
    const lease = await this.opts.pool.acquire(seg.file);
    try {
      const { bytesWritten } = await lease.fh.writev(frames, seg.size);
      if (bytesWritten !== total) throw new Error(`short write: ${bytesWritten} of ${total} bytes`);
      if (this.opts.durability.mode === 'batch') await lease.fh.datasync();
    } catch (err) {
      // Nothing of this write may survive: it was not acknowledged. If we cannot cut it off, stop writing.
      await lease.fh.truncate(seg.size).catch((e: unknown) => {
        this.broken = e;
      });
      throw hubError('HUB_BACKEND_UNAVAILABLE', `append failed: ${(err as Error).message}`, err);
    } finally {
      lease.release();
    }
    let pos = seg.size;
    for (let i = 0; i < frames.length; i++) {
      noteFrame(
        seg,
        pos,
        bases[i],
        items[i].records.length,
        time,
        frames[i].length,
        this.opts.indexIntervalBytes,
      );
      pos += frames[i].length;
    }
    this.lastTime = time;
    if (this.opts.durability.mode === 'interval') this.dirty = true;
    for (let i = 0; i < items.length; i++) items[i].resolve(bases[i]);
    this.wake();
  }

  private async roll(): Promise<void> {
    const old = this.active;
    if (this.opts.durability.mode === 'interval' && this.dirty) await this.syncNow();
    await writeIndex(old);
    this.segments.push(await this.createSegment(old.next));
  }

  /** fsyncs pending writes (interval policy); a no-op when nothing is dirty. */
  async sync(): Promise<void> {
    if (!this.dirty || this.closed) return;
    await this.syncNow();
  }

  private async syncNow(): Promise<void> {
    this.dirty = false;
    const lease = await this.opts.pool.acquire(this.active.file);
    try {
      await lease.fh.datasync();
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      lease.release();
    }
  }

  /**
   * Reads up to `max` records from `fromSeq` (which must be in [firstSequence, nextSequence]), continuing across
   * segments, stopping early once about `maxBytes` have been read. Verifies each frame's CRC.
   */
  async read(fromSeq: number, max: number, maxBytes = 8 * 1024 * 1024): Promise<ParsedRecord[]> {
    const out: ParsedRecord[] = [];
    let seq = fromSeq;
    let budget = maxBytes;
    while (out.length < max && seq < this.nextSequence && budget > 0) {
      const si = this.segmentIndexFor(seq);
      if (si < 0)
        throw hubError('HUB_CURSOR_EXPIRED', `sequence ${seq} is before the oldest record (retention)`);
      const seg = this.segments[si];
      if (seq >= seg.next) {
        // The segment is empty or ends before seq (only possible for the active one): nothing yet.
        break;
      }
      const ii = floorIndex(seg.idxSeq, seq);
      const start = ii < 0 ? 0 : seg.idxPos[ii];
      const before = out.length;
      // Read about what the wanted records take (the segment's average record size), not a fixed big chunk.
      const avg = seg.next > seg.base ? seg.size / (seg.next - seg.base) : 1024;
      const skip = seq - (ii < 0 ? seg.base : seg.idxSeq[ii]);
      const want = Math.ceil(avg * (skip + max - out.length) * 1.1) + 4096;
      const chunk = Math.min(budget, 4 * 1024 * 1024, want);
      const readBytes = await this.readSegment(seg, start, seq, max - out.length, chunk, out);
      budget -= readBytes;
      if (out.length === before) break;
      seq = out[out.length - 1].sequence + 1;
    }
    return out;
  }

  private async readSegment(
    seg: Segment,
    start: number,
    fromSeq: number,
    max: number,
    chunk: number,
    out: ParsedRecord[],
  ): Promise<number> {
    const end = seg.size;
    let lease: Awaited<ReturnType<FdPool['acquire']>>;
    try {
      lease = await this.opts.pool.acquire(seg.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw hubError('HUB_CURSOR_EXPIRED', `sequence ${fromSeq} was deleted by retention`);
      }
      throw err;
    }
    try {
      let pos = start;
      let taken = 0;
      let readTotal = 0;
      let size = Math.max(16 * 1024, Math.min(chunk, end - pos));
      while (pos < end && taken < max) {
        const want = Math.min(size, end - pos);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await lease.fh.read(buf, 0, want, pos);
        readTotal += bytesRead;
        let off = 0;
        for (;;) {
          const h = readHeader(buf, off, bytesRead);
          if (h === undefined) break;
          if ('bad' in h) throw hubError('HUB_CORRUPT', `bad frame header in ${seg.file} at ${pos + off}`);
          if (off + h.length > bytesRead) {
            if (off === 0) size = h.length; // a frame larger than the buffer: read it whole next time
            break;
          }
          if (h.baseSequence + h.count > fromSeq) {
            if (!frameCrcOk(buf, off, h.length))
              throw hubError('HUB_CORRUPT', `CRC mismatch in ${seg.file} at ${pos + off}`);
            const n = out.length;
            if (!parseFrame(buf, off, h, fromSeq, max - taken, out)) {
              throw hubError('HUB_CORRUPT', `bad frame layout in ${seg.file} at ${pos + off}`);
            }
            taken += out.length - n;
          }
          off += h.length;
          if (taken >= max) break;
        }
        pos += off;
        if (readTotal >= chunk && taken > 0) break;
      }
      return readTotal;
    } finally {
      lease.release();
    }
  }

  private segmentIndexFor(seq: number): number {
    const segs = this.segments;
    if (seq < segs[0].base) return -1;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].base <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First sequence whose systemTime is ≥ `time` (ms); `nextSequence` when there is none. */
  async sequenceAtTime(time: number): Promise<number> {
    for (const seg of this.segments) {
      if (seg.next === seg.base || seg.lastTime < time) continue;
      if (seg.firstTime >= time) return seg.base;
      // Batch times never decrease within a shard, so the index (sampled frames) is sorted by time too.
      const ii = floorIndex(seg.idxTime, time - 1);
      let seq = ii < 0 ? seg.base : seg.idxSeq[ii];
      for (;;) {
        const recs = await this.read(seq, 1000, 1024 * 1024);
        if (recs.length === 0) return this.nextSequence;
        const hit = recs.find((r) => r.systemTime >= time);
        if (hit) return hit.sequence;
        seq = recs[recs.length - 1].sequence + 1;
      }
    }
    return this.nextSequence;
  }

  /** Time of the last record (ms), or undefined when the shard is empty. */
  get lastRecordTime(): number | undefined {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      if (!Number.isNaN(this.segments[i].lastTime)) return this.segments[i].lastTime;
    }
    return undefined;
  }

  /**
   * Deletes whole segments whose newest batch is older than `cutoff` (ms). The active segment is rolled first
   * when it is old, so sequence numbering continues. Returns the number of segments deleted.
   */
  applyRetention(cutoff: number): Promise<number> {
    return this.withLock(async () => {
      if (this.closed) return 0;
      const act = this.active;
      if (act.size > 0 && act.lastTime < cutoff) await this.roll();
      let deleted = 0;
      while (this.segments.length > 1 && this.segments[0].size > 0 && this.segments[0].lastTime < cutoff) {
        const seg = this.segments.shift() as Segment;
        await this.opts.pool.forget(seg.file);
        await fsp.rm(seg.file, { force: true });
        await fsp.rm(indexFileOf(seg.file), { force: true });
        deleted++;
      }
      // Empty sealed segments (left by rolls) in front of the active one are removed too.
      while (this.segments.length > 1 && this.segments[0].size === 0) {
        const seg = this.segments.shift() as Segment;
        await this.opts.pool.forget(seg.file);
        await fsp.rm(seg.file, { force: true });
        await fsp.rm(indexFileOf(seg.file), { force: true });
      }
      return deleted;
    });
  }

  /** Resolves when a record with sequence ≥ `seq` exists, after `ms`, or on abort — whichever comes first. */
  waitFor(seq: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.nextSequence > seq || ms <= 0 || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(w);
        resolve();
      };
      const w: Waiter = { seq, resolve: done };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(w);
    });
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const next = this.nextSequence;
    for (const w of [...this.waiters]) if (next > w.seq) w.resolve();
  }

  /** Waits for in-flight appends, fsyncs, and releases the shard's files. Pending waiters return. */
  close(): Promise<void> {
    return this.withLock(async () => {
      if (this.closed) return;
      if (this.dirty) await this.syncNow();
      this.closed = true;
      for (const w of [...this.waiters]) w.resolve();
      for (const s of this.segments) await this.opts.pool.forget(s.file);
    });
  }

  /** Files of this shard (for deleting a topic). */
  get files(): string[] {
    return this.segments.map((s) => s.file);
  }
}

/** fsyncs a directory so entries created or renamed in it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fsp.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
