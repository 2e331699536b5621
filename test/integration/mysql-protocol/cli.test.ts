import { execFile, execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MysqlServer } from '../../../src/mysql-protocol/index.js';
import { selfSignedCert } from '../../helpers/tls.js';
import { tempDir } from '../../helpers/tmp.js';
import { ROOT_PASSWORD, startServer } from './fake-session.js';

function which(bin: string): string | null {
  try {
    return realpathSync(execFileSync('which', [bin], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}
const MARIADB = which('mariadb');
const MYSQL = which('mysql');
if (!MARIADB) console.warn('\n!!! SKIPPING mariadb CLI tests: `mariadb` is not installed\n');

/** Runs a CLI; resolves with exit code, stdout and stderr (never rejects). */
function run(
  bin: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

let server: MysqlServer;
let tlsServer: MysqlServer;
let port: number;
let tlsPort: number;
const tmp = tempDir('lakecast-mysql-tls-');

beforeAll(async () => {
  ({ server, port } = await startServer());
  ({ server: tlsServer, port: tlsPort } = await startServer({ tls: selfSignedCert(tmp.dir) }));
});
afterAll(async () => {
  await server?.close();
  await tlsServer?.close();
  tmp.cleanup();
});

const login = (p: number, extra: string[] = []) => [
  '-h127.0.0.1',
  `-P${p}`,
  '-uroot',
  `-p${ROOT_PASSWORD}`,
  ...extra,
];

describe.skipIf(!MARIADB)('mariadb CLI', () => {
  it('-e "select 3" - batch output', async () => {
    const r = await run(MARIADB!, [...login(port), '-e', 'select 3']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'id\tname\tamount\tratio\tbig\n0\tname-0\t0.50\t0\t0\n1\tname-1\t1.50\t0.25\t1000000000\n2\tname-2\t2.50\t0.5\t2000000000\n',
    );
  });

  it('\\G - vertical output of every type', async () => {
    const r = await run(MARIADB!, [...login(port), '-e', 'types\\G']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ubi: 18446744073709551615');
    expect(r.stdout).toContain('  hi: 170141183460469231731687303715884105727');
    expect(r.stdout).toContain('  ts: 2024-02-29 13:45:07.123456');
    expect(r.stdout).toContain('   j: {"a":[1,2]}');
    expect(r.stdout).toContain('   n: NULL');
  });

  it('-c keeps comments; OK packet with affected rows and info', async () => {
    const r = await run(MARIADB!, [...login(port), '-c', '-vv', '-e', 'insert /* keep */ into t values (1)']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('insert /* keep */ into t values (1)');
    expect(r.stdout).toContain('Query OK, 3 rows affected, 1 warning');
    expect(r.stdout).toContain('Records: 3');
  });

  it('errors - exit code 1 and ERROR errno (SQLSTATE)', async () => {
    const r = await run(MARIADB!, [...login(port), '-e', 'fail']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'ERROR 1064 (42000) at line 1: You have an error in your SQL syntax near fail',
    );
    const denied = await run(MARIADB!, ['-h127.0.0.1', `-P${port}`, '-uroot', '-pwrong', '-e', 'select 1']);
    expect(denied.stderr).toContain(
      "ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using password: YES)",
    );
  });

  it('interactive-style script: use, several statements, table output, status', async () => {
    const r = await run(
      MARIADB!,
      [...login(port), '-t', 'lake'],
      'select 2;\nuse other;\nselect 1;\nstatus\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| id   | name   | amount | ratio | big        |');
    expect(r.stdout).toContain('8.0.36-Lakecast-0.1.0');
  });

  it('--ssl over TLS', async () => {
    const r = await run(MARIADB!, [...login(tlsPort, ['--ssl']), '-e', 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SSL:\s+Cipher in use is/);
    const q = await run(MARIADB!, [...login(tlsPort, ['--ssl']), '-e', 'select 2000']);
    expect(q.stdout.trim().split('\n')).toHaveLength(2001);
  });

  it.skipIf(!MYSQL || MYSQL === MARIADB)('mysql CLI (a different binary)', async () => {
    const r = await run(MYSQL!, [...login(port), '-e', 'select 1']);
    expect(r.stdout).toContain('name-0');
  });
});

describe('TLS with mysql2', () => {
  it('ssl: { rejectUnauthorized: false } - queries run over TLS', async () => {
    const mysql = (await import('mysql2/promise')).default;
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port: tlsPort,
      user: 'root',
      password: ROOT_PASSWORD,
      ssl: { rejectUnauthorized: false },
    });
    const [rows] = await c.query<import('mysql2').RowDataPacket[]>('select 500');
    expect(rows).toHaveLength(500);
    const [[t]] = await c.execute<import('mysql2').RowDataPacket[]>('types');
    expect(t.v).toBe('héllo ✓');
    expect(tlsServer.connections().every((s) => s.tls)).toBe(true);
    await c.end();
  });
});
