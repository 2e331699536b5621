/**
 * The hub's public model and the {@link Hub} interface. The embedded log, the NATS JetStream back-end and the
 * typed HTTP client all implement {@link Hub}; every value crossing it is JSON-compatible except BLOB data,
 * which is a `Uint8Array` in process and base64 on the wire (the HTTP client converts).
 */

/** Column types of a TUPLE topic (DataHub's). */
export type FieldType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'TIMESTAMP' | 'DECIMAL';

/** One column of a TUPLE topic's schema. */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Whether `null` is allowed. Default true. */
  readonly nullable?: boolean;
}

export type RecordType = 'TUPLE' | 'BLOB';

export interface ProjectSpec {
  readonly name: string;
  readonly comment?: string;
}

export interface ProjectInfo {
  readonly name: string;
  readonly comment: string;
  /** ms since epoch. */
  readonly createdAt: number;
}

export interface TopicSpec {
  readonly name: string;
  /** 1..256. Can only be raised later. */
  readonly shardCount: number;
  /** Retention in days (1..7300); whole segments older than this are deleted. */
  readonly lifecycleDays: number;
  readonly recordType: RecordType;
  /** Required for TUPLE, forbidden for BLOB. */
  readonly schema?: readonly FieldSpec[];
  readonly comment?: string;
}

/** What may change on a live topic. */
export interface TopicUpdate {
  /** New shard count; must be greater than the current one. */
  readonly shardCount?: number;
  readonly lifecycleDays?: number;
  readonly comment?: string;
}

export interface ShardStats {
  readonly shardId: number;
  /** Sequence of the oldest readable record; equals `nextSequence` when the shard is empty. */
  readonly firstSequence: number;
  /** Sequence the next appended record would get (embedded) or one past the last stored one (NATS). */
  readonly nextSequence: number;
  /** Sequence of the newest record; absent when the shard is empty. */
  readonly lastSequence?: number;
  readonly records: number;
  readonly bytes: number;
}

export interface TopicInfo {
  readonly project: string;
  readonly name: string;
  readonly shardCount: number;
  readonly lifecycleDays: number;
  readonly recordType: RecordType;
  readonly schema?: readonly FieldSpec[];
  readonly comment: string;
  readonly createdAt: number;
  /** Random id of this incarnation of the topic (cursors are bound to it). */
  readonly uid: string;
  /** Present on `getTopic`. */
  readonly shards?: readonly ShardStats[];
}

/**
 * One TUPLE value. BIGINT: integer `number` (safe range) or decimal `string`; DOUBLE: `number`; BOOLEAN:
 * `boolean`; STRING: `string`; TIMESTAMP: integer microseconds since epoch (`number`) or an ISO-8601 `string`;
 * DECIMAL: decimal `string` (or a finite `number`). On read BIGINT and DECIMAL come back as `string`,
 * TIMESTAMP as microseconds (`number`).
 */
export type TupleValue = string | number | boolean | null;

/** Record data: bytes for BLOB topics; values in schema order or keyed by field name for TUPLE topics. */
export type RecordData = Uint8Array | readonly TupleValue[] | { readonly [field: string]: TupleValue };

export interface RecordInput {
  readonly data: RecordData;
  /** Hashed to a shard (see docs/hub.md, "Partitioning"). Ignored when `shardId` is set. */
  readonly partitionKey?: string;
  /** Explicit shard; wins over `partitionKey`. Without either, records are spread round-robin. */
  readonly shardId?: number;
  readonly attributes?: { readonly [key: string]: string };
}

export interface RecordError {
  readonly code: string;
  readonly message: string;
}

/** Per-record append outcome, in input order. */
export type AppendRecordResult =
  | { readonly ok: true; readonly shardId: number; readonly sequence: number }
  | { readonly ok: false; readonly error: RecordError };

export interface AppendResult {
  readonly results: readonly AppendRecordResult[];
  readonly failedCount: number;
}

/** A record read back. */
export interface HubRecord {
  readonly shardId: number;
  readonly sequence: number;
  /** ms since epoch, set by the hub on append. */
  readonly systemTime: number;
  readonly partitionKey?: string;
  readonly attributes?: { readonly [key: string]: string };
  /** BLOB: bytes. TUPLE: values keyed by field name (BIGINT/DECIMAL as string, TIMESTAMP as µs). */
  readonly data: Uint8Array | { readonly [field: string]: TupleValue };
}

/**
 * Where to start reading a shard. OLDEST: first readable record. LATEST: the last record (DataHub's meaning;
 * on an empty shard the next one). SYSTEM_TIME: first record with systemTime ≥ parameter (ms). SEQUENCE: the
 * record with that sequence (or, on NATS, the next one on the shard at or after it).
 */
export type CursorType = 'OLDEST' | 'LATEST' | 'SYSTEM_TIME' | 'SEQUENCE';

export interface CursorRequest {
  readonly type: CursorType;
  readonly parameter?: number;
}

export interface CursorResult {
  /** Opaque token; pass to `getRecords`. Signed: a forged or altered token is refused. */
  readonly cursor: string;
  readonly sequence: number;
}

