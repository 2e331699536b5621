/**
 * Hub + archiver + SQL front + MySQL protocol in one process for the archive tests, composed as the server's
 * composition root does (SQLite catalog, DuckDB engine restricted to the lake, embedded hub with a clock).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createAuthService } from '../../../src/auth/index.js';
import { openCatalog } from '../../../src/catalog/index.js';
import { ConfigSchema } from '../../../src/config/index.js';
import { createDuckDbEngine } from '../../../src/engine/index.js';
import { type ArchiveFaults, createArchiver, type Hub, openEmbeddedHub } from '../../../src/hub/index.js';
import { createMysqlServer } from '../../../src/mysql-protocol/index.js';
import { createLogger, silentLogger } from '../../../src/shared/index.js';
import { createSqlFront } from '../../../src/sql/index.js';
import type { SqlFront } from '../../../src/sql/types.js';
import { resolveLocation } from '../../../src/storage/index.js';

export interface ArchiveStackOptions {
  /** Hub clock (systemTime of appended records). Default `Date.now`. */
  readonly clock?: () => number;
  /** Start the MySQL protocol server (default true). */
  readonly mysql?: boolean;
  readonly faults?: ArchiveFaults;
  /** A hub to archive from instead of the embedded one in `<dataDir>/hub` (e.g. NATS); the caller closes it. */
  readonly hub?: Hub;
}

export async function startArchiveStack(dataDir: string, password: string, o: ArchiveStackOptions = {}) {
  const lakeDir = path.join(dataDir, 'lake');
  const cacheDir = path.join(dataDir, 'cache');
  for (const d of [lakeDir, cacheDir]) mkdirSync(d, { recursive: true });
  const config = ConfigSchema.parse({ dataDir });
  const logger = process.env.LAKECAST_TEST_LOGS ? createLogger({ level: 'info' }) : silentLogger();
  const catalog = await openCatalog('sqlite', dataDir);
  await catalog.migrate();
  const auth = createAuthService(catalog, { logger: silentLogger() });
  await auth.bootstrapRoot(password);
  const engine = await createDuckDbEngine({ dataDir, allowedDirectories: [lakeDir, cacheDir], threads: 1 });
  const hub =
    o.hub ??
    (await openEmbeddedHub({
      dir: path.join(dataDir, 'hub'),
      retentionCheckMs: 0,
      ...(o.clock ? { clock: o.clock } : {}),
    }));
  const archiver = createArchiver({
    hub,
    engine,
    catalog,
    lakeDir,
    waitMs: 200,
    logger,
    ...(o.faults ? { faults: o.faults } : {}),
  });
  let server: ReturnType<typeof createMysqlServer> | undefined;
  let front: SqlFront | undefined;
  if (o.mysql !== false) {
    front = createSqlFront({
      engine,
      catalog,
      auth,
      config,
      logger: silentLogger(),
      resolveLocation: async (uri) =>
        (await resolveLocation(uri, { fileRoots: [lakeDir], cacheDir })).localDir,
      serverVersion: '8.0.36-lakecast-test',
      connections: { list: () => server?.connections() ?? [], kill: (id, k) => server?.kill(id, k) ?? false },
    });
    await front.loadTables();
    server = createMysqlServer({
      host: '127.0.0.1',
      port: 0,
      maxConnections: 20,
      maxPacketBytes: 64 * 1024 * 1024,
      serverVersion: '8.0.36-lakecast-test',
      hooks: {
        lookupNativeHash: (user) => auth.lookupNativeHash(user),
        openSession: async (info) => {
          const user = await auth.getUser(info.user);
          if (!user) throw new Error('no such user');
          return front!.openSession({ ...info, user });
        },
      },
    });
  }
  const port = server ? (await server.listen()).port : 0;
  await archiver.start();
  return {
    port,
    hub,
    engine,
    catalog,
    archiver,
    lakeDir,
    close: async () => {
      await archiver.stop();
      await server?.close();
      if (!o.hub) await hub.close();
      await engine.close();
      await catalog.close();
    },
  };
}

export type ArchiveStack = Awaited<ReturnType<typeof startArchiveStack>>;

/** Waits until the archive subscription has committed `nextSequence` on every shard of the topic. */
export async function waitArchived(stack: ArchiveStack, project: string, topic: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  const def = await stack.archiver.getArchive(project, topic);
  if (!def) throw new Error('no archive');
  for (;;) {
    const t = await stack.hub.getTopic(project, topic);
    const offsets = await stack.hub.getOffsets(project, topic, def.subscriptionId);
    // Caught up when each shard's committed offset is past its last record (NATS sequences are sparse).
    const done = (t.shards ?? []).every(
      (s) =>
        s.lastSequence === undefined ||
        (offsets.find((o) => o.shardId === s.shardId)?.nextSequence ?? -1) > s.lastSequence,
    );
    if (done) return;
    if (Date.now() > deadline)
      throw new Error(`archive not caught up: ${JSON.stringify({ shards: t.shards, offsets })}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
