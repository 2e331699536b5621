import { defineErrors } from '../shared/index.js';

/** The object store's error catalog. */
export const StorageErrors = defineErrors({
  /** A key that is empty, absolute, contains `..`/`.` segments, a backslash or NUL: it could escape the root. */
  STORAGE_BAD_KEY: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  /** The object does not exist. */
  STORAGE_NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
  /** A table location outside the folders the configuration allows (`lake.fileRoots`, the data dir's lake). */
  STORAGE_LOCATION_FORBIDDEN: { errno: 1227, sqlState: '42000', httpStatus: 403 },
  /** A URI that is neither `file://`, an absolute path nor `s3://bucket/…`. */
  STORAGE_BAD_URI: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  /** The storage service could not be reached or failed; trying again may work. */
  STORAGE_UNAVAILABLE: { errno: 1105, sqlState: 'HY000', httpStatus: 503, retryable: true },
  /** The storage service refused the credentials or the request. */
  STORAGE_ACCESS_DENIED: { errno: 1227, sqlState: '42000', httpStatus: 403 },
});
