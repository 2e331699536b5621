import { randomBytes } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { createInbox, headers, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { hubError } from '../errors.js';
import type { TopicMeta } from '../model/metadata.js';
import type { EncodedRecord, StoredRecord } from '../model/record-codec.js';
import type { TopicStorage } from '../storage.js';
import type { ShardStats } from '../types.js';

const DAY_NS = 86_400_000_000_000;
const KEY_HEADER = 'Lc-Key';
const ATTR_HEADER = 'Lc-Attrs';

interface Reader {
  readonly consumer: string;
  /** Stream sequence the consumer delivers next (as far as we know). */
  next: number;
  busy: boolean;
}

/**
 * {@link TopicStorage} on NATS JetStream: one stream per topic (`<prefix>_T_<uid>`, file storage, `max_age` =
 * lifecycle), one subject per shard (`<prefix>.t.<uid>.<shard>`). A shard's sequence numbers are the stream's
 * sequences of its messages: increasing, but with gaps where other shards' messages are (documented).
 * Reads use one ephemeral pull consumer per shard reader, filtered on the shard subject, pulled with
 * `no_wait` so an empty shard answers at once.
 */
export class NatsStorage implements TopicStorage {
  private readonly readers = new Map<string, Reader>();
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly prefix: string,
    private readonly replicas = 1,
  ) {}

  streamName(t: TopicMeta): string {
    return `${this.prefix}_T_${t.uid}`;
  }

  subject(t: TopicMeta, shardId: number): string {
    return `${this.prefix}.t.${t.uid}.${shardId}`;
  }

  async createTopic(t: TopicMeta): Promise<void> {
    await this.jsm.streams.add({
      name: this.streamName(t),
      subjects: [`${this.prefix}.t.${t.uid}.*`],
      storage: StorageType.File,
      max_age: t.lifecycleDays * DAY_NS,
      duplicate_window: 120_000_000_000,
      allow_direct: true,
      num_replicas: this.replicas,
    });
  }

  async resizeTopic(): Promise<void> {
    // The stream's subject is a wildcard over shard ids: new shards need no stream change.
  }

  async updateRetention(t: TopicMeta): Promise<void> {
    const info = await this.jsm.streams.info(this.streamName(t));
    await this.jsm.streams.update(this.streamName(t), { ...info.config, max_age: t.lifecycleDays * DAY_NS });
  }

  async deleteTopic(t: TopicMeta): Promise<void> {
    for (const [k, r] of [...this.readers]) {
      if (!k.startsWith(`${t.uid}/`)) continue;
      this.readers.delete(k);
      await this.jsm.consumers.delete(this.streamName(t), r.consumer).catch(() => undefined);
    }
    await this.jsm.streams.delete(this.streamName(t)).catch((err: Error) => {
      if (!/not found/i.test(err.message)) throw err;
    });
  }

  async append(t: TopicMeta, records: readonly EncodedRecord[]): Promise<number[]> {
    // Nats-Msg-Id: the library retries a publish that got no answer; the id makes such a retry a duplicate
    // the stream drops (within its 2-minute window) instead of a second copy.
    const batch = randomBytes(8).toString('hex');
    const acks = await Promise.all(
      records.map((r, i) => {
        let h: MsgHdrs | undefined;
        if (r.partitionKey !== undefined || r.attributes !== undefined) {
          h = headers();
          if (r.partitionKey !== undefined) h.set(KEY_HEADER, encodeURIComponent(r.partitionKey));
          if (r.attributes !== undefined) h.set(ATTR_HEADER, encodeURIComponent(r.attributes));
        }
        return this.js.publish(this.subject(t, r.shardId), r.data, {
          msgID: `${batch}-${i}`,
          retries: 2,
          ...(h ? { headers: h } : {}),
        });
      }),
    );
    return acks.map((a) => a.seq);
  }

  private async streamState(t: TopicMeta, shardId?: number) {
    const info = await this.jsm.streams.info(
      this.streamName(t),
      shardId === undefined ? {} : { subjects_filter: this.subject(t, shardId) },
    );
    return info.state;
  }

  async stats(t: TopicMeta, shardId: number): Promise<ShardStats> {
    const state = await this.streamState(t, shardId);
    const subj = this.subject(t, shardId);
    const records = (state.subjects as Record<string, number> | undefined)?.[subj] ?? 0;
    const end = state.last_seq + 1;
    let first = end;
    let last: number | undefined;
    if (records > 0) {
      last = await this.lastSequence(t, shardId);
      const m = await this.jsm.streams
        // STREAM.MSG.GET accepts next_by_subj (server ≥ 2.9) though the client's MsgRequest type omits it.
        .getMessage(this.streamName(t), { seq: 0, next_by_subj: subj } as never)
        .catch(() => null);
      first = m?.seq ?? state.first_seq;
    }
    return {
      shardId,
      firstSequence: first,
      nextSequence: end,
      ...(last !== undefined ? { lastSequence: last } : {}),
      records,
      // JetStream reports bytes per stream, not per subject: this is the shard's share by message count.
      bytes: state.messages > 0 ? Math.round((state.bytes * records) / state.messages) : 0,
    };
  }

  async lastSequence(t: TopicMeta, shardId: number): Promise<number | undefined> {
    try {
      const m = await this.jsm.streams.getMessage(this.streamName(t), {
        last_by_subj: this.subject(t, shardId),
      });
      return m?.seq;
    } catch (err) {
      if (/no message found|not found/i.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  async sequenceAtTime(t: TopicMeta, shardId: number, time: number): Promise<number> {
    const stream = this.streamName(t);
    const ci = await this.jsm.consumers.add(stream, {
      filter_subject: this.subject(t, shardId),
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(time).toISOString(),
      ack_policy: AckPolicy.None,
      inactive_threshold: 30_000_000_000,
      mem_storage: true,
    });
    try {
      const msgs = await this.pull(stream, ci.name, 1);
      if (msgs.length > 0) return msgs[0].sequence;
      return (await this.streamState(t)).last_seq + 1;
    } finally {
      await this.jsm.consumers.delete(stream, ci.name).catch(() => undefined);
    }
  }

  /** One pull request with no_wait; resolves with what the consumer had (up to `batch`). */
  private pull(stream: string, consumer: string, batch: number): Promise<StoredRecord[]> {
    const inbox = createInbox();
    const out: StoredRecord[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(hubError('HUB_BACKEND_UNAVAILABLE', 'JetStream pull timed out'));
      }, 10_000);
      const finish = () => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(out);
      };
      const sub = this.nc.subscribe(inbox, {
        callback: (err: Error | null, m: Msg) => {
          if (err) {
            clearTimeout(timer);
            reject(err);
            return;
          }
          if (m.headers?.code && m.data.length === 0) {
            // 404 No Messages / 408 Request Timeout / 409: end of this pull.
            finish();
            return;
          }
          out.push(toStored(m));
          if (out.length >= batch) finish();
        },
      });
      this.nc.publish(
        `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
        JSON.stringify({ batch, no_wait: true }),
        {
          reply: inbox,
        },
      );
    });
  }

  /**
   * Stream-level check: JetStream's `max_age` deletes the stream's oldest messages, so a position before the
   * stream's first sequence may have lost records of this shard (conservatively: expired). A fresh stream has
   * first_seq 0 or 1 and nothing is expired.
   */
  async checkPosition(t: TopicMeta, _shardId: number, seq: number): Promise<void> {
    const state = await this.streamState(t);
    if (seq < state.first_seq && state.first_seq > 1) {
      throw hubError(
        'HUB_CURSOR_EXPIRED',
        `sequence ${seq} is before the oldest stored message ${state.first_seq} (retention)`,
      );
    }
    if (seq > state.last_seq + 1) {
      throw hubError(
        'HUB_CURSOR_INVALID',
        `sequence ${seq} is after the end of the shard (${state.last_seq + 1})`,
      );
    }
  }

  async read(
    t: TopicMeta,
    shardId: number,
    fromSeq: number,
    limit: number,
  ): Promise<{ records: StoredRecord[]; next: number }> {
    const stream = this.streamName(t);
    await this.checkPosition(t, shardId, fromSeq);
    const key = `${t.uid}/${shardId}`;
    let r = this.readers.get(key);
    if (r && (r.busy || r.next !== fromSeq)) {
      if (!r.busy) {
        this.readers.delete(key);
        void this.jsm.consumers.delete(stream, r.consumer).catch(() => undefined);
      }
      r = undefined;
    }
    if (!r) {
      const ci = await this.jsm.consumers.add(stream, {
        filter_subject: this.subject(t, shardId),
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, fromSeq),
        ack_policy: AckPolicy.None,
        inactive_threshold: 60_000_000_000,
        mem_storage: true,
      });
      r = { consumer: ci.name, next: fromSeq, busy: false };
      if (!this.readers.has(key)) this.readers.set(key, r);
    }
    r.busy = true;
    try {
      const records = await this.pull(stream, r.consumer, limit);
      const next = records.length > 0 ? records[records.length - 1].sequence + 1 : fromSeq;
      r.next = next;
      return { records, next };
    } catch (err) {
      this.readers.delete(key);
      throw err;
    } finally {
      r.busy = false;
    }
  }

  async waitFor(t: TopicMeta, shardId: number, seq: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return;
    // JetStream messages are also delivered to core subscribers of the subject: wake on the next one.
    const sub = this.nc.subscribe(this.subject(t, shardId), { max: 1 });
    try {
      await this.nc.flush();
      const last = await this.lastSequence(t, shardId);
      if (last !== undefined && last >= seq) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        void (async () => {
          for await (const _m of sub) break;
          done();
        })();
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
      });
    } finally {
      sub.unsubscribe();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readers.clear(); // ephemeral consumers expire on their own (inactive_threshold)
  }
}

/** Parses a pulled message: stream sequence and time from the `$JS.ACK` reply subject, key and attributes from headers. */
function toStored(m: Msg): StoredRecord {
  // v1: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
  // v2: $JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>.<token>
  const tok = (m.reply ?? '').split('.');
  const v2 = tok.length >= 12;
  const sseq = Number(tok[v2 ? 7 : 5]);
  const tsNanos = BigInt(tok[v2 ? 9 : 7] ?? '0');
  const rec: {
    sequence: number;
    systemTime: number;
    data: Uint8Array;
    partitionKey?: string;
    attributes?: string;
  } = {
    sequence: sseq,
    systemTime: Number(tsNanos / 1_000_000n),
    data: m.data,
  };
  const key = m.headers?.get(KEY_HEADER);
  if (key) rec.partitionKey = decodeURIComponent(key);
  const attrs = m.headers?.get(ATTR_HEADER);
  if (attrs) rec.attributes = decodeURIComponent(attrs);
  return rec;
}
