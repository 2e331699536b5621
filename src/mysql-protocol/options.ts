import type { MysqlServerOptions } from './types.js';

/** max_connections default, as MySQL. */
export const DEFAULT_MAX_CONNECTIONS = 151;
/** max_allowed_packet default (64 MiB), as MySQL 8. */
export const DEFAULT_MAX_PACKET_BYTES = 64 * 1024 * 1024;
/** Leading `8.0.36` is what GUI tools and drivers parse to pick features. */
export const DEFAULT_SERVER_VERSION = '8.0.36-Lakecast-0.1.0';
/** wait_timeout default (8 hours), as MySQL. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 28_800;

/** connect_timeout default (10 s), as MySQL: time a new client has to complete the handshake. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** net_write_timeout default (60 s), as MySQL: how long a client may leave a full socket unread. */
export const DEFAULT_NET_WRITE_TIMEOUT_SECONDS = 60;

/** Options with every default applied. */
export interface ResolvedMysqlServerOptions extends MysqlServerOptions {
  readonly maxConnections: number;
  readonly maxPacketBytes: number;
  readonly serverVersion: string;
  readonly waitTimeoutSeconds: number;
  readonly connectTimeoutSeconds: number;
  readonly netWriteTimeoutSeconds: number;
}

/** Applies defaults and validates; returns a frozen object. */
export function resolveOptions(options: MysqlServerOptions): ResolvedMysqlServerOptions {
  const resolved: ResolvedMysqlServerOptions = {
    ...options,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxPacketBytes: options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
    serverVersion: options.serverVersion ?? DEFAULT_SERVER_VERSION,
    waitTimeoutSeconds: options.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
    connectTimeoutSeconds: options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    netWriteTimeoutSeconds: options.netWriteTimeoutSeconds ?? DEFAULT_NET_WRITE_TIMEOUT_SECONDS,
  };
  if (!Number.isInteger(resolved.maxConnections) || resolved.maxConnections < 1)
    throw new RangeError('maxConnections must be a positive integer');
  if (!Number.isInteger(resolved.maxPacketBytes) || resolved.maxPacketBytes < 1024)
    throw new RangeError('maxPacketBytes must be an integer >= 1024');
  if (!(resolved.waitTimeoutSeconds >= 0)) throw new RangeError('waitTimeoutSeconds must be >= 0');
  if (!(resolved.netWriteTimeoutSeconds > 0)) throw new RangeError('netWriteTimeoutSeconds must be > 0');
  if (!(resolved.connectTimeoutSeconds >= 0)) throw new RangeError('connectTimeoutSeconds must be >= 0');
  return Object.freeze(resolved);
}
