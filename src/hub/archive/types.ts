import type { Catalog, TableDefinition } from '../../catalog/index.js';
import type { DuckDbEngine } from '../../engine/index.js';
import type { Logger } from '../../shared/index.js';
import type { Hub } from '../types.js';

/** Default flush interval of an archive: 60 s. */
export const DEFAULT_FLUSH_INTERVAL_MS = 60_000;
/** Default flush size of an archive (staged NDJSON bytes): 64 MiB. */
export const DEFAULT_FLUSH_BYTES = 64 * 1024 * 1024;
/** Name of the hub subscription each archive reads through. */
export const ARCHIVE_SUBSCRIPTION = 'lakecast_archive';
/** Catalog setting holding the archive definitions (JSON). */
export const ARCHIVES_SETTING = 'hub.archives';

/** What `addArchive` takes. */
export interface ArchiveSpec {
  readonly project: string;
  readonly topic: string;
  /** Catalog schema (database) of the external table; created when missing. */
  readonly schema: string;
  /** Table name; default the topic name. */
  readonly table?: string;
  /** Flush staged records at least this often (ms, ≥ 100). Default 60,000. */
  readonly flushIntervalMs?: number;
  /** Flush as soon as this many bytes are staged (≥ 1,024). Default 64 MiB. */
  readonly flushBytes?: number;
  /** Where to start on a topic with records already: `OLDEST` (default) or `LATEST` (new records only). */
  readonly startFrom?: 'OLDEST' | 'LATEST';
  /** Owner of the schema and table in the catalog. Default `root`. */
  readonly owner?: string;
}

/** A persisted archive. */
export interface ArchiveDefinition {
  readonly project: string;
  readonly topic: string;
  /** Incarnation of the topic archived (a re-created topic is not archived into the same table). */
  readonly topicUid: string;
  readonly schema: string;
  readonly table: string;
  /** `file://…/` of the table folder. */
  readonly location: string;
  readonly subscriptionId: string;
  readonly flushIntervalMs: number;
  readonly flushBytes: number;
  readonly startFrom: 'OLDEST' | 'LATEST';
  readonly createdAt: number;
}

/** Live state of an archive in this process. */
export interface ArchiveStatus {
  /** `running` (consuming), `stopped` (archiver not started), `failed` (retrying; see `lastError`). */
  readonly state: 'running' | 'stopped' | 'failed';
  readonly lastError?: string;
  /** ms since epoch of the last successful flush that wrote files. */
  readonly lastFlushAt?: number;
  /** Records written to Parquet files by this process since start. */
  readonly archivedRecords: number;
  /** Parquet files written by this process since start. */
  readonly files: number;
  /** Bytes staged and not yet flushed. */
  readonly stagedBytes: number;
}

export interface ArchiveInfo extends ArchiveDefinition {
  readonly status: ArchiveStatus;
}

/** The engine calls the archiver makes: trusted COPY, a footer count, the view of the table. */
export type ArchiveEngine = Pick<DuckDbEngine, 'exec' | 'query' | 'ensureSchema' | 'registerTable'> &
  Partial<Pick<DuckDbEngine, 'unregisterTable'>>;

export type ArchiveCatalog = Pick<
  Catalog,
  'createSchema' | 'createTable' | 'getTable' | 'dropTable' | 'getSetting' | 'setSetting'
>;

/** Points where tests inject a crash (kill -9 of the process). */
export interface ArchiveFaults {
  /** After a part file was renamed into place, before the offsets were committed. */
  afterRename?(file: string): void | Promise<void>;
  /** After the offsets of a flush were committed. */
  afterCommit?(shardId: number, nextSequence: number): void | Promise<void>;
}

export interface ArchiverDeps {
  readonly hub: Hub;
  readonly engine: ArchiveEngine;
  readonly catalog: ArchiveCatalog;
  /**
   * Registers a new archive table with the SQL front. Default: `engine.registerTable(def, <table folder>)`;
   * the SQL front also registers catalog tables it has not seen at their first query.
   */
  readonly registerTable?: (def: TableDefinition) => Promise<void>;
  /** The lake folder: tables go to `<lakeDir>/<schema>/<table>/`. Must be readable by the engine. */
  readonly lakeDir: string;
  readonly logger?: Logger;
  /** ms since epoch; default `Date.now`. */
  readonly clock?: () => number;
  /** Consumer id in the subscriptions' groups. Default `lakecast-archiver`. */
  readonly consumerId?: string;
  /** Hub long-poll per read (ms). Default 1,000. */
  readonly waitMs?: number;
  readonly faults?: ArchiveFaults;
}

/** Options of `removeArchive`. */
export interface RemoveArchiveOptions {
  /** Also drop the external table from the catalog (the files stay). Default false. */
  readonly dropTable?: boolean;
}

/** The archiver: runs every persisted archive while started. */
export interface Archiver {
  /** Loads the persisted archives and starts consuming each. */
  start(): Promise<void>;
  /** Stops consuming; staged records are flushed first (bounded by one flush). Idempotent. */
  stop(): Promise<void>;
  /**
   * Creates an archive: the schema (if missing) and the external table in the catalog, a hub subscription,
   * the persisted definition; starts it when the archiver runs. Errors: LC_HUB_PROJECT/TOPIC_NOT_FOUND,
   * LC_HUB_BAD_REQUEST (bad options, topic already archived, field colliding with an archive column, table
   * folder not empty), LC_CATALOG_TABLE_EXISTS, LC_CATALOG_INVALID_*.
   */
  addArchive(spec: ArchiveSpec): Promise<ArchiveInfo>;
  listArchives(): Promise<ArchiveInfo[]>;
  getArchive(project: string, topic: string): Promise<ArchiveInfo | null>;
  /** Stops and forgets an archive and deletes its subscription. Files stay. LC_HUB_BAD_REQUEST if none. */
  removeArchive(project: string, topic: string, options?: RemoveArchiveOptions): Promise<void>;
  /** Flushes every running archive now (tests, shutdown). */
  flushAll(): Promise<void>;
}
