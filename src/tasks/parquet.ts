/** The task service's Parquet writer over the engine's `writeParquet` (COPY … TO a temp file). */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { DuckDbEngine } from '../engine/index.js';
import type { ParquetWriter } from './types.js';

/**
 * A {@link ParquetWriter} that lets the engine write the file into its temp folder, hands it to the caller as
 * a stream (the service streams it into the result store) and deletes it in `dispose()`.
 */
export function engineParquetWriter(engine: Pick<DuckDbEngine, 'writeParquet'>): ParquetWriter {
  return async (engineSql, options) => {
    const file = await engine.writeParquet(engineSql, {
      signal: options.signal,
      defaultSchema: options.defaultSchema,
      onProgress: options.onProgress,
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
