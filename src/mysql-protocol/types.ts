import type { Cell, ColumnMeta, StatementResult } from '../shared/index.js';

/** What the server knows about one client connection once it has authenticated. */
export interface ConnectionInfo {
  readonly connectionId: number;
  readonly user: string;
  /** Database named in the handshake, if any. */
  readonly database: string | null;
  readonly remoteAddress: string;
  readonly tls: boolean;
  readonly clientName?: string;
}

/** Result of preparing a statement (COM_STMT_PREPARE). */
export interface PreparedStatementInfo {
  readonly paramCount: number;
  /** Result columns when known before execution (may be empty; columns are sent again on execute). */
  readonly columns: readonly ColumnMeta[];
}

/**
 * One authenticated client's session, provided by the SQL front. The protocol module turns COM_* commands
 * into these calls and knows nothing about SQL semantics. Errors thrown should be `LakecastError`s; their
 * errno/SQLSTATE go into the ERR packet, anything else becomes errno 1105.
 */
export interface ProtocolSession {
  /** COM_QUERY. `signal` aborts when the client disconnects or the connection is killed. */
  query(sql: string, signal: AbortSignal): Promise<StatementResult>;
  /** COM_INIT_DB. Throws (errno 1049) for an unknown database. */
  useDatabase(name: string): Promise<void>;
  /** COM_STMT_PREPARE. */
  prepare(sql: string): Promise<PreparedStatementInfo>;
  /** COM_STMT_EXECUTE with decoded parameter values (binary protocol). */
  execute(sql: string, params: readonly Cell[], signal: AbortSignal): Promise<StatementResult>;
  /** The connection ended (COM_QUIT, disconnect, kill): release everything. */
  close(): Promise<void>;
}

/** Hooks the composition root gives the protocol server. */
export interface MysqlServerHooks {
  /**
   * The stored `mysql_native_password` credential of a user: SHA1(SHA1(password)), 20 bytes, or null when the
   * user does not exist (the client then gets errno 1045 exactly as for a wrong password).
   */
  lookupNativeHash(user: string): Promise<Buffer | null>;
  /** Opens the session after authentication. May throw a LakecastError (e.g. unknown database, 1049). */
  openSession(info: ConnectionInfo): Promise<ProtocolSession>;
}

/** Options of {@link MysqlServer}; see DEFAULT_* constants in the module for defaults. */
export interface MysqlServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly hooks: MysqlServerHooks;
  /** PEM cert and key: enables SSLRequest/TLS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly maxConnections?: number;
  /** Largest packet payload accepted from a client, bytes (max_allowed_packet). */
  readonly maxPacketBytes?: number;
  /** Sent in the handshake and as @@version. */
  readonly serverVersion?: string;
  /** Idle connections are closed after this many seconds (wait_timeout; default 28800; 0 disables). */
  readonly waitTimeoutSeconds?: number;
  /** A new client must complete the handshake within this many seconds (connect_timeout; default 10). */
  readonly connectTimeoutSeconds?: number;
  /** A client that leaves a full socket unread this long is disconnected (net_write_timeout; default 60). */
  readonly netWriteTimeoutSeconds?: number;
}

/** Live view of a connection for SHOW PROCESSLIST / KILL. */
export interface ConnectionState extends ConnectionInfo {
  readonly command: 'Sleep' | 'Query' | 'Execute' | 'Prepare';
  readonly currentSql: string | null;
  readonly startedAt: Date;
  readonly commandStartedAt: Date;
}
