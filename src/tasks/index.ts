/** Async query tasks: durable queue, runner, results in object storage, recovery. See docs/tasks.md. */
export * from './cli.js';
export * from './cli-result.js';
export * from './columns.js';
export * from './encode.js';
export * from './errors.js';
export * from './events.js';
export * from './executor.js';
export * from './fair-queue.js';
export * from './http/index.js';
export * from './ids.js';
export * from './link-signer.js';
export * from './parquet.js';
export * from './result-access.js';
export * from './service.js';
export { errorCodeOf } from './statements.js';
export * from './store/index.js';
export type { EngineChange, ExecutorThreadInit } from './thread/protocol.js';
export {
  EXECUTOR_THREAD_NICE,
  mirrorEngine,
  startThreadExecutor,
  type ThreadExecutor,
} from './thread/thread-executor.js';
export * from './wire.js';
