import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadb } from '../../helpers/cli.js';
import { startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';

describe('server - the real mariadb CLI against the demo data', async () => {
  let server: TestServer;
  const run = (args: string[], input?: string) =>
    mariadb(server.mysqlPort, args, { password: TEST_ROOT_PASSWORD, input });

  beforeAll(async () => {
    server = await startTestServer({ demo: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('-e runs a query over the Parquet demo table', async () => {
    const res = await run(['-N', '-B', '-e', 'SELECT count(*) FROM demo.orders']);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('200000');
  });

  it('\\G prints vertical rows', async () => {
    const res = await run(['-e', 'SELECT id, name FROM demo.test_table1 ORDER BY id LIMIT 1\\G']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('*************************** 1. row ***************************');
    expect(res.stdout).toMatch(/id: 1\n\s*name: lakecast/);
  });

  it('-c keeps comments, and the CSV demo table with a header is read', async () => {
    const res = await run(['-c', '-N', '-B', '-e', '/* a comment */ SELECT count(*) FROM demo.customers']);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('10000');
  });

  it('connect chatter and catalog statements work interactively', async () => {
    const res = await run(
      ['-t'],
      'SELECT @@version_comment LIMIT 1;\nSHOW DATABASES;\nUSE demo;\nSELECT DATABASE();\nSHOW TABLES;\nDESCRIBE orders;\nSHOW COLUMNS FROM customers;\n',
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('demo');
    expect(res.stdout).toContain('orders');
    expect(res.stdout).toContain('test_table1');
    expect(res.stdout).toMatch(/order_id\s*\|\s*bigint/i);
  });

  it('Hive partitions are queryable by their partition column', async () => {
    const res = await run([
      '-N',
      '-B',
      '-e',
      "SELECT count(*) FROM demo.events WHERE dt = DATE '2026-11-15'",
    ]);
    expect(res.stderr).toBe('');
    expect(Number(res.stdout.trim())).toBe(17280);
  });

  it('a wrong password gets errno 1045 and the server keeps serving', async () => {
    const bad = await mariadb(server.mysqlPort, ['-e', 'SELECT 1'], { password: 'wrong' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('1045');
    expect((await run(['-N', '-B', '-e', 'SELECT 1'])).stdout.trim()).toBe('1');
  });

  it('hostile SQL is refused with a clear error and the server keeps serving', async () => {
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM '/etc/passwd'",
      "COPY (SELECT 1) TO '/tmp/x.csv'",
      "ATTACH '/tmp/evil.db'",
      'INSTALL httpfs',
      "SET memory_limit='1TB'",
      "SELECT * FROM glob('/*')",
    ]) {
      const res = await run(['-e', sql]);
      expect(res.status, sql).not.toBe(0);
      expect(res.stderr, sql).toMatch(/ERROR \d{4}/);
      expect(res.stderr, sql).not.toContain('root:x:0:0');
    }
    expect((await run(['-N', '-B', '-e', 'SELECT 42'])).stdout.trim()).toBe('42');
  });
});
