import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/index.js';
import { startServer } from '../../../src/server/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { connectMysql, TEST_ROOT_PASSWORD } from '../../helpers/server.js';
import { tempDir } from '../../helpers/tmp.js';

describe('server - restart', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('table definitions, users and grants are back after a restart', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const files = path.join(tmp.dir, 'files', 'sales');
    mkdirSync(path.join(files, 'dt=2026-11-21'), { recursive: true });
    mkdirSync(path.join(files, 'dt=2026-11-22'), { recursive: true });
    writeFileSync(path.join(files, 'dt=2026-11-21', 'a.csv'), 'region,amount\nnorth,10\nsouth,20\n');
    writeFileSync(path.join(files, 'dt=2026-11-22', 'b.csv'), 'region,amount\nnorth,5\n');
    const config = resolveConfig({
      overrides: { dataDir, mysqlPort: 0, httpPort: 0, lake: { fileRoots: [path.join(tmp.dir, 'files')] } },
    });
    const open = async () => {
      const server = await startServer(config, {
        rootPassword: TEST_ROOT_PASSWORD,
        announce: false,
        logger: silentLogger(),
      });
      const conn = await connectMysql(server);
      return { server, conn };
    };

    const first = await open();
    await first.conn.query('CREATE DATABASE shop');
    await first.conn.query(
      `CREATE EXTERNAL TABLE shop.sales (region STRING, amount INT) PARTITIONED BY (dt DATE)
       ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS CSV
       LOCATION 'file://${files}/' TBLPROPERTIES ('skip.header.line.count'='1')`,
    );
    await first.conn.query("CREATE USER 'bob' IDENTIFIED BY 'bob-pw'");
    await first.conn.query("GRANT SELECT ON shop.* TO 'bob'");
    await first.conn.end();
    await first.server.close();

    const second = await open();
    try {
      const [rows] = await second.conn.query(
        'SELECT dt, sum(amount) AS total FROM shop.sales GROUP BY dt ORDER BY dt',
      );
      expect((rows as { total: unknown }[]).map((r) => Number(r.total))).toEqual([30, 5]);
      const [ddl] = await second.conn.query('SHOW CREATE TABLE shop.sales');
      expect(JSON.stringify(ddl)).toContain('PARTITIONED BY');
      const bob = await connectMysql(second.server, { user: 'bob', password: 'bob-pw' });
      const [bobRows] = await bob.query('SELECT count(*) AS n FROM shop.sales');
      expect(Number((bobRows as { n: unknown }[])[0].n)).toBe(3);
      await bob.end();
    } finally {
      await second.conn.end();
      await second.server.close();
    }
  });
});
