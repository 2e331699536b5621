import type { Readable } from 'node:stream';

/** Bytes `start` to `end` of an object, both included (an HTTP byte range resolved against the size). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Metadata of one stored object. */
export interface ObjectInfo {
  /** Key relative to the store's root, `/`-separated, no leading slash. */
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
}

/**
 * A place files live: the local disk (`local/`) or an S3-compatible bucket (`s3/`). Keys are relative to the
 * store's root URI (`file:///abs/dir/` or `s3://bucket/prefix/`). Bodies stream both ways.
 */
/** What `put` accepts: a whole body, or its chunks as they come. */
export type ObjectBody = AsyncIterable<Buffer | string | Uint8Array> | Buffer | string;

export interface ObjectStore {
  /** Root URI, ending in `/`. */
  readonly rootUri: string;
  /** Full URI of a key (what users see, e.g. in `result_file_oss_file`). */
  uriOf(key: string): string;
  /**
   * Writes an object from a stream (any async iterable of chunks: a Readable, an async generator) or a buffer;
   * visible only once complete (no partial objects). An error thrown by the iterable aborts the write.
   */
  put(key: string, body: ObjectBody): Promise<{ size: number }>;
  /**
   * Streams an object, or only `range` of it (which must lie within the object). Throws LC_STORAGE_NOT_FOUND
   * when missing.
   */
  get(key: string, options?: { range?: ByteRange }): Promise<Readable>;
  /** Object metadata, or null when missing. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Lists objects under a prefix, recursively, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
  /** Deletes every object under a prefix. */
  deletePrefix(prefix: string): Promise<void>;
  /** Bytes free for writing where objects are kept, or null when unknown (absent: never known, as on S3). */
  freeBytes?(): number | null;
  /**
   * A URL that lets whoever holds it GET the object without credentials until it expires (S3: a presigned
   * GetObject URL, SigV4 query authentication). Absent where the store cannot make one (a local folder).
   */
  presignGet?(key: string, options: PresignGetOptions): Promise<string>;
}

/** Options of {@link ObjectStore.presignGet}. */
export interface PresignGetOptions {
  /** Seconds the URL stays valid (S3 allows 1 to 604,800: seven days). */
  readonly expiresInSeconds: number;
  /** `Content-Type` the storage answers the URL's GET with. */
  readonly contentType?: string;
  /** `Content-Disposition` the storage answers the URL's GET with (e.g. the download's file name). */
  readonly contentDisposition?: string;
}
