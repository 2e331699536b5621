import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { CommonErrors, LakecastError } from '../../shared/index.js';

/** A pooled connection with the per-connection state the engine tracks. */
export interface PooledConnection {
  readonly id: number;
  readonly connection: DuckDBConnection;
  /** JSON profile file DuckDB rewrites after each query on this connection. */
  readonly profileFile: string;
  /** Schema last applied with `SET schema`, to skip redundant SETs. */
  schema: string;
  /**
   * Prepared statements of recent parameterless SELECTs on this connection, by schema and text, least
   * recently used first, valid for one catalog generation (see engine.ts `streamStatement`). Absent on
   * connections that keep none.
   */
  readonly prepared?: { generation: number; readonly statements: Map<string, DuckDBPreparedStatement> };
}

/**
 * A fixed set of connections, created up front (the configuration is locked after they are set up, so no
 * new connection could enable its profiler later). `acquire` waits in FIFO order when all are busy.
 */
export class ConnectionPool {
  private readonly free: PooledConnection[];
  private readonly waiters: { resolve: (c: PooledConnection) => void; reject: (e: unknown) => void }[] = [];
  private closed = false;

  constructor(readonly all: readonly PooledConnection[]) {
    this.free = [...all];
  }

  get available(): number {
    return this.free.length;
  }

  acquire(signal?: AbortSignal): Promise<PooledConnection> {
    if (this.closed) return Promise.reject(new LakecastError(CommonErrors.UNAVAILABLE, 'engine is closed'));
    if (signal?.aborted) return Promise.reject(cancelled());
    const conn = this.free.pop();
    if (conn) return Promise.resolve(conn);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (c: PooledConnection) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(c);
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(conn: PooledConnection): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(conn);
    else this.free.push(conn);
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0))
      w.reject(new LakecastError(CommonErrors.UNAVAILABLE, 'engine is closed'));
  }
}

function cancelled(): LakecastError {
  return new LakecastError(CommonErrors.CANCELLED, 'query was cancelled');
}
