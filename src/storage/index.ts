/** Object storage interface (implementations: local/, s3/) and lake access for the engine. */

export { StorageErrors } from './errors.js';
export { checkKey, isSafeKey } from './keys.js';
export { FREE_BYTES_MAX_AGE_MS, LOCAL_TMP_DIR, LocalObjectStore, readAll } from './local/local-store.js';
export {
  type LocationOptions,
  localPathOf,
  type ResolvedLocation,
  resolveLocation,
  s3CacheDir,
} from './location.js';
export { openObjectStore } from './open.js';
export {
  createS3Client,
  MULTIPART_PART_BYTES,
  parseS3Uri,
  S3ObjectStore,
  type S3Settings,
} from './s3/s3-store.js';
export { DEFAULT_SYNC_CONCURRENCY, type SyncReport, syncToDirectory } from './s3/sync.js';
export type * from './types.js';
