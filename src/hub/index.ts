/** The hub: a durable DataHub-style log (projects → topics → shards), embedded or on NATS JetStream. */

export {
  type HubAction,
  type HubRoutesOptions,
  hubPlugin,
  hubRoutes,
  RECORDS_BODY_LIMIT,
} from './api/routes.js';
export * from './archive/index.js';
export { HubClient, type HubClientOptions } from './client/http-client.js';
export { type ConsumedBatch, type ConsumeOptions, consume } from './consumer.js';
export { HubCore, type HubCoreOptions } from './core.js';
export {
  DEFAULT_EMBEDDED_HUB_OPTIONS,
  type DurabilityPolicy,
  EmbeddedHub,
  type EmbeddedHubOptions,
  openEmbeddedHub,
} from './embedded.js';
export { HubErrors, hubError } from './errors.js';
export { assignShards } from './groups.js';
export { JsonFileMetadataStore } from './model/json-metadata-store.js';
export type {
  HubMetadata,
  HubMetadataStore,
  ProjectMeta,
  SubscriptionMeta,
  TopicMeta,
} from './model/metadata.js';
export { fnv1a32, shardForKey } from './model/partition.js';
export { NatsHub, type NatsHubOptions, openNatsHub } from './nats/nats-hub.js';
export { openHub } from './open.js';
export type { OffsetStore, TopicStorage } from './storage.js';
export * from './types.js';
