/** Archive of hub topics into the lake: Parquet partitions plus an external table per archived topic. */

export { createArchiver } from './archiver.js';
export { META_COLUMNS, PARTITION_COLUMNS, parsePartFile, partFileName, partitionOf } from './layout.js';
export { type ArchiveRoutesOptions, archivePlugin, archiveRoutes } from './routes.js';
export {
  ARCHIVE_SUBSCRIPTION,
  ARCHIVES_SETTING,
  type ArchiveCatalog,
  type ArchiveDefinition,
  type ArchiveEngine,
  type ArchiveFaults,
  type ArchiveInfo,
  type Archiver,
  type ArchiverDeps,
  type ArchiveSpec,
  type ArchiveStatus,
  DEFAULT_FLUSH_BYTES,
  DEFAULT_FLUSH_INTERVAL_MS,
  type RemoveArchiveOptions,
} from './types.js';
