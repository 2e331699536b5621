import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { hubError } from '../errors.js';
import type { TopicMeta } from '../model/metadata.js';
import type { EncodedRecord, StoredRecord } from '../model/record-codec.js';
import type { TopicStorage } from '../storage.js';
import type { ShardStats } from '../types.js';
import { FdPool } from './fd-pool.js';
import { type DurabilityPolicy, ShardLog } from './shard-log.js';

export interface EmbeddedStorageOptions {
  /** Topics live under `<dir>/<project>/<topic>.<uid>/<shard>/`. */
  readonly dir: string;
  readonly durability: DurabilityPolicy;
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly indexIntervalBytes: number;
  readonly maxOpenFiles: number;
  readonly verifyOnOpen: 'tail' | 'all';
  readonly clock: () => number;
  readonly onRecover?: (info: { file: string; validSize: number; fileSize: number }) => void;
}

const DAY_MS = 86_400_000;

/** {@link TopicStorage} on the local disk: one {@link ShardLog} per shard, opened lazily, sharing one {@link FdPool}. */
export class EmbeddedStorage implements TopicStorage {
  readonly pool: FdPool;
  private readonly shards = new Map<string, Promise<ShardLog>>();
  private readonly topics = new Map<string, TopicMeta>();
  private readonly syncTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: EmbeddedStorageOptions) {
    this.pool = new FdPool(opts.maxOpenFiles);
    if (opts.durability.mode === 'interval') {
      this.syncTimer = setInterval(
        () => void this.syncAll().catch(() => undefined),
        opts.durability.intervalMs,
      );
      this.syncTimer.unref();
    }
  }

  private topicDir(t: TopicMeta): string {
    return path.join(this.opts.dir, t.project, `${t.name}.${t.uid}`);
  }

  private shard(t: TopicMeta, shardId: number): Promise<ShardLog> {
    if (this.closed) return Promise.reject(hubError('HUB_CLOSED', 'hub is closed'));
    const key = `${t.uid}/${shardId}`;
    let p = this.shards.get(key);
    if (!p) {
      this.topics.set(t.uid, t);
      p = ShardLog.open({
        dir: path.join(this.topicDir(t), String(shardId)),
        pool: this.pool,
        durability: this.opts.durability,
        segmentBytes: this.opts.segmentBytes,
        segmentMs: this.opts.segmentMs,
        indexIntervalBytes: this.opts.indexIntervalBytes,
        clock: this.opts.clock,
        verifyOnOpen: this.opts.verifyOnOpen,
        ...(this.opts.onRecover ? { onRecover: this.opts.onRecover } : {}),
      });
      p.catch(() => this.shards.delete(key));
      this.shards.set(key, p);
    }
    return p;
  }

  async createTopic(t: TopicMeta): Promise<void> {
    for (let s = 0; s < t.shardCount; s++) await this.shard(t, s);
  }

  async resizeTopic(t: TopicMeta, shardCount: number): Promise<void> {
    this.topics.set(t.uid, t);
    for (let s = 0; s < shardCount; s++) await this.shard(t, s);
  }

  async updateRetention(t: TopicMeta): Promise<void> {
    this.topics.set(t.uid, t);
  }

  async deleteTopic(t: TopicMeta): Promise<void> {
    for (const [key, p] of [...this.shards]) {
      if (!key.startsWith(`${t.uid}/`)) continue;
      this.shards.delete(key);
      await (await p.catch(() => undefined))?.close();
    }
    this.topics.delete(t.uid);
    await fsp.rm(this.topicDir(t), { recursive: true, force: true });
  }

  async append(t: TopicMeta, records: readonly EncodedRecord[]): Promise<number[]> {
    const byShard = new Map<number, number[]>();
    for (let i = 0; i < records.length; i++) {
      const s = records[i].shardId;
      let list = byShard.get(s);
      if (!list) {
        list = [];
        byShard.set(s, list);
      }
      list.push(i);
    }
    const seqs = new Array<number>(records.length);
    await Promise.all(
      [...byShard].map(async ([shardId, idx]) => {
        const log = await this.shard(t, shardId);
        const batch = idx.length === records.length ? records : idx.map((i) => records[i]);
        const base = await log.append(batch);
        for (let k = 0; k < idx.length; k++) seqs[idx[k]] = base + k;
      }),
    );
    return seqs;
  }

  async stats(t: TopicMeta, shardId: number): Promise<ShardStats> {
    const log = await this.shard(t, shardId);
    return {
      shardId,
      firstSequence: log.firstSequence,
      nextSequence: log.nextSequence,
      ...(log.nextSequence > log.firstSequence ? { lastSequence: log.nextSequence - 1 } : {}),
      records: log.nextSequence - log.firstSequence,
      bytes: log.bytes,
    };
  }

  async lastSequence(t: TopicMeta, shardId: number): Promise<number | undefined> {
    const log = await this.shard(t, shardId);
    return log.nextSequence > log.firstSequence ? log.nextSequence - 1 : undefined;
  }

  async sequenceAtTime(t: TopicMeta, shardId: number, time: number): Promise<number> {
    return (await this.shard(t, shardId)).sequenceAtTime(time);
  }

  async checkPosition(t: TopicMeta, shardId: number, seq: number): Promise<void> {
    const log = await this.shard(t, shardId);
    checkRange(seq, log.firstSequence, log.nextSequence);
  }

  async read(
    t: TopicMeta,
    shardId: number,
    fromSeq: number,
    limit: number,
  ): Promise<{ records: StoredRecord[]; next: number }> {
    const log = await this.shard(t, shardId);
    checkRange(fromSeq, log.firstSequence, log.nextSequence);
    const records = await log.read(fromSeq, limit);
    return { records, next: records.length > 0 ? records[records.length - 1].sequence + 1 : fromSeq };
  }

  async waitFor(t: TopicMeta, shardId: number, seq: number, ms: number, signal?: AbortSignal): Promise<void> {
    await (await this.shard(t, shardId)).waitFor(seq, ms, signal);
  }

  /** fsyncs every shard with unsynced writes (interval policy). */
  async syncAll(): Promise<void> {
    for (const p of this.shards.values()) await (await p.catch(() => undefined))?.sync();
  }

  /**
   * Deletes segments older than each topic's lifecycle on every shard of `topics`. Returns segments deleted.
   */
  async applyRetention(topics: readonly TopicMeta[]): Promise<number> {
    let n = 0;
    const now = this.opts.clock();
    for (const t of topics) {
      for (let s = 0; s < t.shardCount; s++) {
        n += await (await this.shard(t, s)).applyRetention(now - t.lifecycleDays * DAY_MS);
      }
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    for (const p of this.shards.values()) await (await p.catch(() => undefined))?.close();
    this.shards.clear();
    await this.pool.closeAll();
  }
}

/** Positions in [first, next] are readable; before first retention deleted records; after next is not a position. */
export function checkRange(seq: number, first: number, next: number): void {
  if (seq < first) {
    throw hubError('HUB_CURSOR_EXPIRED', `sequence ${seq} is before the oldest record ${first} (retention)`);
  }
  if (seq > next)
    throw hubError('HUB_CURSOR_INVALID', `sequence ${seq} is after the end of the shard (${next})`);
}
