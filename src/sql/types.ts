import type { AuthUser } from '../auth/types.js';
import type { ConnectionState } from '../mysql-protocol/types.js';

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
