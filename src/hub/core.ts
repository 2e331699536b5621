import { randomBytes } from 'node:crypto';
import { CursorCodec } from './cursor.js';
import { hubError } from './errors.js';
import { GroupCoordinator } from './groups.js';
import type { HubMetadata, HubMetadataStore, TopicMeta } from './model/metadata.js';
import { checkName } from './model/names.js';
import { decodeRecord, type EncodedRecord, encodeBatch } from './model/record-codec.js';
import { checkLifecycle, checkShardCount, validateTopicSpec } from './model/schema.js';
import type { OffsetStore, TopicStorage } from './storage.js';
import {
  type AppendRecordResult,
  type AppendResult,
  type CommitRequest,
  type CommittedOffset,
  type CursorRequest,
  type CursorResult,
  type GetRecordsOptions,
  type GetRecordsResult,
  type GroupAssignment,
  HUB_LIMITS,
  type Hub,
  type JoinGroupRequest,
  type ProjectInfo,
  type ProjectSpec,
  type RecordInput,
  type SubscriptionInfo,
  type SubscriptionSpec,
  type TopicInfo,
  type TopicSpec,
  type TopicUpdate,
} from './types.js';

export interface HubCoreOptions {
  readonly metadata: HubMetadataStore;
  readonly storage: TopicStorage;
  readonly offsets: OffsetStore;
  /** HMAC key for cursors (≥ 16 bytes), stable across restarts. */
  readonly cursorSecret: Uint8Array;
  readonly clock?: () => number;
  /** Re-read metadata when a name is not found (other servers may have created it). Default false. */
  readonly refreshOnMiss?: boolean;
  /**
   * Re-read metadata when the cached copy is older than this (other servers may have changed a topic, e.g.
   * raised its shard count). Default: never (a single process owns the metadata).
   */
  readonly metadataTtlMs?: number;
  /** How often expired group members are swept. Default 1000 ms. */
  readonly groupSweepMs?: number;
}

/**
 * The back-end-independent part of a {@link Hub}: validation, metadata, cursors, subscriptions and consumer
 * groups. Back-ends supply a {@link TopicStorage} and an {@link OffsetStore}.
 */
