import mysql from 'mysql2/promise';
import { type ConfigInput, resolveConfig } from '../../src/config/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { silentLogger } from '../../src/shared/index.js';
import { tempDir } from './tmp.js';

/** Password of `root` in test servers. */
export const TEST_ROOT_PASSWORD = 'test-root-pw';

/** A Lakecast server started in-process on free ports over a temporary data dir. */
export interface TestServer extends RunningServer {
  readonly dataDir: string;
  /** Closes the server and removes its data dir. */
  stop(): Promise<void>;
}

/** Starts a server for a test (ports 0, temp data dir, silent logs unless LAKECAST_TEST_LOGS=1). */
export async function startTestServer(overrides: ConfigInput = {}): Promise<TestServer> {
  const tmp = tempDir('lakecast-srv-');
  const config = resolveConfig({
    overrides: { dataDir: tmp.dir, mysqlPort: 0, httpPort: 0, logLevel: 'silent', ...overrides },
  });
  const server = await startServer(config, {
    rootPassword: TEST_ROOT_PASSWORD,
    announce: false,
    logger: process.env.LAKECAST_TEST_LOGS ? undefined : silentLogger(),
  });
  return {
    ...server,
    dataDir: tmp.dir,
    stop: async () => {
      await server.close();
      tmp.cleanup();
    },
  };
}

/** A mysql2 connection to a test server's MySQL port, as `root` unless `options` say otherwise. */
export function connectMysql(
  server: { readonly mysqlPort: number },
  options: mysql.ConnectionOptions = {},
): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: '127.0.0.1',
    port: server.mysqlPort,
    user: 'root',
    password: TEST_ROOT_PASSWORD,
    ...options,
  });
}
