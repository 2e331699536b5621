import { defineErrors, LakecastError } from '../shared/errors.js';

/**
 * The hub's error catalog (stable `LC_HUB_*` codes). HTTP status is what the `/v1/hub` routes answer with;
 * errno/SQLSTATE follow the generic MySQL mapping since the hub is not reached through the MySQL protocol.
 */
export const HubErrors = defineErrors({
  HUB_BAD_REQUEST: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  HUB_INVALID_NAME: { errno: 1103, sqlState: '42000', httpStatus: 400 },
  HUB_PROJECT_NOT_FOUND: { errno: 1049, sqlState: '42000', httpStatus: 404 },
  HUB_PROJECT_EXISTS: { errno: 1007, sqlState: 'HY000', httpStatus: 409 },
  HUB_PROJECT_NOT_EMPTY: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  HUB_TOPIC_NOT_FOUND: { errno: 1146, sqlState: '42S02', httpStatus: 404 },
  HUB_TOPIC_EXISTS: { errno: 1050, sqlState: '42S01', httpStatus: 409 },
  HUB_SHARD_NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
  HUB_INVALID_SCHEMA: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  HUB_INVALID_SHARD_COUNT: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  HUB_RECORD_INVALID: { errno: 1366, sqlState: 'HY000', httpStatus: 400 },
  HUB_RECORD_TOO_LARGE: { errno: 1105, sqlState: 'HY000', httpStatus: 413 },
  HUB_REQUEST_TOO_LARGE: { errno: 1105, sqlState: 'HY000', httpStatus: 413 },
  HUB_BATCH_TOO_LARGE: { errno: 1105, sqlState: 'HY000', httpStatus: 413 },
  HUB_CURSOR_INVALID: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  HUB_CURSOR_EXPIRED: { errno: 1105, sqlState: 'HY000', httpStatus: 410 },
  HUB_SUBSCRIPTION_NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
  HUB_SUBSCRIPTION_EXISTS: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  HUB_CONSUMER_NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
  HUB_STALE_GENERATION: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  HUB_SHARD_NOT_ASSIGNED: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  HUB_CORRUPT: { errno: 1105, sqlState: 'HY000', httpStatus: 500 },
  HUB_CLOSED: { errno: 1053, sqlState: '08S01', httpStatus: 503, retryable: true },
  HUB_BACKEND_UNAVAILABLE: { errno: 1053, sqlState: '08S01', httpStatus: 503, retryable: true },
});

export type HubErrorKey = keyof typeof HubErrors;

/** Creates a {@link LakecastError} from the hub catalog. */
export function hubError(key: HubErrorKey, message: string, cause?: unknown): LakecastError {
  return new LakecastError(HubErrors[key], message, cause === undefined ? undefined : { cause });
}
