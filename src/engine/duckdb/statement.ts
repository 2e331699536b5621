/**
 * One user statement on a pooled connection: prepared (or taken from the connection's cache of prepared
 * statements) and started as a streamed result. Used by the engine's `query()`.
 */
import {
  blobValue,
  type DuckDBPreparedStatement,
  type DuckDBResult,
  type DuckDBValue,
  StatementType,
} from '@duckdb/node-api';
import type { Cell } from '../../shared/index.js';
import type { PooledConnection } from './pool.js';

/** Prepared statements each pooled connection keeps for repeated query texts. */
export const PREPARED_CACHE_SIZE = 32;

/** A query parameter as DuckDB binds it (bytes as a BLOB). */
export function toDuckValue(cell: Cell): DuckDBValue {
  if (cell instanceof Uint8Array) return blobValue(cell);
  return cell;
}

/**
 * Runs `sql` as a streamed result on a pooled connection.
 *
 * DuckDB streams only prepared statements, and binds a prepared statement again at every execution (its
 * globs are expanded and file footers read anew, so files that came or went are seen; a view replaced since is
 * bound afresh). Preparing therefore costs a whole extra bind per query, ~2 ms on a Parquet table, on top of
 * `connection.stream()`'s separate statement-splitting parse. So: one statement (every sandboxed user query)
 * is prepared directly, and a parameterless one is kept on the connection ({@link PREPARED_CACHE_SIZE}, keyed
 * by schema and text) so that running the same text again skips the prepare. A statement that failed is not
 * kept. Text with several statements (trusted callers) goes through `stream()`, which runs all but the last.
 */
export async function streamStatement(
  pooled: PooledConnection,
  sql: string,
  params: DuckDBValue[] | undefined,
  catalog: { readonly generation: number },
  changed: () => void,
): Promise<DuckDBResult> {
  const conn = pooled.connection;
  const kept = pooled.prepared;
  if (kept && kept.generation !== catalog.generation) {
    // Only this query uses the connection now, so its statements can be destroyed safely.
    for (const p of kept.statements.values()) p.destroySync();
    kept.statements.clear();
    kept.generation = catalog.generation;
  }
  const cache = params && params.length > 0 ? undefined : kept?.statements;
  const key = `${pooled.schema}\u0000${sql}`;
  let prepared: DuckDBPreparedStatement | undefined = cache?.get(key);
  cache?.delete(key);
  if (!prepared) {
    try {
      prepared = await conn.prepare(sql);
    } catch (err) {
      if (/multiple statements|no statement to prepare/i.test(String((err as Error).message))) {
        changed(); // several statements: trusted text that may change the catalog
        return conn.stream(sql, params);
      }
      throw err;
    }
  }
  const select = prepared.statementType === StatementType.SELECT;
  let keep = false;
  try {
    if (params && params.length > 0) prepared.bind(params);
    const result = await prepared.stream();
    keep = cache !== undefined && select && prepared.parameterCount === 0;
    return result;
  } finally {
    if (!select) changed();
    if (!keep || !cache) prepared.destroySync();
    else {
      cache.set(key, prepared);
      if (cache.size > PREPARED_CACHE_SIZE) {
        const [oldestKey, oldest] = cache.entries().next().value as [string, DuckDBPreparedStatement];
        cache.delete(oldestKey);
        oldest.destroySync();
      }
    }
  }
}
