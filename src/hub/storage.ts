import type { TopicMeta } from './model/metadata.js';
import type { EncodedRecord, StoredRecord } from './model/record-codec.js';
import type { CommittedOffset, ShardOffset, ShardStats } from './types.js';

/**
 * What a hub back-end stores: records per topic shard. {@link HubCore} does validation, cursors,
 * subscriptions and groups on top, so every back-end behaves the same at the {@link Hub} interface.
 */
export interface TopicStorage {
  createTopic(topic: TopicMeta): Promise<void>;
  /** Raise the shard count (new shards start empty). */
  resizeTopic(topic: TopicMeta, shardCount: number): Promise<void>;
  /** Lifecycle changed. */
  updateRetention(topic: TopicMeta): Promise<void>;
  deleteTopic(topic: TopicMeta): Promise<void>;
  /** Appends records (already routed); returns each one's sequence, in input order. All or nothing per call when possible. */
  append(topic: TopicMeta, records: readonly EncodedRecord[]): Promise<number[]>;
  stats(topic: TopicMeta, shardId: number): Promise<ShardStats>;
  /** Sequence of the last record on the shard, or undefined when empty. */
  lastSequence(topic: TopicMeta, shardId: number): Promise<number | undefined>;
  /** First sequence with systemTime ≥ time (ms), or the shard's next sequence. */
  sequenceAtTime(topic: TopicMeta, shardId: number, time: number): Promise<number>;
  /**
   * Checks that `seq` is a readable position of the shard: LC_HUB_CURSOR_EXPIRED when records before it may have
   * been deleted by retention, LC_HUB_CURSOR_INVALID when it is past the end.
   */
  checkPosition(topic: TopicMeta, shardId: number, seq: number): Promise<void>;
  /**
   * Reads up to `limit` records of the shard from `fromSeq`; `next` is where to continue. Throws
   * LC_HUB_CURSOR_EXPIRED when `fromSeq` is before the oldest record.
   */
  read(
    topic: TopicMeta,
    shardId: number,
    fromSeq: number,
    limit: number,
  ): Promise<{ records: StoredRecord[]; next: number }>;
  /** Resolves when a record at or after `seq` may exist on the shard, after `ms`, or on abort. */
  waitFor(topic: TopicMeta, shardId: number, seq: number, ms: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Committed subscription offsets, persisted. */
export interface OffsetStore {
  read(subscriptionId: string): Promise<CommittedOffset[]>;
  /** Merges `offsets` into the subscription's committed offsets, durably. */
  commit(subscriptionId: string, offsets: readonly ShardOffset[], at: number): Promise<void>;
  drop(subscriptionId: string): Promise<void>;
}
