/**
 * A whole Lakecast stack in one process for the tasks' end-to-end tests and benchmark: SQLite catalog, auth
 * (root with `password`), DuckDB engine, SQL front with the async-task extensions, task service and the MySQL
 * protocol server on a free port. (The composition root does the same; this keeps the tests independent of it.)
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createAuthService } from '../../../src/auth/index.js';
import { openCatalog } from '../../../src/catalog/index.js';
import { ConfigSchema } from '../../../src/config/index.js';
import { createDuckDbEngine } from '../../../src/engine/index.js';
import { createMysqlServer } from '../../../src/mysql-protocol/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { createSqlFront } from '../../../src/sql/index.js';
import type { SqlFront } from '../../../src/sql/types.js';
import { resolveLocation } from '../../../src/storage/index.js';
import { createTasksCapability, type TaskServiceConfig } from '../../../src/tasks/index.js';

export async function startTaskStack(
  dataDir: string,
  password: string,
  taskConfig: TaskServiceConfig = { concurrency: 4 },
) {
  const lakeDir = path.join(dataDir, 'lake');
  const cacheDir = path.join(dataDir, 'cache');
  for (const d of [lakeDir, cacheDir]) mkdirSync(d, { recursive: true });
  const config = ConfigSchema.parse({ dataDir });
  const catalog = await openCatalog('sqlite', dataDir);
  await catalog.migrate();
  const auth = createAuthService(catalog, { logger: silentLogger() });
  await auth.bootstrapRoot(password);
  const engine = await createDuckDbEngine({ dataDir, allowedDirectories: [lakeDir, cacheDir], threads: 1 });
  let front: SqlFront | undefined;
  const capability = createTasksCapability({
    catalog,
    engine,
    dataDir,
    prepare: (ctx, sql) => front!.prepareUserQuery(ctx, sql),
    config: taskConfig,
  });
  const { tasks } = capability;
  let server: ReturnType<typeof createMysqlServer> | undefined;
  front = createSqlFront({
    engine,
    catalog,
    auth,
    config,
    logger: silentLogger(),
    resolveLocation: async (uri) => (await resolveLocation(uri, { fileRoots: [lakeDir], cacheDir })).localDir,
    serverVersion: '8.0.36-lakecast-bench',
    connections: { list: () => server?.connections() ?? [], kill: (id, o) => server?.kill(id, o) ?? false },
    extensions: capability.extensions,
  });
  await front.loadTables();
  await tasks.start();
  server = createMysqlServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 100,
    maxPacketBytes: 64 * 1024 * 1024,
    serverVersion: '8.0.36-lakecast-bench',
    hooks: {
      lookupNativeHash: (user) => auth.lookupNativeHash(user),
      openSession: async (info) => {
        const user = await auth.getUser(info.user);
        if (!user) throw new Error('no such user');
        return front!.openSession({ ...info, user });
      },
    },
  });
  const { port } = await server.listen();
  return {
    port,
    tasks,
    catalog,
    auth,
    engine,
    lakeDir,
    close: async () => {
      await server?.close();
      await tasks.close(1000);
      await engine.close();
      await catalog.close();
    },
  };
}
