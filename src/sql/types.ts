import type { AuthUser } from '../auth/types.js';
import type { TableDefinition } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { QueryStats } from '../engine/types.js';
import type { ConnectionState, PreparedStatementInfo } from '../mysql-protocol/types.js';
import type { Cell, Logger, StatementResult } from '../shared/index.js';
import type { SqlAuth, SqlCatalog, SqlEngine } from './ports.js';

/** Per-connection state the SQL front keeps (current database, session variables). */
export interface SessionContext {
  readonly connectionId: number;
  readonly user: AuthUser;
  database: string | null;
  readonly remoteAddress: string;
  /** Session variables set with SET (names lower case, without @@/session.). */
  readonly variables: Map<string, string>;
}

/** What the SQL front may ask of the live connections (KILL, SHOW PROCESSLIST). */
export interface ConnectionRegistry {
  list(): ConnectionState[];
  /** Kills a connection (or only its running statement). Returns false when there is no such connection. */
  kill(connectionId: number, options: { queryOnly: boolean }): boolean;
}

/**
 * A statement family handled outside the SQL front (async tasks' `/*+ run-async … *\/` hint, SHOW QUERY_TASK,
 * KILL QUERY '<task id>'). Extensions are tried in order before the front's own statements; `null` means
 * "not mine". They see the raw SQL text and the session's context.
 */
export interface StatementExtension {
  readonly name: string;
  tryHandle(ctx: SessionContext, sql: string, signal: AbortSignal): Promise<StatementResult | null>;
}

/** What the front reports after every statement (metrics: queries, errors, latency, scanned data). */
export interface QueryFinishedEvent {
  readonly connectionId: number;
  readonly user: string;
  readonly database: string | null;
  /** The statement with passwords masked. */
  readonly sql: string;
  /** `query` for engine queries, else the statement family (`show`, `set`, `ddl`, `user`, `extension`, …). */
  readonly kind: string;
  readonly ok: boolean;
  /** The error code when `ok` is false. */
  readonly errorCode?: string;
  /** Engine statistics for `query`; zeros elsewhere. `elapsedMs` is the whole statement's wall time. */
  readonly stats: QueryStats;
}

/** Dependencies of {@link createSqlFront}. */
export interface SqlFrontDeps {
  readonly engine: SqlEngine;
  readonly catalog: SqlCatalog;
  readonly auth: SqlAuth;
  readonly connections: ConnectionRegistry;
  readonly config: Config;
  readonly logger: Logger;
  /** Maps a table location (`file:///…`, `s3://…`) to a local directory the engine reads; enforces file roots. */
  readonly resolveLocation: (uri: string) => Promise<string>;
  /** Reported as @@version / VERSION(). */
  readonly serverVersion: string;
  readonly extensions?: readonly StatementExtension[];
  /**
   * Called once per statement when it ends (for queries: when the last row was streamed or on error), on a later
   * turn of the event loop: metrics and logs are recorded after the answer went out, not before it.
   */
  readonly onQueryFinished?: (event: QueryFinishedEvent) => void;
}

/** One client's session. Structurally a `ProtocolSession`; the HTTP API calls the same methods. */
export interface SqlSession {
  readonly context: SessionContext;
  query(sql: string, signal: AbortSignal): Promise<StatementResult>;
  useDatabase(name: string): Promise<void>;
  prepare(sql: string): Promise<PreparedStatementInfo>;
  execute(sql: string, params: readonly Cell[], signal: AbortSignal): Promise<StatementResult>;
  close(): Promise<void>;
}

/** Who is opening a session. */
export interface SessionInfo {
  readonly connectionId: number;
  readonly user: AuthUser;
  readonly database: string | null;
  readonly remoteAddress: string;
}

/** A user SELECT after the sandbox, ready for the engine. */
export interface PreparedUserQuery {
  /** The SQL to give the engine (MySQL-isms rewritten, session functions replaced by literals). */
  readonly engineSql: string;
  /** Catalog tables the query reads (already checked readable, s3 locations refreshed). */
  readonly tables: TableDefinition[];
  /** Run it with this `defaultSchema` (the session's database): unqualified names are left as written. */
  readonly defaultSchema: string | null;
  /** False when it reads no table or view and calls no table function: give it to `QueryOptions.scans`. */
  readonly scans: boolean;
}

/** The statement front. */
export interface SqlFront {
  /** Opens a session; throws LC_SQL_UNKNOWN_DATABASE when `database` does not exist. */
  openSession(info: SessionInfo): Promise<SqlSession>;
  /** Registers every catalog schema and table in the engine (startup). Tables that fail are logged, not fatal. */
  loadTables(): Promise<void>;
  /**
   * Runs the sandbox and the rewrites on a user query, exactly as a synchronous query gets them, so other
   * capabilities (async tasks) can run it. Throws the same errors a synchronous query would.
   */
  prepareUserQuery(ctx: SessionContext, sql: string): Promise<PreparedUserQuery>;
}
