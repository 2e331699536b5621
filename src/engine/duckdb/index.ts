/** The embedded DuckDB engine. */
export {
  createDuckDbEngine,
  DEFAULT_MEMORY_LIMIT,
  DEFAULT_POOL_SIZE,
  DEFAULT_PROGRESS_INTERVAL_MS,
  type DuckDbEngine,
  type DuckDbEngineOptions,
  MAX_CONCURRENT_ENGINE_CALLS,
  resolveMemoryLimit,
} from './engine.js';
export {
  duckType,
  HIVE_TEXTFILE_DELIMITER,
  listPartitions,
  type PartitionInfo,
  tableSelectSql,
} from './lake.js';
export type { ParquetFile, ParquetOptions } from './parquet.js';
