import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type AuthService, createAuthService } from '../../../src/auth/index.js';
import type { AuthUser } from '../../../src/auth/types.js';
import { type Catalog, openCatalog } from '../../../src/catalog/index.js';
import { ConfigSchema } from '../../../src/config/index.js';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import type { ConnectionState } from '../../../src/mysql-protocol/types.js';
import { type Cell, type Logger, type StatementResult, silentLogger } from '../../../src/shared/index.js';
import { createSqlFront } from '../../../src/sql/index.js';
import type { QueryFinishedEvent, SqlFront, SqlFrontDeps, SqlSession } from '../../../src/sql/types.js';
import { resolveLocation, type S3Settings } from '../../../src/storage/index.js';
import { tempDir } from '../../helpers/tmp.js';
import type { Backend } from '../catalog/backends.js';

export const ROOT: AuthUser = { name: 'root', admin: true };

const depsByHarness = new Map<string, SqlFrontDeps>();

/** The dependencies the harness built its front with (to build another front over the same services). */
export function depsOf(h: Harness): SqlFrontDeps {
  const deps = depsByHarness.get(h.dir);
  if (!deps) throw new Error('unknown harness');
  return deps;
}

/** A whole SqlFront over the real engine, catalog (SQLite) and auth, in a temp data dir. */
export interface Harness {
  dir: string;
  lake: string;
  engine: DuckDbEngine;
  catalog: Catalog;
  auth: AuthService;
  front: SqlFront;
  events: QueryFinishedEvent[];
  connections: ConnectionState[];
  killed: { id: number; queryOnly: boolean }[];
  session(user?: AuthUser, database?: string | null): Promise<SqlSession>;
  /** Restarts the engine and the front over the same catalog (definitions must come back). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Options: S3 settings for `s3://` locations (tests with an S3-protocol server). */
export interface HarnessOptions {
  readonly s3?: S3Settings;
  /** Catalog back-end (default: SQLite in the temp dir). */
  readonly backend?: Backend;
  /** Logger for the front (default: silent). */
  readonly logger?: Logger;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const { dir, cleanup } = tempDir('lakecast-sql-');
  const lake = realpathSync(path.join(dir));
  mkdirSync(path.join(lake, 'lake'), { recursive: true });
  const lakeDir = path.join(lake, 'lake');
  const catalog = opts.backend
    ? await opts.backend.open(opts.backend.newLocation())
    : await openCatalog('sqlite', dir);
  await catalog.migrate();
  const auth = createAuthService(catalog, { logger: silentLogger(), cacheTtlMs: 0 });
  await auth.bootstrapRoot('root-pw');
  const config = ConfigSchema.parse({ dataDir: dir });
  const events: QueryFinishedEvent[] = [];
  const connections: ConnectionState[] = [];
  const killed: { id: number; queryOnly: boolean }[] = [];
  let nextId = 1;
  const make = async () => {
    const engine = await createDuckDbEngine({
      dataDir: dir,
      allowedDirectories: [lakeDir, path.join(dir, 'cache')],
      memoryLimit: '512MB',
      threads: 2,
    });
    const deps: SqlFrontDeps = {
      engine,
      catalog,
      auth,
      config,
      logger: opts.logger ?? silentLogger(),
      resolveLocation: async (uri) =>
        (
          await resolveLocation(uri, {
            fileRoots: [lakeDir],
            cacheDir: path.join(dir, 'cache'),
            ...(opts.s3 ? { s3: opts.s3 } : {}),
          })
        ).localDir,
      serverVersion: '8.0.36-lakecast-test',
      connections: {
        list: () => [...connections],
        kill: (id, o) => {
          killed.push({ id, queryOnly: o.queryOnly });
          return connections.some((c) => c.connectionId === id);
        },
      },
      onQueryFinished: (e) => events.push(e),
    };
    depsByHarness.set(dir, deps);
    const front = createSqlFront(deps);
    await front.loadTables();
    return { engine, front };
  };
  let { engine, front } = await make();
  const h: Harness = {
    dir,
    lake: lakeDir,
    engine,
    catalog,
    auth,
    front,
    events,
    connections,
    killed,
    session: (user = ROOT, database = null) =>
      h.front.openSession({ connectionId: nextId++, user, database, remoteAddress: '127.0.0.1' }),
    async restart() {
      await h.engine.close();
      ({ engine, front } = await make());
      h.engine = engine;
      h.front = front;
    },
    async close() {
      await h.engine.close();
      await catalog.close();
      await opts.backend?.teardown();
      cleanup();
    },
  };
  return h;
}

/** Runs a statement and collects its rows (column names and cells). */
export async function run(
  s: SqlSession,
  sql: string,
  signal = new AbortController().signal,
): Promise<{ columns: string[]; rows: Cell[][]; result: StatementResult }> {
  const result = await s.query(sql, signal);
  if (result.kind === 'ok') return { columns: [], rows: [], result };
  const rows: Cell[][] = [];
  for await (const b of result.batches) rows.push(...b);
  return { columns: result.columns.map((c) => c.name), rows, result };
}

/** Writes data files with a separate, unrestricted DuckDB (as any producer of lake files would). */
export async function writeFiles(statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const s of statements) await conn.run(s);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
