import {
  createMysqlServer,
  type MysqlServer,
  type MysqlServerOptions,
  nativePasswordHash,
  type ProtocolSession,
} from '../../../src/mysql-protocol/index.js';
import {
  type Cell,
  type ColumnMeta,
  CommonErrors,
  LakecastError,
  type RowBatch,
  rowsResult,
  type StatementResult,
} from '../../../src/shared/index.js';

export const ROOT_PASSWORD = 'pw-s3cret';

/** Columns of `SELECT n`: five typed columns. */
export const SERIES_COLUMNS: ColumnMeta[] = [
  { name: 'id', type: 'INTEGER' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DECIMAL', precision: 10, scale: 2 },
  { name: 'ratio', type: 'DOUBLE' },
  { name: 'big', type: 'BIGINT' },
];

/** One row of every ValueType. */
export const TYPES_COLUMNS: ColumnMeta[] = [
  { name: 'b', type: 'BOOLEAN' },
  { name: 'ti', type: 'TINYINT' },
  { name: 'si', type: 'SMALLINT' },
  { name: 'i', type: 'INTEGER' },
  { name: 'bi', type: 'BIGINT' },
  { name: 'uti', type: 'UTINYINT' },
  { name: 'usi', type: 'USMALLINT' },
  { name: 'ui', type: 'UINTEGER' },
  { name: 'ubi', type: 'UBIGINT' },
  { name: 'hi', type: 'HUGEINT' },
  { name: 'f', type: 'FLOAT' },
  { name: 'd', type: 'DOUBLE' },
  { name: 'dec', type: 'DECIMAL', precision: 12, scale: 3 },
  { name: 'v', type: 'VARCHAR' },
  { name: 'bl', type: 'BLOB' },
  { name: 'dt', type: 'DATE' },
  { name: 'tm', type: 'TIME' },
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'tstz', type: 'TIMESTAMPTZ' },
  { name: 'iv', type: 'INTERVAL' },
  { name: 'u', type: 'UUID' },
  { name: 'j', type: 'JSON' },
  { name: 'n', type: 'VARCHAR' },
];

export const TYPES_ROW: Cell[] = [
  true,
  -5,
  -300,
  -70000,
  -9007199254740993n,
  250,
  65000,
  4000000000,
  18446744073709551615n,
  170141183460469231731687303715884105727n,
  1.5,
  Math.PI,
  '12345.678',
  'héllo ✓',
  new Uint8Array([0, 1, 2, 255]),
  '2024-02-29',
  '13:45:07.250000',
  '2024-02-29 13:45:07.123456',
  '2024-02-29 13:45:07',
  '1 day 02:00:00',
  '0f8fad5b-d9cb-469f-a165-70867728950e',
  '{"a":[1,2]}',
  null,
];

export const TestErrors = {
  FAIL: { code: 'LC_TEST_MYSQL_FAIL', errno: 1064, sqlState: '42000', httpStatus: 400 },
};

function seriesRow(i: number): Cell[] {
  return [i, `name-${i}`, `${i}.50`, i / 4, BigInt(i) * 1000000000n];
}

/** Lazily generates `n` rows in batches; records whether the consumer stopped early. */
export function series(n: number, probe?: { stopped: boolean; produced: number }, batchSize = 1024) {
  return {
    kind: 'rows' as const,
    columns: SERIES_COLUMNS,
    batches: (async function* (): AsyncGenerator<RowBatch> {
      try {
        for (let i = 0; i < n; i += batchSize) {
          const batch: Cell[][] = [];
          for (let j = i; j < Math.min(n, i + batchSize); j++) batch.push(seriesRow(j));
          if (probe) probe.produced += batch.length;
          yield batch;
        }
      } finally {
        if (probe) probe.stopped = true;
      }
    })(),
  };
}

const waitAbort = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

function jsonParams(params: readonly Cell[]): string {
  return JSON.stringify(params, (_k, v) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `hex:${Buffer.from(v).toString('hex')}`;
    return v;
  });
}

/** Shared state tests can inspect. */
export const probe = { stopped: false, produced: 0, sessionsClosed: 0, lastDb: '' as string };

