import { LakecastError } from '../shared/errors.js';
import type { AssignmentStrategy, GroupAssignment, Hub, HubRecord } from './types.js';

export interface ConsumeOptions {
  /** Stable id to rejoin as after a restart; minted by the hub when omitted. */
  readonly consumerId?: string;
  /** Default 10,000 ms. */
  readonly sessionTimeoutMs?: number;
  /** Default a third of the session timeout. */
  readonly heartbeatMs?: number;
  readonly strategy?: AssignmentStrategy;
  /** Where to start on a shard with no committed offset (or an expired one). Default `OLDEST`. */
  readonly startFrom?: 'OLDEST' | 'LATEST';
  /** Records per read, 1..1000. Default 1000. */
  readonly limit?: number;
  /** Long-poll time while nothing is available. Default 1,000 ms. */
  readonly waitMs?: number;
  /** Stops the iteration (the consumer leaves the group). */
  readonly signal?: AbortSignal;
}

/** A batch of one shard's records. Call `commit()` once processed (at-least-once delivery). */
export interface ConsumedBatch {
  readonly shardId: number;
  readonly records: readonly HubRecord[];
  /** Sequence after the last record; what `commit()` stores. */
  readonly nextSequence: number;
  readonly generation: number;
  /** Commits `nextSequence` for the shard, fenced by the generation (LC_HUB_STALE_GENERATION after a rebalance). */
  commit(): Promise<void>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/**
 * Consumes a topic through a subscription as a member of its consumer group: joins, heartbeats, follows
 * rebalances, resumes each owned shard from the committed offset and yields record batches. Works over any
 * {@link Hub} (embedded, NATS, HTTP client). This is how the archiver, stream jobs and sinks read the hub.
 */
export async function* consume(
  hub: Hub,
  project: string,
  topic: string,
  subscriptionId: string,
  options: ConsumeOptions = {},
): AsyncGenerator<ConsumedBatch, void, undefined> {
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? Math.floor(sessionTimeoutMs / 3);
  const waitMs = options.waitMs ?? 1000;
  const signal = options.signal;
  let assignment: GroupAssignment = await hub.joinGroup(project, topic, subscriptionId, {
    sessionTimeoutMs,
    ...(options.consumerId ? { consumerId: options.consumerId } : {}),
    ...(options.strategy ? { strategy: options.strategy } : {}),
  });
  const consumerId = assignment.consumerId;
  /** Cursor per owned shard, resolved lazily from the committed offsets. */
  let cursors = new Map<number, string | undefined>();
  const adopt = (a: GroupAssignment) => {
    const next = new Map<number, string | undefined>();
    for (const s of a.shards)
      next.set(s, a.generation === assignment.generation ? cursors.get(s) : undefined);
    assignment = a;
    cursors = next;
  };
  adopt(assignment);
  let beating: Promise<void> | undefined;
  let beatError: unknown;
  const beat = async () => {
    try {
      const a = await hub.heartbeat(project, topic, subscriptionId, consumerId);
      if (a.generation !== assignment.generation) adopt(a);
    } catch (err) {
      if (!(err instanceof LakecastError && err.code === 'LC_HUB_CONSUMER_NOT_FOUND')) throw err;
      // Expired (e.g. a long pause): join again under the same id.
      adopt(await hub.joinGroup(project, topic, subscriptionId, { consumerId, sessionTimeoutMs }));
    }
  };
  // Heartbeats run on a timer so membership survives while the caller processes a batch.
  const timer = setInterval(() => {
    if (beating) return;
    beating = beat()
      .catch((err: unknown) => {
        beatError = err;
      })
      .finally(() => {
        beating = undefined;
      });
  }, heartbeatMs);
  const cursorFor = async (shardId: number): Promise<string> => {
    const known = cursors.get(shardId);
    if (known) return known;
    const committed = (await hub.getOffsets(project, topic, subscriptionId)).find(
      (o) => o.shardId === shardId,
    );
    let c: string | undefined;
    if (committed) {
      try {
        c = (
          await hub.getCursor(project, topic, shardId, {
            type: 'SEQUENCE',
            parameter: committed.nextSequence,
          })
        ).cursor;
      } catch (err) {
        if (!(err instanceof LakecastError && err.code === 'LC_HUB_CURSOR_EXPIRED')) throw err;
      }
    }
    if (!c) {
      const type = committed ? 'OLDEST' : (options.startFrom ?? 'OLDEST');
      const r = await hub.getCursor(project, topic, shardId, { type });
      // LATEST points at the last record (DataHub's meaning): start after it.
      c =
        type === 'LATEST'
          ? (await hub.getRecords(project, topic, shardId, { cursor: r.cursor, limit: 1 })).nextCursor
          : r.cursor;
    }
    if (cursors.has(shardId)) cursors.set(shardId, c);
    return c;
  };

  try {
    while (!signal?.aborted) {
      if (beatError) throw beatError;
      const shards = [...cursors.keys()];
      if (shards.length === 0) {
        await sleep(Math.min(heartbeatMs, waitMs), signal);
        continue;
      }
      let got = 0;
      for (const shardId of shards) {
        if (signal?.aborted || !cursors.has(shardId)) break;
        const generation = assignment.generation;
        const cursor = await cursorFor(shardId);
        const wait = shards.length === 1 ? Math.min(waitMs, heartbeatMs) : 0;
        const r = await hub.getRecords(project, topic, shardId, {
          cursor,
          waitMs: wait,
          ...(options.limit ? { limit: options.limit } : {}),
          ...(signal ? { signal } : {}),
        });
        if (!cursors.has(shardId) || assignment.generation !== generation) break; // rebalanced meanwhile
        cursors.set(shardId, r.nextCursor);
        if (r.records.length === 0) continue;
        got += r.records.length;
        yield {
          shardId,
          records: r.records,
          nextSequence: r.nextSequence,
          generation,
          commit: () =>
            hub.commitOffsets(project, topic, subscriptionId, {
              consumerId,
              generation,
              offsets: [{ shardId, nextSequence: r.nextSequence }],
            }),
        };
      }
      if (got === 0 && shards.length > 1) await sleep(Math.min(200, waitMs), signal);
    }
  } finally {
    clearInterval(timer);
    await beating;
    await hub.leaveGroup(project, topic, subscriptionId, consumerId).catch(() => undefined);
  }
}