export interface GetRecordsOptions {
  readonly cursor: string;
  /** 1..1000, default 1000. */
  readonly limit?: number;
  /** Long-poll: when no record is available, wait up to this many ms (max 30,000) for one. Default 0. */
  readonly waitMs?: number;
  /** Aborts a long poll early (returns what is there). */
  readonly signal?: AbortSignal;
}

export interface GetRecordsResult {
  readonly records: readonly HubRecord[];
  /** Cursor of the record after the last one returned (or the same position when none was returned). */
  readonly nextCursor: string;
  /** Sequence `nextCursor` points at. */
  readonly nextSequence: number;
}

export interface SubscriptionSpec {
  readonly name: string;
  readonly comment?: string;
}

export interface SubscriptionInfo {
  readonly id: string;
  readonly project: string;
  readonly topic: string;
  readonly name: string;
  readonly comment: string;
  readonly createdAt: number;
}

/** A committed position: the next sequence the application will read on that shard (Kafka-style). */
export interface ShardOffset {
  readonly shardId: number;
  readonly nextSequence: number;
}

export interface CommittedOffset extends ShardOffset {
  readonly committedAt: number;
}

export interface CommitRequest {
  readonly offsets: readonly ShardOffset[];
  /** Group member committing; with `generation`, fenced against rebalances. Omit for a standalone consumer. */
  readonly consumerId?: string;
  readonly generation?: number;
}

export type AssignmentStrategy = 'range' | 'roundrobin';

export interface JoinGroupRequest {
  /** Reuse to rejoin after a restart; a new id is minted when omitted. */
  readonly consumerId?: string;
  /** A member not heard from for this long is removed and its shards reassigned. 1,000..300,000; default 30,000. */
  readonly sessionTimeoutMs?: number;
  /** Set by the first member; default `range`. */
  readonly strategy?: AssignmentStrategy;
}

export interface GroupAssignment {
  readonly consumerId: string;
  /** Bumped on every membership change; commits must carry the current one. */
  readonly generation: number;
  /** Shards this consumer owns in this generation. */
  readonly shards: readonly number[];
  readonly members: number;
  readonly sessionTimeoutMs: number;
}

/**
 * The hub, as the agent, CDC, stream jobs and the HTTP API use it. Implemented by the embedded log
 * (`openEmbeddedHub`), NATS JetStream (`openNatsHub`) and the HTTP client (`HubClient`).
 */
export interface Hub {
  createProject(spec: ProjectSpec): Promise<ProjectInfo>;
  getProject(project: string): Promise<ProjectInfo>;
  listProjects(): Promise<ProjectInfo[]>;
  /** Refused with LC_HUB_PROJECT_NOT_EMPTY while the project has topics. */
  deleteProject(project: string): Promise<void>;

  createTopic(project: string, spec: TopicSpec): Promise<TopicInfo>;
  /** With shard stats. */
  getTopic(project: string, topic: string): Promise<TopicInfo>;
  listTopics(project: string): Promise<TopicInfo[]>;
  updateTopic(project: string, topic: string, update: TopicUpdate): Promise<TopicInfo>;
  /** Deletes the topic, its records and its subscriptions. */
  deleteTopic(project: string, topic: string): Promise<void>;

  /**
   * Appends a batch (≤ 10,000 records, ≤ 4 MiB, ≤ 1 MiB each). Invalid records get a per-record error and
   * are not written; the valid ones are. A request-level error (limits, unknown topic) writes nothing.
   * Resolves once the written records are durable per the back-end's policy.
   */
  appendRecords(project: string, topic: string, records: readonly RecordInput[]): Promise<AppendResult>;
  getCursor(project: string, topic: string, shardId: number, request: CursorRequest): Promise<CursorResult>;
  getRecords(
    project: string,
    topic: string,
    shardId: number,
    options: GetRecordsOptions,
  ): Promise<GetRecordsResult>;

  createSubscription(project: string, topic: string, spec: SubscriptionSpec): Promise<SubscriptionInfo>;
  listSubscriptions(project: string, topic: string): Promise<SubscriptionInfo[]>;
  deleteSubscription(project: string, topic: string, subscriptionId: string): Promise<void>;
  commitOffsets(
    project: string,
    topic: string,
    subscriptionId: string,
    request: CommitRequest,
  ): Promise<void>;
  /** One entry per shard that has a committed offset. */
  getOffsets(project: string, topic: string, subscriptionId: string): Promise<CommittedOffset[]>;
  joinGroup(
    project: string,
    topic: string,
    subscriptionId: string,
    request: JoinGroupRequest,
  ): Promise<GroupAssignment>;
  heartbeat(
    project: string,
    topic: string,
    subscriptionId: string,
    consumerId: string,
  ): Promise<GroupAssignment>;
  leaveGroup(project: string, topic: string, subscriptionId: string, consumerId: string): Promise<void>;

  /** Flushes and releases everything; further calls fail with LC_HUB_CLOSED. */
  close(): Promise<void>;
}

/** Hub limits (DataHub's). */
export const HUB_LIMITS = Object.freeze({
  maxRecordBytes: 1024 * 1024,
  maxRequestBytes: 4 * 1024 * 1024,
  maxBatchRecords: 10_000,
  maxReadRecords: 1000,
  maxWaitMs: 30_000,
  maxShards: 256,
  maxLifecycleDays: 7300,
  maxAttributeBytes: 64 * 1024,
  maxPartitionKeyBytes: 1024,
});
