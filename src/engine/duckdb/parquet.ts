/**
 * Parquet results: `COPY (<vetted query>) TO '<engine temp folder>/…parquet' (FORMAT parquet)` on a pooled
 * connection, with the same schema, cancel, timeout, progress and scan statistics as `query()`.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CommonErrors, LakecastError, type Logger } from '../../shared/index.js';
import type { QueryOptions, QueryStats } from '../types.js';
import { literal } from './lake.js';
import type { ConnectionPool, PooledConnection } from './pool.js';
import { readProfile, type ScanBytes, scanTotals } from './profile.js';

/** How often {@link ParquetOptions.fileGuard} looks at the file while DuckDB writes it. */
export const PARQUET_GUARD_INTERVAL_MS = 100;

/** Options of `DuckDbEngine.writeParquet`: {@link QueryOptions} without parameters, and a guard on the file. */
export type ParquetOptions = Omit<QueryOptions, 'params'> & {
  /**
   * Looked at every {@link PARQUET_GUARD_INTERVAL_MS} while DuckDB writes, with the file's size so far and its
   * path: an error it returns interrupts the query, the partial file is deleted and the promise rejects with that
   * error (so a size cap or a free-space floor holds while the file grows, not only once it is complete).
   */
  readonly fileGuard?: (bytesWritten: number, file: string) => Error | null;
};

/** A Parquet file written by the engine; the caller moves it where it belongs and deletes it. */
export interface ParquetFile {
  /** Absolute path inside the engine's temp folder. */
  readonly path: string;
  /** Final statistics (`rowsReturned` = rows written). */
  readonly stats: QueryStats;
}

/** What {@link writeParquetFile} needs from the engine. */
export interface ParquetEnv {
  readonly pool: ConnectionPool;
  readonly tmpDir: string;
  readonly scanBytes: ScanBytes;
  readonly logger: Logger;
  readonly useSchema: (pooled: PooledConnection, schema?: string) => Promise<void>;
  /** Re-checks empty lake tables the text names (as `query()` does). */
  readonly beforeRun: (sql: string) => Promise<void>;
  readonly fail: (err: unknown) => LakecastError;
  readonly progressIntervalMs: number;
}

/**
 * Writes the result of `sql` (one SELECT, already vetted by the SQL front's sandbox) as a Parquet file. On
 * any failure, cancel or timeout the partial file is deleted before the promise rejects.
 */
export async function writeParquetFile(
  env: ParquetEnv,
  sql: string,
  opts: ParquetOptions = {},
): Promise<ParquetFile> {
  const started = performance.now();
  const pooled = await env.pool.acquire(opts.signal);
  const conn = pooled.connection;
  const file = path.join(env.tmpDir, `result-${Date.now()}-${randomBytes(6).toString('hex')}.parquet`);
  const stats: QueryStats = { rowsReturned: 0, scannedRows: 0, scannedBytes: 0, elapsedMs: 0 };
  let reason: 'cancel' | 'timeout' | 'guard' | null = null;
  let guardError: Error | null = null;
  let running = true;
  const timers: NodeJS.Timeout[] = [];
  const interrupt = (why: 'cancel' | 'timeout' | 'guard') => {
    if (!running || reason) return;
    reason = why;
    conn.interrupt();
  };
  const onAbort = () => interrupt('cancel');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.timeoutMs && opts.timeoutMs > 0)
    timers.push(setTimeout(() => interrupt('timeout'), opts.timeoutMs));
  if (opts.onProgress) {
    const every = opts.progressIntervalMs ?? env.progressIntervalMs;
    const onProgress = opts.onProgress;
    let last = -1;
    const tick = () => {
      if (!running) return;
      const p = conn.progress.percentage;
      if (p >= 0 && p !== last) {
        last = p;
        try {
          onProgress(Math.min(100, p));
        } catch (err) {
          env.logger.warn({ err }, 'onProgress callback threw');
        }
      }
      timers.push(setTimeout(tick, every));
    };
    timers.push(setTimeout(tick, every));
  }
  if (opts.fileGuard) {
    const guard = opts.fileGuard;
    const look = () => {
      if (!running) return;
      let bytes = 0;
      try {
        bytes = statSync(file).size;
      } catch {
        // not created yet
      }
      guardError = guard(bytes, file);
      if (guardError) interrupt('guard');
      else timers.push(setTimeout(look, PARQUET_GUARD_INTERVAL_MS));
    };
    timers.push(setTimeout(look, PARQUET_GUARD_INTERVAL_MS));
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    running = false;
    for (const t of timers) clearTimeout(t);
    opts.signal?.removeEventListener('abort', onAbort);
    env.pool.release(pooled);
  };
  try {
    if (opts.signal?.aborted) interrupt('cancel');
    if (reason) throw new Error('INTERRUPT Error: Interrupted!');
    await env.useSchema(pooled, opts.defaultSchema);
    await env.beforeRun(sql);
    // New lines around the query: a trailing `--` comment in it cannot swallow the closing parenthesis.
    const body = sql.trim().replace(/;+\s*$/, '');
    const reader = await conn.runAndReadAll(`COPY (\n${body}\n) TO ${literal(file)} (FORMAT parquet)`);
    if (reason) throw new Error('INTERRUPT Error: Interrupted!');
    const count = reader.getRows()[0]?.[0];
    stats.rowsReturned = count === undefined || count === null ? 0 : Number(count);
    const scan = readProfile(pooled.profileFile);
    release();
    if (scan) {
      const totals = await scanTotals(scan, env.scanBytes);
      stats.scannedRows = totals.rows;
      stats.scannedBytes = totals.bytes;
    }
    stats.elapsedMs = performance.now() - started;
    return { path: file, stats };
  } catch (err) {
    const why = reason;
    release();
    await rm(file, { force: true }).catch(() => undefined);
    if (why === 'timeout') {
      throw new LakecastError(CommonErrors.TIMEOUT, `query timed out after ${opts.timeoutMs} ms`, {
        cause: err,
      });
    }
    if (why === 'cancel')
      throw new LakecastError(CommonErrors.CANCELLED, 'query was cancelled', { cause: err });
    if (why === 'guard' && guardError) throw guardError;
    throw env.fail(err);
  }
}
