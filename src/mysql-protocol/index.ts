/** MySQL wire protocol server: codec and connection state machine. Knows nothing about SQL semantics. */

export {
  generateScramble,
  nativePasswordHash,
  scrambleNativePassword,
  verifyNativePassword,
} from './auth/native-password.js';
export { MysqlProtocolErrors } from './errors.js';
export type { MysqlServerEvents } from './events.js';
export {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_PACKET_BYTES,
  DEFAULT_NET_WRITE_TIMEOUT_SECONDS,
  DEFAULT_SERVER_VERSION,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
} from './options.js';
export { createMysqlServer, type MysqlServer } from './server.js';
export { type MysqlColumnType, mysqlColumnType } from './type-map.js';
export type * from './types.js';
