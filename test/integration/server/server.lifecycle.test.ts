import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/index.js';
import { startServer } from '../../../src/server/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { lakecast } from '../../helpers/lakecast-cli.js';
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
            LAKECAST_TASK_CONCURENCY: '4', // misspelt: warned about, not silently ignored
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
      expect(out).toContain(
        'LAKECAST_TASK_CONCURENCY is not a Lakecast setting and is ignored (did you mean LAKECAST_TASK_CONCURRENCY?)',
      );
    });
  }

  // A start that fails closes what it opened, then reports: it used to end with status 0 and no word at all (the
  // catalog's unreferenced background threads let the process run out of work while it awaited their exit).
  it('a start that fails (HTTP port taken, damaged link key) prints the error and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const dataDir = path.join(tmp.dir, 'fails');
    const env = { LAKECAST_ROOT_PASSWORD: 'pw', LAKECAST_MYSQL_PORT: '0' };
    try {
      const busy = await lakecast(['serve', '--data-dir', dataDir, '--http-port', String(taken)], env);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toMatch(/^error EADDRINUSE: .*address already in use/m);
    } finally {
      blocker.close();
    }
    writeFileSync(path.join(dataDir, 'secrets', 'result-links.key'), 'short');
    const damaged = await lakecast(['serve', '--data-dir', dataDir, '--http-port', '0'], env);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr).toMatch(/result-links\.key is not a 32-byte key; delete it to make a new one/);
  }, 60_000);

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
