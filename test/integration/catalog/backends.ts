import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Catalog, type OpenCatalogOptions, openCatalog } from '../../../src/catalog/index.js';
import { SERVICES, serviceAvailable } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * One catalog back-end for the shared suites. `newLocation()` gives a fresh, isolated place (a temp dir for
 * SQLite, a random schema for PostgreSQL); `open(location)` opens a catalog there (again and again, to test
 * reopening); `teardown()` removes every place this file created.
 */
export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** False when the service is missing (only outside CI; with CI=true the check throws). */
  readonly available: boolean;
  newLocation(): string;
  /** The `openCatalog` spec for a location (SQLite: `sqlite`, with the location as data dir). */
  spec(location: string): string;
  open(location: string, options?: OpenCatalogOptions): Promise<Catalog>;
  teardown(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dirs: Array<() => void> = [];
  return {
    name: 'sqlite',
    available: true,
    newLocation() {
      const t = tempDir('lakecast-catalog-');
      dirs.push(t.cleanup);
      return t.dir;
    },
    spec: () => 'sqlite',
    open: (dir, options) => openCatalog('sqlite', dir, options),
    async teardown() {
      for (const cleanup of dirs.splice(0)) cleanup();
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const available = await serviceAvailable('postgres');
  // One random prefix per test file, one schema per test: parallel files and tests never meet.
  const prefix = `lc_test_${randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  const spec = (schema: string) => {
    const url = new URL(SERVICES.postgres.url);
    url.searchParams.set('schema', schema);
    return url.toString();
  };
  return {
    name: 'postgres',
    available,
    newLocation() {
      const schema = `${prefix}_${schemas.length}`;
      schemas.push(schema);
      return schema;
    },
    spec,
    open: (schema, options) => openCatalog(spec(schema), '/nonexistent', { poolMax: 4, ...options }),
    async teardown() {
      if (!available || schemas.length === 0) return;
      const client = new pg.Client({ connectionString: SERVICES.postgres.url });
      await client.connect();
      try {
        for (const s of schemas.splice(0)) await client.query(`drop schema if exists "${s}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Both back-ends, for `describe.each`. */
export async function backends(): Promise<Backend[]> {
  return [sqliteBackend(), await postgresBackend()];
}
