import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAuthService } from '../auth/index.js';
import type { AuthUser } from '../auth/types.js';
import { openCatalog } from '../catalog/index.js';
import type { Config } from '../config/index.js';
import { createDuckDbEngine } from '../engine/index.js';
import { createHttpServer } from '../http/index.js';
import { archivePlugin, createArchiver, hubPlugin, openHub } from '../hub/index.js';
import { createMetrics } from '../metrics/index.js';
import { createMysqlServer } from '../mysql-protocol/index.js';
import { createReceipts } from '../receipts/index.js';
import { createLogger, type Logger } from '../shared/index.js';
import { createSqlFront, type SqlFront } from '../sql/index.js';
import { resolveLocation } from '../storage/index.js';
import {
  createTasksCapability,
  engineParquetWriter,
  errorCodeOf,
  mirrorEngine,
  startThreadExecutor,
} from '../tasks/index.js';
import { installDemo } from './demo.js';
import { authorizeHub } from './hub-access.js';
import { Lifecycle } from './lifecycle.js';
import { raiseEventLoopPriority } from './priority.js';
import { catalogSecretBox } from './secrets.js';
import { warnIfPoolSmall } from './thread-pool.js';
import { MYSQL_SERVER_VERSION, VERSION } from './version.js';

/** HTTP requests get session ids from here up, apart from MySQL connection ids (which count from 1). */
export const HTTP_CONNECTION_ID_BASE = 2_000_000_000;

/** A running Lakecast server. */
export interface RunningServer {
  readonly config: Config;
  readonly logger: Logger;
  readonly mysqlPort: number;
  readonly httpPort: number;
  /** Printed once on first start when no LAKECAST_ROOT_PASSWORD was given. */
  readonly generatedRootPassword?: string;
  /** Graceful shutdown: stop accepting, end connections, close the engine and the catalog. */
  close(): Promise<void>;
}

/** Options for embedding or testing (the CLI passes none). */
export interface StartOptions {
  readonly logger?: Logger;
  /** Root password on first start (default: LAKECAST_ROOT_PASSWORD, else generated). */
  readonly rootPassword?: string;
  /** Print the generated root password to stderr (default true). */
  readonly announce?: boolean;
}

