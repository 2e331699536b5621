/**
 * Message receipts (issue 4): tell brokers, webhooks and chat robots when an async task ends — through a
 * transactional outbox, so no receipt is lost. See docs/receipts.md and docs/channels.md.
 *
 * Wiring (src/server/start.ts): `const receipts = createReceipts({ catalog, dialect, config: config.receipts,
 * nodeCode, logger })`; pass `onFinishInTx: receipts.onFinishInTx` to `createTaskService`; then
 * `receipts.attach(tasks.events)`, add `...receipts.extensions` to the SQL front's extensions, `await
 * receipts.start()` after `tasks.start()`, and `receipts.close()` on shutdown before the catalog closes.
 */
export { backoffDelay } from './backoff.js';
export { CHANNEL_TYPES } from './channels/catalog.js';
export {
  CHANNEL_NAME,
  type ChannelDefinition,
  channelType,
  defineChannel,
  maskedSettings,
} from './channels/definitions.js';
export { dingtalkSign } from './channels/dingtalk/index.js';
export { feishuSign } from './channels/feishu/index.js';
export { parseRetryAfter } from './channels/http.js';
export { kafkaConfigOf, kafkaRecordOf } from './channels/kafka/index.js';
export { CHANNEL_CACHE_MS, ChannelRegistry, type ResolvedChannel } from './channels/registry.js';
export * from './channels/types.js';
export { signStandardWebhook, verifyStandardWebhook } from './channels/webhook/index.js';
export * from './config.js';
export { type DeliveryOutcome, type DispatcherOptions, ReceiptDispatcher } from './dispatcher.js';
export * from './errors.js';
export * from './message.js';
export * from './outbox/index.js';
export { RateLimiter } from './rate-limit.js';
export * from './service.js';
export {
  CHANNEL_COLUMNS,
  createNotificationChannelExtension,
  TEST_COLUMNS,
  testMessage,
} from './sql/extension.js';
export {
  type ChannelStatement,
  isChannelStatement,
  maskChannelStatement,
  parseChannelStatement,
} from './sql/parser.js';
export { assertEndpointAllowed, endpointAllowed } from './ssrf.js';
