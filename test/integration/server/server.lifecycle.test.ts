import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/index.js';
import { startServer } from '../../../src/server/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { connectMysql, TEST_ROOT_PASSWORD } from '../../helpers/server.js';
import { SERVICES, serviceAvailable } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('server - lifecycle', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} shuts down cleanly with exit code 0`, async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(root, 'src/cli/main.ts'),
          'serve',
          '--data-dir',
          path.join(tmp.dir, signal),
        ],
        {
          cwd: root,
          env: {
            ...process.env,
            LAKECAST_MYSQL_PORT: '0',
            LAKECAST_HTTP_PORT: '0',
            LAKECAST_ROOT_PASSWORD: 'pw',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('lakecast ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(out).toContain('shutting down');
    });
  }

  it('a server on a PostgreSQL catalog serves the demo schema and shares it with a second server', async () => {
    if (!(await serviceAvailable('postgres'))) return;
    const schema = `lc_srv_${process.pid}_${Date.now()}`;
    const catalog = `${SERVICES.postgres.url}?schema=${schema}`;
    const open = (name: string, demo: boolean) =>
      startServer(
        resolveConfig({
          overrides: { dataDir: path.join(tmp.dir, name), mysqlPort: 0, httpPort: 0, catalog, demo },
        }),
        { rootPassword: TEST_ROOT_PASSWORD, announce: false, logger: silentLogger() },
      );
    const first = await open('pg-a', true);
    const second = await open('pg-b', false);
    try {
      for (const server of [first, second]) {
        const conn = await connectMysql(server);
        const [rows] = await conn.query('SHOW TABLES FROM demo');
        expect(JSON.stringify(rows)).toContain('orders');
        await conn.end();
      }
    } finally {
      await second.close();
      await first.close();
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: SERVICES.postgres.url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
