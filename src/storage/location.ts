import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LakecastError } from '../shared/index.js';
import { StorageErrors } from './errors.js';
import { createS3Client, parseS3Uri, S3ObjectStore, type S3Settings } from './s3/s3-store.js';
import { type SyncReport, syncToDirectory } from './s3/sync.js';

/** Where table locations may point and where S3 data is cached. */
export interface LocationOptions {
  /** Local folders `file://` locations must lie inside (after resolving symlinks). */
  readonly fileRoots: readonly string[];
  /** Folder for the S3 mirror (e.g. `<dataDir>/cache/s3`); give it to the engine's allowed directories. */
  readonly cacheDir: string;
  /** Endpoint and credentials for `s3://` locations. */
  readonly s3?: S3Settings;
  /** Parallel downloads per sync (default 4). */
  readonly concurrency?: number;
}

/** A location made readable by DuckDB. */
export interface ResolvedLocation {
  /** Local folder with the table's files. */
  readonly localDir: string;
  readonly kind: 'file' | 's3';
  /** For `s3://` locations: what the sync did. */
  readonly sync?: SyncReport;
}

/** Resolves symlinks of the longest existing ancestor, keeping the not-yet-existing rest as written. */
async function realpathLoose(p: string): Promise<string> {
  const rest: string[] = [];
  let current = path.resolve(p);
  for (;;) {
    try {
      return path.join(await realpath(current), ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(p);
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The local path of a `file://` URI or absolute path; null for other schemes. */
export function localPathOf(uri: string): string | null {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (uri.startsWith('/')) return uri;
  return null;
}

/** The cache folder an `s3://bucket/prefix/` location is mirrored into. */
export function s3CacheDir(cacheDir: string, bucket: string, prefix: string): string {
  return path.join(path.resolve(cacheDir), 'data', bucket, ...prefix.split('/').filter(Boolean));
}

/**
 * Turns a table location into a local folder DuckDB can read (DuckDB's httpfs cannot be installed offline).
 * `file://` (or absolute path): the folder itself, after checking that its real path (symlinks resolved)
 * is inside one of `fileRoots`, else LC_STORAGE_LOCATION_FORBIDDEN. `s3://bucket/prefix/`: the objects
 * under the prefix are mirrored into `<cacheDir>/data/<bucket>/<prefix>/` (only new or changed objects
 * are downloaded; deleted ones are removed) and that folder is returned. Call it before each query that
 * reads the table. Any other scheme: LC_STORAGE_BAD_URI.
 */
export async function resolveLocation(
  locationUri: string,
  options: LocationOptions,
): Promise<ResolvedLocation> {
  const local = localPathOf(locationUri);
  if (local !== null) {
    const real = await realpathLoose(local);
    for (const root of options.fileRoots) {
      if (isInside(real, await realpathLoose(root))) return { localDir: real, kind: 'file' };
    }
    throw new LakecastError(
      StorageErrors.STORAGE_LOCATION_FORBIDDEN,
      `location ${locationUri} is outside the allowed folders (lake.fileRoots)`,
    );
  }
  if (locationUri.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Uri(locationUri);
    const store = new S3ObjectStore(s3ClientFor(options.s3 ?? {}), bucket, prefix);
    const localDir = s3CacheDir(options.cacheDir, bucket, prefix);
    const sync = await syncToDirectory(store, localDir, {
      tmpDir: path.join(path.resolve(options.cacheDir), 'tmp'),
      concurrency: options.concurrency,
    });
    return { localDir, kind: 's3', sync };
  }
  throw new LakecastError(StorageErrors.STORAGE_BAD_URI, `unsupported location ${locationUri}`);
}

const clients = new WeakMap<S3Settings, ReturnType<typeof createS3Client>>();

/** One client per settings object. */
function s3ClientFor(settings: S3Settings) {
  let client = clients.get(settings);
  if (!client) {
    client = createS3Client(settings);
    clients.set(settings, client);
  }
  return client;
}
