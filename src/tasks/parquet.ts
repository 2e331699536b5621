/** The task service's Parquet writer over the engine's `writeParquet` (COPY … TO a temp file). */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDbEngine } from '../engine/index.js';
import { asDiskFull, freeBytesAt, ResultBudget } from './result-budget.js';
import type { ParquetWriter } from './types.js';

/**
 * A {@link ParquetWriter} that lets the engine write the file into its temp folder, hands it to the caller as
 * a stream (the service streams it into the result store) and deletes it in `dispose()`. With `limits` the file
 * is held to them while DuckDB writes it: over `maxBytes`, or the temp folder's disk below `minFreeBytes` (the
 * file is staged on local disk even for an S3 results root), the query is interrupted and the task fails with
 * LC_TASK_RESULT_TOO_LARGE or LC_TASK_DISK_FULL; DuckDB's own "No space left on device" is LC_TASK_DISK_FULL too.
 */
export function engineParquetWriter(engine: Pick<DuckDbEngine, 'writeParquet'>): ParquetWriter {
  return async (engineSql, options) => {
    const { limits } = options;
    let dir: string | null = null;
    const held = limits !== undefined && (limits.maxBytes > 0 || limits.minFreeBytes > 0);
    const budget = held ? new ResultBudget(limits, () => (dir ? freeBytesAt(dir) : null)) : null;
    const file = await engine
      .writeParquet(engineSql, {
        signal: options.signal,
        defaultSchema: options.defaultSchema,
        onProgress: options.onProgress,
        fileGuard: budget
          ? (bytes, path) => {
              dir ??= dirname(path);
              try {
                budget.reach(bytes);
                return null;
              } catch (err) {
                return err as Error;
              }
            }
          : undefined,
      })
      .catch((err: unknown) => {
        throw limits ? asDiskFull(err, limits) : err;
      });
    const stats = { ...file.stats };
    const body = createReadStream(file.path);
    return {
      body,
      stats: () => stats,
      dispose: async () => {
        body.destroy(); // a result store that failed midway may not have read it to the end
        await rm(file.path, { force: true });
      },
    };
  };
}