export class HubCore implements Hub {
  private meta: HubMetadata | undefined;
  private metaLoadedAt = 0;
  private readonly cursors: CursorCodec;
  private readonly groups: GroupCoordinator;
  private readonly clock: () => number;
  private readonly rr = new Map<string, { next: number }>();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: HubCoreOptions) {
    this.cursors = new CursorCodec(opts.cursorSecret);
    this.clock = opts.clock ?? Date.now;
    this.groups = new GroupCoordinator(this.clock);
    this.sweepTimer = setInterval(() => {
      const meta = this.meta;
      if (!meta) return;
      this.groups.sweep((subId) => {
        const s = meta.subscriptions.find((x) => x.id === subId);
        return s
          ? meta.topics.find((t) => t.project === s.project && t.name === s.topic)?.shardCount
          : undefined;
      });
    }, opts.groupSweepMs ?? 1000);
    this.sweepTimer.unref();
  }

  protected get storage(): TopicStorage {
    return this.opts.storage;
  }

  private check(): void {
    if (this.closed) throw hubError('HUB_CLOSED', 'hub is closed');
  }

  private async metadata(): Promise<HubMetadata> {
    this.check();
    const ttl = this.opts.metadataTtlMs;
    if (!this.meta || (ttl !== undefined && Date.now() - this.metaLoadedAt > ttl)) {
      this.meta = await this.opts.metadata.read();
      this.metaLoadedAt = Date.now();
    }
    return this.meta;
  }

  private async update(mutate: (m: HubMetadata) => HubMetadata): Promise<HubMetadata> {
    this.check();
    this.meta = await this.opts.metadata.update(mutate);
    return this.meta;
  }

  private async find<T>(pick: (m: HubMetadata) => T | undefined): Promise<T | undefined> {
    const hit = pick(await this.metadata());
    if (hit !== undefined || !this.opts.refreshOnMiss) return hit;
    this.meta = await this.opts.metadata.read();
    return pick(this.meta);
  }

  private async projectMeta(project: string): Promise<ProjectInfo> {
    checkName('project', project);
    const p = await this.find((m) => m.projects.find((x) => x.name === project));
    if (!p) throw hubError('HUB_PROJECT_NOT_FOUND', `project ${project} does not exist`);
    return p;
  }

  /** The topic's metadata; throws LC_HUB_PROJECT_NOT_FOUND / LC_HUB_TOPIC_NOT_FOUND. */
  async topicMeta(project: string, topic: string): Promise<TopicMeta> {
    checkName('topic', topic);
    const t = await this.find((m) => m.topics.find((x) => x.project === project && x.name === topic));
    if (t) return t;
    await this.projectMeta(project);
    throw hubError('HUB_TOPIC_NOT_FOUND', `topic ${project}.${topic} does not exist`);
  }

  private checkShard(t: TopicMeta, shardId: number): void {
    if (!Number.isInteger(shardId) || shardId < 0 || shardId >= t.shardCount) {
      throw hubError(
        'HUB_SHARD_NOT_FOUND',
        `shard ${shardId} does not exist (topic ${t.project}.${t.name} has ${t.shardCount})`,
      );
    }
  }

  // ---- projects -------------------------------------------------------------------------------------------

  async createProject(spec: ProjectSpec): Promise<ProjectInfo> {
    if (typeof spec !== 'object' || spec === null)
      throw hubError('HUB_BAD_REQUEST', 'project spec must be an object');
    checkName('project', spec.name);
    const info: ProjectInfo = { name: spec.name, comment: spec.comment ?? '', createdAt: this.clock() };
    await this.update((m) => {
      if (m.projects.some((p) => p.name === spec.name)) {
        throw hubError('HUB_PROJECT_EXISTS', `project ${spec.name} already exists`);
      }
      m.projects.push({ ...info });
      return m;
    });
    return info;
  }

  async getProject(project: string): Promise<ProjectInfo> {
    return { ...(await this.projectMeta(project)) };
  }

  async listProjects(): Promise<ProjectInfo[]> {
    return (await this.metadata()).projects.map((p) => ({ ...p }));
  }

  async deleteProject(project: string): Promise<void> {
    await this.projectMeta(project);
    await this.update((m) => {
      if (m.topics.some((t) => t.project === project)) {
        throw hubError('HUB_PROJECT_NOT_EMPTY', `project ${project} still has topics; delete them first`);
      }
      m.projects = m.projects.filter((p) => p.name !== project);
      return m;
    });
  }

  // ---- topics ---------------------------------------------------------------------------------------------

  async createTopic(project: string, spec: TopicSpec): Promise<TopicInfo> {
    await this.projectMeta(project);
    const v = validateTopicSpec(spec);
    const meta: TopicMeta = {
      project,
      name: v.name,
      uid: randomBytes(8).toString('hex'),
      shardCount: v.shardCount,
      lifecycleDays: v.lifecycleDays,
      recordType: v.recordType,
      comment: v.comment,
      createdAt: this.clock(),
      ...(v.schema ? { schema: v.schema } : {}),
    };
    const existing = (await this.metadata()).topics.find((t) => t.project === project && t.name === v.name);
    if (existing) throw hubError('HUB_TOPIC_EXISTS', `topic ${project}.${v.name} already exists`);
    await this.storage.createTopic(meta);
    try {
      await this.update((m) => {
        if (!m.projects.some((p) => p.name === project))
          throw hubError('HUB_PROJECT_NOT_FOUND', `project ${project} does not exist`);
        if (m.topics.some((t) => t.project === project && t.name === v.name)) {
          throw hubError('HUB_TOPIC_EXISTS', `topic ${project}.${v.name} already exists`);
        }
        m.topics.push(meta);
        return m;
      });
    } catch (err) {
      await this.storage.deleteTopic(meta).catch(() => undefined);
      throw err;
    }
    return this.topicInfo(meta, false);
  }

  private async topicInfo(t: TopicMeta, withStats: boolean): Promise<TopicInfo> {
    const info: TopicInfo = {
      project: t.project,
      name: t.name,
      shardCount: t.shardCount,
      lifecycleDays: t.lifecycleDays,
      recordType: t.recordType,
      comment: t.comment,
      createdAt: t.createdAt,
      uid: t.uid,
      ...(t.schema ? { schema: t.schema.map((f) => ({ ...f })) } : {}),
    };
    if (!withStats) return info;
    const shards = [];
    for (let s = 0; s < t.shardCount; s++) shards.push(await this.storage.stats(t, s));
    return { ...info, shards };
  }

  async getTopic(project: string, topic: string): Promise<TopicInfo> {
    return this.topicInfo(await this.topicMeta(project, topic), true);
  }

  async listTopics(project: string): Promise<TopicInfo[]> {
    await this.projectMeta(project);
    const topics = (await this.metadata()).topics.filter((t) => t.project === project);
    return Promise.all(topics.map((t) => this.topicInfo(t, false)));
  }

  async updateTopic(project: string, topic: string, update: TopicUpdate): Promise<TopicInfo> {
    const t = await this.topicMeta(project, topic);
    if (typeof update !== 'object' || update === null)
      throw hubError('HUB_BAD_REQUEST', 'update must be an object');
    if (update.shardCount !== undefined) {
      checkShardCount(update.shardCount);
      if (update.shardCount < t.shardCount) {
        throw hubError('HUB_INVALID_SHARD_COUNT', `shard count can only be raised (now ${t.shardCount})`);
      }
    }
    if (update.lifecycleDays !== undefined) checkLifecycle(update.lifecycleDays);
    if (update.comment !== undefined && typeof update.comment !== 'string') {
      throw hubError('HUB_BAD_REQUEST', 'comment must be a string');
    }
    const next: TopicMeta = {
      ...t,
      shardCount: update.shardCount ?? t.shardCount,
      lifecycleDays: update.lifecycleDays ?? t.lifecycleDays,
      comment: update.comment ?? t.comment,
    };
    if (next.shardCount > t.shardCount) await this.storage.resizeTopic(next, next.shardCount);
    await this.update((m) => {
      m.topics = m.topics.map((x) => (x.project === project && x.name === topic ? next : x));
      return m;
    });
    if (next.lifecycleDays !== t.lifecycleDays) await this.storage.updateRetention(next);
    return this.topicInfo(next, false);
  }

  async deleteTopic(project: string, topic: string): Promise<void> {
    const t = await this.topicMeta(project, topic);
    const subs = new Set<string>(); // a Set: the store may call the mutator again after a lost race
    await this.update((m) => {
      m.topics = m.topics.filter((x) => x.uid !== t.uid);
      m.subscriptions = m.subscriptions.filter((s) => {
        const mine = s.project === project && s.topic === topic;
        if (mine) subs.add(s.id);
        return !mine;
      });
      return m;
    });
    for (const id of subs) {
      this.groups.drop(id);
      await this.opts.offsets.drop(id);
    }
    this.rr.delete(t.uid);
    await this.storage.deleteTopic(t);
  }

  // ---- records --------------------------------------------------------------------------------------------

  async appendRecords(
    project: string,
    topic: string,
    records: readonly RecordInput[],
  ): Promise<AppendResult> {
    const t = await this.topicMeta(project, topic);
    let rr = this.rr.get(t.uid);
    if (!rr) {
      rr = { next: 0 };
      this.rr.set(t.uid, rr);
    }
    const encoded = encodeBatch(t, records, rr);
    const ok: EncodedRecord[] = [];
    for (const e of encoded) if (!('error' in e)) ok.push(e);
    const seqs = ok.length > 0 ? await this.storage.append(t, ok) : [];
    let k = 0;
    let failedCount = 0;
    const results = encoded.map((e): AppendRecordResult => {
      if ('error' in e) {
        failedCount++;
        return { ok: false, error: e.error };
      }
      return { ok: true, shardId: e.shardId, sequence: seqs[k++] };
    });
    return { results, failedCount };
  }

  async getCursor(
    project: string,
    topic: string,
    shardId: number,
    request: CursorRequest,
  ): Promise<CursorResult> {
    const t = await this.topicMeta(project, topic);
    this.checkShard(t, shardId);
    if (typeof request !== 'object' || request === null)
      throw hubError('HUB_BAD_REQUEST', 'cursor request must be an object');
    const stats = await this.storage.stats(t, shardId);
    const param = request.parameter;
    const needParam = (): number => {
      if (typeof param !== 'number' || !Number.isSafeInteger(param) || param < 0) {
        throw hubError(
          'HUB_BAD_REQUEST',
          `cursor type ${request.type} needs a non-negative integer parameter`,
        );
      }
      return param;
    };
    let seq: number;
    switch (request.type) {
      case 'OLDEST':
        seq = stats.firstSequence;
        break;
      case 'LATEST':
        seq = (await this.storage.lastSequence(t, shardId)) ?? stats.nextSequence;
        break;
      case 'SYSTEM_TIME':
        seq = await this.storage.sequenceAtTime(t, shardId, needParam());
        break;
      case 'SEQUENCE': {
        seq = needParam();
        await this.storage.checkPosition(t, shardId, seq);
        break;
      }
      default:
        throw hubError('HUB_BAD_REQUEST', 'cursor type must be OLDEST, LATEST, SYSTEM_TIME or SEQUENCE');
    }
    return { cursor: this.cursors.encode(t.uid, shardId, seq), sequence: seq };
  }

  async getRecords(
    project: string,
    topic: string,
    shardId: number,
    options: GetRecordsOptions,
  ): Promise<GetRecordsResult> {
    const t = await this.topicMeta(project, topic);
    this.checkShard(t, shardId);
    const limit = options.limit ?? HUB_LIMITS.maxReadRecords;
    if (!Number.isInteger(limit) || limit < 1 || limit > HUB_LIMITS.maxReadRecords) {
      throw hubError('HUB_BAD_REQUEST', `limit must be an integer 1..${HUB_LIMITS.maxReadRecords}`);
    }
    const waitMs = options.waitMs ?? 0;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > HUB_LIMITS.maxWaitMs) {
      throw hubError('HUB_BAD_REQUEST', `waitMs must be an integer 0..${HUB_LIMITS.maxWaitMs}`);
    }
    const pos = this.cursors.decode(options.cursor, t.uid, shardId);
    let r = await this.storage.read(t, shardId, pos.sequence, limit);
    if (r.records.length === 0 && waitMs > 0) {
      await this.storage.waitFor(t, shardId, r.next, waitMs, options.signal);
      if (!this.closed) r = await this.storage.read(t, shardId, r.next, limit);
    }
    return {
      records: r.records.map((s) => decodeRecord(t, shardId, s)),
      nextCursor: this.cursors.encode(t.uid, shardId, r.next),
      nextSequence: r.next,
    };
  }

  // ---- subscriptions and groups ---------------------------------------------------------------------------

  private async subscription(
    project: string,
    topic: string,
    id: string,
  ): Promise<{ t: TopicMeta; s: SubscriptionInfo }> {
    const t = await this.topicMeta(project, topic);
    if (typeof id !== 'string') throw hubError('HUB_BAD_REQUEST', 'subscription id must be a string');
    const s = await this.find((m) =>
      m.subscriptions.find((x) => x.id === id && x.project === project && x.topic === topic),
    );
    if (!s)
      throw hubError(
        'HUB_SUBSCRIPTION_NOT_FOUND',
        `subscription ${id} does not exist on ${project}.${topic}`,
      );
    return { t, s: { ...s } };
  }

  async createSubscription(
    project: string,
    topic: string,
    spec: SubscriptionSpec,
  ): Promise<SubscriptionInfo> {
    await this.topicMeta(project, topic);
    if (typeof spec !== 'object' || spec === null)
      throw hubError('HUB_BAD_REQUEST', 'subscription spec must be an object');
    checkName('subscription', spec.name);
    const info: SubscriptionInfo = {
      id: randomBytes(8).toString('hex'),
      project,
      topic,
      name: spec.name,
      comment: spec.comment ?? '',
      createdAt: this.clock(),
    };
    await this.update((m) => {
      if (m.subscriptions.some((s) => s.project === project && s.topic === topic && s.name === spec.name)) {
        throw hubError(
          'HUB_SUBSCRIPTION_EXISTS',
          `subscription ${spec.name} already exists on ${project}.${topic}`,
        );
      }
      m.subscriptions.push({ ...info });
      return m;
    });
    return info;
  }

  async listSubscriptions(project: string, topic: string): Promise<SubscriptionInfo[]> {
    await this.topicMeta(project, topic);
    return (await this.metadata()).subscriptions
      .filter((s) => s.project === project && s.topic === topic)
      .map((s) => ({ ...s }));
  }

  async deleteSubscription(project: string, topic: string, subscriptionId: string): Promise<void> {
    await this.subscription(project, topic, subscriptionId);
    await this.update((m) => {
      m.subscriptions = m.subscriptions.filter((s) => s.id !== subscriptionId);
      return m;
    });
    this.groups.drop(subscriptionId);
    await this.opts.offsets.drop(subscriptionId);
  }

  async commitOffsets(
    project: string,
    topic: string,
    subscriptionId: string,
    request: CommitRequest,
  ): Promise<void> {
    const { t } = await this.subscription(project, topic, subscriptionId);
    if (typeof request !== 'object' || request === null || !Array.isArray(request.offsets)) {
      throw hubError('HUB_BAD_REQUEST', 'commit needs an offsets array');
    }
    const seen = new Set<number>();
    for (const o of request.offsets) {
      this.checkShard(t, o?.shardId);
      if (!Number.isSafeInteger(o.nextSequence) || o.nextSequence < 0) {
        throw hubError(
          'HUB_BAD_REQUEST',
          `nextSequence for shard ${o.shardId} must be a non-negative integer`,
        );
      }
      if (seen.has(o.shardId)) throw hubError('HUB_BAD_REQUEST', `shard ${o.shardId} appears twice`);
      seen.add(o.shardId);
    }
    if (request.consumerId !== undefined) {
      this.groups.checkCommit(subscriptionId, t.shardCount, request.consumerId, request.generation, [
        ...seen,
      ]);
    }
    await this.opts.offsets.commit(
      subscriptionId,
      request.offsets.map((o) => ({ shardId: o.shardId, nextSequence: o.nextSequence })),
      this.clock(),
    );
  }

  async getOffsets(project: string, topic: string, subscriptionId: string): Promise<CommittedOffset[]> {
    await this.subscription(project, topic, subscriptionId);
    return this.opts.offsets.read(subscriptionId);
  }

  async joinGroup(
    project: string,
    topic: string,
    subscriptionId: string,
    request: JoinGroupRequest,
  ): Promise<GroupAssignment> {
    const { t } = await this.subscription(project, topic, subscriptionId);
    return this.groups.join(subscriptionId, t.shardCount, request ?? {});
  }

  async heartbeat(
    project: string,
    topic: string,
    subscriptionId: string,
    consumerId: string,
  ): Promise<GroupAssignment> {
    const { t } = await this.subscription(project, topic, subscriptionId);
    return this.groups.heartbeat(subscriptionId, t.shardCount, consumerId);
  }

  async leaveGroup(
    project: string,
    topic: string,
    subscriptionId: string,
    consumerId: string,
  ): Promise<void> {
    const { t } = await this.subscription(project, topic, subscriptionId);
    this.groups.leave(subscriptionId, t.shardCount, consumerId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.storage.close();
  }
}