/**
 * The composition root: opens the catalog, the engine and every capability, then the MySQL and HTTP
 * listeners. First start creates the data dir, the catalog, the `root` user and (with `demo`) the demo schema.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const life = new Lifecycle(logger);
  try {
    const lakeDir = path.join(config.dataDir, 'lake');
    const cacheDir = path.join(config.dataDir, 'cache');
    for (const dir of [config.dataDir, lakeDir, cacheDir, path.join(config.dataDir, 'tmp')])
      mkdirSync(dir, { recursive: true });

    const catalog = await openCatalog(config.catalog, config.dataDir);
    life.onClose('catalog', () => catalog.close());
    await catalog.migrate();

    const auth = createAuthService(catalog, { logger });
    const rootPassword = options.rootPassword ?? process.env.LAKECAST_ROOT_PASSWORD;
    const boot = await auth.bootstrapRoot(rootPassword || undefined);
    if (boot.generatedPassword && options.announce !== false) {
      // Shown once, on the terminal only: never through the logger (logs are kept and shipped).
      process.stderr.write(
        `\nLakecast created user 'root' with the generated password:\n\n    ${boot.generatedPassword}\n\n` +
          'It is shown only this once. Set LAKECAST_ROOT_PASSWORD before the first start to choose it.\n\n',
      );
    }

    const metrics = createMetrics();
    const mainEngine = await createDuckDbEngine({
      memoryLimit: config.limits.engineMemoryLimit,
      threads: config.limits.engineThreads,
      dataDir: config.dataDir,
      logger,
      allowedDirectories: [lakeDir, cacheDir, ...config.lake.fileRoots],
    });
    life.onClose('engine', () => mainEngine.close());
    const resultsUri =
      config.tasks.resultsUri || `${pathToFileURL(path.resolve(config.dataDir, 'results')).href}/`;
    // Task queries run on an engine of their own in a worker thread (docs/tasks.md "Executor thread"); the
    // main engine's lake-table changes are mirrored there.
    const executor =
      config.tasks.executor === 'thread'
        ? await startThreadExecutor(
            {
              dataDir: config.dataDir,
              memoryLimit: config.tasks.engineMemoryLimit,
              threads: config.limits.engineThreads,
              allowedDirectories: [lakeDir, cacheDir, ...config.lake.fileRoots],
              resultsUri,
              s3: config.s3,
              logLevel: config.logLevel,
            },
            { logger, onThreadStopped: () => metrics.taskExecutorRestarts.inc() },
          )
        : undefined;
    if (executor) life.onClose('task executor thread', () => executor.close());
    warnIfPoolSmall(logger, executor ? 2 : 1);
    const engine = executor ? mirrorEngine(mainEngine, executor, logger) : mainEngine;

    const fileRoots = [lakeDir, ...config.lake.fileRoots];
    const lake = async (uri: string) =>
      (await resolveLocation(uri, { fileRoots, cacheDir, s3: config.s3 })).localDir;

    const receipts = createReceipts({
      catalog,
      config: config.receipts,
      nodeCode: config.tasks.nodeCode,
      logger,
      secretBox: catalogSecretBox(config.dataDir),
    });
    // The tasks need the SQL front's sandbox and the front needs the tasks' statements: bind late.
    let sql: SqlFront | undefined;
    const tasks = createTasksCapability({
      catalog,
      engine,
      dataDir: config.dataDir,
      prepare: (ctx, text) => {
        if (!sql) throw new Error('SQL front not ready');
        return sql.prepareUserQuery(ctx, text);
      },
      resultsUri,
      executor,
      s3: config.s3,
      resultGzip: config.tasks.resultGzip,
      config: {
        concurrency: config.tasks.concurrency,
        maxQueuedPerUser: config.tasks.maxQueuedPerUser,
        maxRunningPerUser: config.tasks.maxRunningPerUser,
        defaultTimeoutMs: config.tasks.defaultTimeoutMs,
        retentionDays: config.tasks.retentionDays,
        historyDays: config.tasks.historyDays,
        nodeCode: config.tasks.nodeCode,
        maxResultBytes: config.tasks.maxResultBytes,
        minFreeDiskBytes: config.tasks.minFreeDiskBytes,
        resultUrlTtlSeconds: config.tasks.resultUrlTtlSeconds,
      },
      logger,
      resolveUser: (name) => auth.getUser(name),
      onFinishInTx: receipts.onFinishInTx,
      checkHints: (hints) => receipts.checkHints(hints),
      writeParquet: engineParquetWriter(engine),
    });
    receipts.attach(tasks.tasks.events);
    metrics.observeTaskQueue(() => tasks.tasks.stats());
    for (const event of ['task:succeeded', 'task:failed', 'task:cancelled'] as const) {
      tasks.tasks.events.on(event, (e) => {
        metrics.tasksFinished.inc({ status: e.status });
        if (e.status === 'FAILURE') metrics.taskFailures.inc({ code: errorCodeOf(e.task?.message) });
        if (e.task?.elapse_time != null)
          metrics.taskDuration.observe({ status: e.status }, e.task.elapse_time / 1000);
      });
    }

    const hub = await openHub(config.hub.location || path.join(config.dataDir, 'hub'), {
      embedded: {
        durability:
          config.hub.durability === 'interval'
            ? { mode: 'interval', intervalMs: config.hub.intervalMs }
            : { mode: 'batch' },
      },
    });
    life.onClose('hub', () => hub.close());

    let mysql: ReturnType<typeof createMysqlServer> | undefined;
    sql = createSqlFront({
      engine,
      catalog,
      auth,
      config,
      logger,
      resolveLocation: lake,
      serverVersion: MYSQL_SERVER_VERSION,
      extensions: [...tasks.extensions, ...receipts.extensions],
      connections: {
        list: () => mysql?.connections() ?? [],
        kill: (id, opts) => mysql?.kill(id, opts) ?? false,
      },
      onQueryFinished: (event) => {
        const protocol = event.connectionId >= HTTP_CONNECTION_ID_BASE ? 'http' : 'mysql';
        metrics.queries.inc({ protocol, status: event.ok ? 'ok' : 'error' });
        if (!event.ok) metrics.queryErrors.inc({ protocol, code: event.errorCode ?? 'LC_INTERNAL' });
        metrics.queryDuration.observe({ protocol }, event.stats.elapsedMs / 1000);
        metrics.rowsReturned.inc({ protocol }, event.stats.rowsReturned);
        metrics.scannedBytes.inc({ protocol }, event.stats.scannedBytes);
      },
    });

    if (config.demo && (await catalog.getSetting('demo.installed')) === null) {
      const created = await installDemo({ engine, catalog, lakeDir, owner: 'root' });
      await catalog.setSetting('demo.installed', new Date().toISOString());
      logger.info({ tables: created }, 'demo schema installed');
    }
    await sql.loadTables();
    const front = sql;
    await tasks.tasks.start();
    await receipts.start();
    // Archives of hub topics into the lake; registered after the hub so it stops (and flushes) before the hub closes.
    const archiver = createArchiver({ hub, engine, catalog, lakeDir, logger });
    await archiver.start();
    life.onClose('archiver', () => archiver.stop());
    // Closed in reverse: tasks stop first, then receipts drain, then hub, engine and catalog.
    life.onClose('receipts', () => receipts.close());
    life.onClose('tasks', () => tasks.tasks.close());

    const tls = config.tls
      ? { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) }
      : undefined;
    mysql = createMysqlServer({
      host: config.host,
      port: config.mysqlPort,
      tls,
      maxConnections: config.limits.maxConnections,
      maxPacketBytes: config.limits.maxPacketBytes,
      serverVersion: MYSQL_SERVER_VERSION,
      hooks: {
        lookupNativeHash: (user) => auth.lookupNativeHash(user),
        openSession: async (info) => {
          const user = await auth.getUser(info.user);
          if (!user) throw new Error('user vanished after authentication');
          return front.openSession({ ...info, user });
        },
      },
    });
    mysql.on('connection:opened', () => {
      metrics.connections.inc({ protocol: 'mysql' });
      metrics.connectionsTotal.inc({ protocol: 'mysql' });
    });
    mysql.on('connection:closed', () => metrics.connections.dec({ protocol: 'mysql' }));
    mysql.on('auth:failed', (e) =>
      logger.warn({ user: e.user, remote: e.remoteAddress }, 'authentication failed'),
    );
    const mysqlAddress = await mysql.listen();
    life.onClose('mysql', () => mysql?.close() ?? Promise.resolve());

    let httpConnectionId = HTTP_CONNECTION_ID_BASE;
    const http = await createHttpServer({
      host: config.host,
      port: config.httpPort,
      maxConnections: config.limits.maxHttpConnections,
      auth,
      tokens: auth,
      metrics,
      logger,
      version: VERSION,
      sql: {
        openSession: (user: AuthUser, database, remoteAddress) =>
          front.openSession({ connectionId: httpConnectionId++, user, database, remoteAddress }),
      },
      publicPlugins: [tasks.links],
      plugins: [
        tasks.http,
        { prefix: '/hub', plugin: hubPlugin({ hub, authorize: authorizeHub(auth) }) },
        {
          prefix: '/hub',
          plugin: archivePlugin({
            archiver,
            authorize: authorizeHub(auth),
            canCreateTable: (user, schema) => auth.canCreate(user, schema),
          }),
        },
      ],
      health: async () => {
        await catalog.getSetting('initialized'); // throws when the catalog database is unreachable
        return { catalog: 'ok' };
      },
    });
    await http.listen({ host: config.host, port: config.httpPort });
    life.onClose('http', () => http.close());
    const httpAddress = http.server.address();
    const httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : config.httpPort;

    // Last: threads started before keep their own priority (a thread inherits its creator's).
    const restorePriority = raiseEventLoopPriority(config.eventLoopNice, logger);
    life.onClose('event loop priority', async () => restorePriority());
    logger.info(
      {
        mysql: `${config.host}:${mysqlAddress.port}`,
        http: `${config.host}:${httpPort}`,
        dataDir: config.dataDir,
      },
      'lakecast ready',
    );
    return {
      config,
      logger,
      mysqlPort: mysqlAddress.port,
      httpPort,
      generatedRootPassword: boot.generatedPassword,
      close: () => life.close(),
    };
  } catch (err) {
    await life.close();
    throw err;
  }
}
