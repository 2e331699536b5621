/** Events a {@link MysqlServer} emits (typed `noun:verb`), for metrics and logs. */
export interface MysqlServerEvents {
  'connection:opened': { readonly connectionId: number; readonly remoteAddress: string };
  /** After authentication succeeded and the session opened. */
  'connection:authenticated': { readonly connectionId: number; readonly user: string; readonly tls: boolean };
  'connection:closed': { readonly connectionId: number };
  /** Authentication failed (unknown user or wrong password; both look the same to the client). */
  'auth:failed': { readonly connectionId: number; readonly user: string; readonly remoteAddress: string };
  /** A connection was refused because maxConnections was reached. */
  'connection:rejected': { readonly remoteAddress: string };
  /** COM_QUERY / COM_STMT_EXECUTE / COM_STMT_PREPARE finished (successfully or not). */
  'query:finished': {
    readonly connectionId: number;
    readonly command: 'Query' | 'Execute' | 'Prepare';
    readonly durationMs: number;
    /** Rows sent (0 for OK results). */
    readonly rows: number;
    /** Stable error code (`LC_…`) when the statement failed. */
    readonly errorCode?: string;
    readonly errno?: number;
  };
}