async function answer(sql: string, params: readonly Cell[], signal: AbortSignal): Promise<StatementResult> {
  const s = sql.trim().replace(/;$/, '');
  let m = /^select (\d+)$/i.exec(s);
  if (m) return series(Number(m[1]));
  m = /^stream (\d+)$/i.exec(s);
  if (m) return series(Number(m[1]), probe);
  if (/^fail/i.test(s))
    throw new LakecastError(TestErrors.FAIL, 'You have an error in your SQL syntax near fail');
  if (/^boom/i.test(s)) throw new Error('secret at /home/lakecast/src/engine.ts:42');
  if (/^types/i.test(s)) return rowsResult(TYPES_COLUMNS, [TYPES_ROW]);
  if (/^insert/i.test(s))
    return { kind: 'ok', affectedRows: 3, lastInsertId: 42, info: 'Records: 3', warnings: 1 };
  if (/^sleep/i.test(s)) return waitAbort(signal);
  m = /^midfail (\d+)$/i.exec(s);
  if (m) {
    const n = Number(m[1]);
    return {
      kind: 'rows',
      columns: SERIES_COLUMNS,
      batches: (async function* () {
        yield Array.from({ length: n }, (_, i) => seriesRow(i));
        throw new LakecastError(CommonErrors.TIMEOUT, 'engine gave up');
      })(),
    };
  }
  m = /^big (\d+)$/i.exec(s);
  if (m) return rowsResult([{ name: 'v', type: 'VARCHAR' }], [['x'.repeat(Number(m[1]))]]);
  if (/^length/i.test(s)) {
    const v = params[0];
    const len = typeof v === 'string' ? Buffer.byteLength(v) : v instanceof Uint8Array ? v.length : -1;
    return rowsResult([{ name: 'len', type: 'BIGINT' }], [[BigInt(len)]]);
  }
  if (/^echo/i.test(s)) return rowsResult([{ name: 'params', type: 'VARCHAR' }], [[jsonParams(params)]]);
  if (/^@@version|^select @@version_comment/i.test(s))
    return rowsResult([{ name: '@@version_comment', type: 'VARCHAR' }], [['Lakecast']]);
  return { kind: 'ok' };
}

/** A ProtocolSession that answers a few fixed statements (the SQL front is not this module's job). */
export function fakeSession(): ProtocolSession {
  return {
    query: (sql, signal) => answer(sql, [], signal),
    async useDatabase(name) {
      if (name === 'nope')
        throw new LakecastError(
          { code: 'LC_TEST_BAD_DB', errno: 1049, sqlState: '42000', httpStatus: 404 },
          `Unknown database '${name}'`,
        );
      probe.lastDb = name;
    },
    async prepare(sql) {
      if (/^fail/i.test(sql)) throw new LakecastError(TestErrors.FAIL, 'cannot prepare');
      const paramCount = (sql.match(/\?/g) ?? []).length;
      return { paramCount, columns: /^select \d+$/i.test(sql) ? SERIES_COLUMNS : [] };
    },
    execute: (sql, params, signal) => answer(sql, params, signal),
    async close() {
      probe.sessionsClosed++;
    },
  };
}

/** Starts a server on 127.0.0.1:0 with users root/ROOT_PASSWORD and nopw (empty password). */
export async function startServer(
  extra: Partial<MysqlServerOptions> = {},
): Promise<{ server: MysqlServer; port: number }> {
  const hashes: Record<string, Buffer> = { root: nativePasswordHash(ROOT_PASSWORD), nopw: Buffer.alloc(0) };
  const server = createMysqlServer({
    host: '127.0.0.1',
    port: 0,
    hooks: {
      lookupNativeHash: async (user) => hashes[user] ?? null,
      openSession: async (info) => {
        if (info.database === 'nope')
          throw new LakecastError(
            { code: 'LC_TEST_BAD_DB', errno: 1049, sqlState: '42000', httpStatus: 404 },
            `Unknown database 'nope'`,
          );
        return fakeSession();
      },
    },
    ...extra,
  });
  const { port } = await server.listen();
  return { server, port };
}
