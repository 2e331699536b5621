import { defineErrors } from '../shared/index.js';

/**
 * Receipt errors (docs/errors.md). Delivery failures are not errors users receive: they land in the task row's
 * `mq_status` / `mq_error_msg`; these are for the channel statements and invalid receipt settings.
 */
export const ReceiptErrors = defineErrors({
  CHANNEL_NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
  CHANNEL_EXISTS: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  CHANNEL_INVALID: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  CHANNEL_READ_ONLY: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  /** A channel's stored secrets do not open with this server's key (another server's key, or damaged). */
  CHANNEL_SECRETS_UNREADABLE: { errno: 1105, sqlState: 'HY000', httpStatus: 500 },
  RECEIPT_ENDPOINT_DENIED: { errno: 1227, sqlState: '42000', httpStatus: 403 },
  RECEIPT_SYNTAX: { errno: 1064, sqlState: '42000', httpStatus: 400 },
});
