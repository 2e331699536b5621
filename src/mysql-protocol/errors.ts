import { defineErrors } from '../shared/index.js';

/**
 * Errors of the MySQL protocol layer. Access denied (1045), too many connections (1040), interrupted (1317)
 * and internal (1105) reuse `CommonErrors` from src/shared.
 */
export const MysqlProtocolErrors = defineErrors({
  /** A client packet exceeded maxPacketBytes (max_allowed_packet); the connection is closed. */
  MYSQL_PACKET_TOO_LARGE: { errno: 1153, sqlState: '08S01', httpStatus: 413 },
  /** Unknown or unsupported command byte; the connection stays open. */
  MYSQL_UNKNOWN_COMMAND: { errno: 1047, sqlState: '08S01', httpStatus: 400 },
  /** Handshake response could not be parsed (or pre-4.1 client). */
  MYSQL_BAD_HANDSHAKE: { errno: 1043, sqlState: '08S01', httpStatus: 400 },
  /** COM_STMT_* named a statement id that is not prepared on this connection. */
  MYSQL_UNKNOWN_STATEMENT: { errno: 1243, sqlState: 'HY000', httpStatus: 400 },
  /** COM_STMT_EXECUTE parameters were missing, truncated or of an unsupported type. */
  MYSQL_WRONG_ARGUMENTS: { errno: 1210, sqlState: 'HY000', httpStatus: 400 },
  /** More prepared statements on one connection than max_prepared_stmt_count (16382). */
  MYSQL_TOO_MANY_STATEMENTS: { errno: 1461, sqlState: '42000', httpStatus: 429 },
  /** A command packet was shorter than its fields (ER_MALFORMED_PACKET). */
  MYSQL_MALFORMED_PACKET: { errno: 1835, sqlState: 'HY000', httpStatus: 400 },
  /** The connection was idle longer than wait_timeout (ER_CLIENT_INTERACTION_TIMEOUT). */
  MYSQL_IDLE_TIMEOUT: { errno: 4031, sqlState: 'HY000', httpStatus: 408 },
});
