import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakecast } from '../../helpers/lakecast-cli.js';
import { startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';

describe('cli - lakecast sql against a running server', () => {
  let server: TestServer;
  let url: string;
  const env = () => ({ LAKECAST_PASSWORD: TEST_ROOT_PASSWORD, LAKECAST_URL: url });

  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    url = `http://127.0.0.1:${server.httpPort}`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('prints a table by default', async () => {
    const res = await lakecast(['sql', 'SELECT id, name FROM demo.test_table1 ORDER BY id'], env());
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('| id | name                |');
    expect(res.stdout).toContain('| 2  | data lake analytics |');
    expect(res.stderr).toContain('2 rows in set');
  });

  it('--format csv writes RFC 4180 with a header', async () => {
    const res = await lakecast(
      ['sql', '--format', 'csv', "SELECT 1 AS a, 'x,y' AS b, 'say \"hi\"' AS c"],
      env(),
    );
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toBe('a,b,c\r\n1,"x,y","say ""hi"""\r\n');
  });

  it('--format json writes one object per row', async () => {
    const res = await lakecast(
      ['sql', '-d', 'demo', '--format', 'json', 'SELECT id FROM test_table1 ORDER BY id'],
      env(),
    );
    expect(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('errors print the stable code and exit non-zero', async () => {
    const bad = await lakecast(['sql', 'SELECT * FROM demo.missing'], env());
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error LC_\w+: /);
    const denied = await lakecast(['sql', 'SELECT 1'], { ...env(), LAKECAST_PASSWORD: 'wrong' });
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain('LC_HTTP_AUTH_REQUIRED');
    const down = await lakecast(['sql', '--url', 'http://127.0.0.1:1', 'SELECT 1'], env());
    expect(down.stderr).toContain('LC_CLI_UNREACHABLE');
  });
});
