import path from 'node:path';
import { LakecastError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { CatalogErrors } from './errors.js';
import { KyselyCatalog } from './kysely-catalog.js';
import { connectPostgres, DEFAULT_PG_SCHEMA } from './postgres/connect.js';
import { connectSqlite } from './sqlite/connect.js';
import type { Catalog } from './types.js';

/** File name of the default SQLite catalog inside the data dir. */
export const DEFAULT_SQLITE_FILE = 'catalog.db';

/** Where a catalog lives, parsed from the `catalog` setting. */
export type CatalogLocation =
  | { readonly dialect: 'sqlite'; readonly file: string }
  | { readonly dialect: 'postgres'; readonly url: string; readonly schema: string };

export interface OpenCatalogOptions {
  /** PostgreSQL schema for the tables; wins over `?schema=` in the URL. Default `lakecast`. */
  readonly schema?: string;
  /** Apply pending migrations before returning (default true). */
  readonly migrate?: boolean;
  readonly logger?: Logger;
  /** PostgreSQL pool size (default 10). */
  readonly poolMax?: number;
}

// PostgreSQL folds unquoted identifiers to lower case and limits them to 63 bytes.
const PG_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

function invalidSpec(message: string): LakecastError {
  return new LakecastError(CatalogErrors.CATALOG_INVALID_SPEC, message);
}

/**
 * Parses a catalog spec: `sqlite` → `<dataDir>/catalog.db`; `sqlite:<path>` (relative paths resolve against
 * the current directory; `sqlite::memory:` for a throw-away catalog); `postgres://…` or `postgresql://…`,
 * with an optional `?schema=name` (default `lakecast`) removed before the URL reaches `pg`.
 */
export function parseCatalogSpec(
  spec: string,
  dataDir: string,
  options: { schema?: string } = {},
): CatalogLocation {
  if (typeof spec !== 'string' || spec.trim() === '') throw invalidSpec('catalog spec is empty');
  const s = spec.trim();
  if (s === 'sqlite') return { dialect: 'sqlite', file: path.resolve(dataDir, DEFAULT_SQLITE_FILE) };
  if (s.startsWith('sqlite:')) {
    let file = s.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2); // sqlite:///abs/path.db
    if (file === '') throw invalidSpec(`catalog spec '${s}' names no file`);
    return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw invalidSpec('catalog spec is not a valid postgres:// URL');
    }
    const schema = options.schema ?? url.searchParams.get('schema') ?? DEFAULT_PG_SCHEMA;
    url.searchParams.delete('schema');
    if (!PG_SCHEMA.test(schema)) {
      throw invalidSpec(`catalog schema '${schema.slice(0, 64)}' is invalid: use [a-z_][a-z0-9_]*, max 63`);
    }
    return { dialect: 'postgres', url: url.toString(), schema };
  }
  // Do not echo the spec: it may be a URL with a password in it.
  throw invalidSpec("catalog spec must be 'sqlite', 'sqlite:<path>' or 'postgres://…'");
}

/**
 * Opens the catalog named by `urlOrSpec` (see {@link parseCatalogSpec}) and, unless `migrate: false`, applies
 * pending migrations. The caller owns the catalog and must `close()` it.
 */
export async function openCatalog(
  urlOrSpec: string,
  dataDir: string,
  options: OpenCatalogOptions = {},
): Promise<Catalog> {
  const location = parseCatalogSpec(urlOrSpec, dataDir, options);
  const driver =
    location.dialect === 'sqlite'
      ? openSqliteFile(location.file)
      : connectPostgres(location.url, {
          schema: location.schema,
          poolMax: options.poolMax,
          logger: options.logger,
        });
  const catalog = new KyselyCatalog(driver);
  if (options.migrate !== false) {
    try {
      await catalog.migrate();
    } catch (err) {
      await catalog.close().catch(() => {});
      throw err;
    }
  }
  return catalog;
}

function openSqliteFile(file: string) {
  try {
    return connectSqlite(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LakecastError(
      CatalogErrors.CATALOG_UNAVAILABLE,
      `cannot open catalog file ${file}: ${reason}`,
      {
        cause: err,
      },
    );
  }
}
