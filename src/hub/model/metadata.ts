import type { AssignmentStrategy, FieldSpec, RecordType } from '../types.js';

/** Persisted project metadata. */
export interface ProjectMeta {
  name: string;
  comment: string;
  createdAt: number;
}

/** Persisted topic metadata. */
export interface TopicMeta {
  project: string;
  name: string;
  uid: string;
  shardCount: number;
  lifecycleDays: number;
  recordType: RecordType;
  schema?: FieldSpec[];
  comment: string;
  createdAt: number;
}

/** Persisted subscription metadata. */
export interface SubscriptionMeta {
  id: string;
  project: string;
  topic: string;
  name: string;
  comment: string;
  createdAt: number;
  strategy?: AssignmentStrategy;
}

/** Everything the hub keeps about its projects, topics and subscriptions (not records, not offsets). */
export interface HubMetadata {
  version: 1;
  projects: ProjectMeta[];
  topics: TopicMeta[];
  subscriptions: SubscriptionMeta[];
}

export function emptyMetadata(): HubMetadata {
  return { version: 1, projects: [], topics: [], subscriptions: [] };
}

/**
 * Where hub metadata lives. Small on purpose so it can move into the catalog later: implementations must make
 * `update` atomic (all or nothing, durable before it resolves) and serialize concurrent updates.
 */
export interface HubMetadataStore {
  /** The current metadata (a copy the caller may keep). */
  read(): Promise<HubMetadata>;
  /**
   * Applies `mutate` to the current metadata and persists the result atomically. `mutate` may throw to abort
   * (nothing is written). Resolves with the new metadata.
   */
  update(mutate: (current: HubMetadata) => HubMetadata): Promise<HubMetadata>;
}
