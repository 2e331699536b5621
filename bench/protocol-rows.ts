/**
 * MySQL-protocol result throughput: rows/s of a 5-column result (INTEGER, VARCHAR, DECIMAL, DOUBLE, BIGINT)
 * received by a minimal client that only walks packet headers, for the text (COM_QUERY) and binary
 * (COM_STMT_EXECUTE) paths.
 * Rows are pre-built so the number measures the protocol encoder + socket, not row generation.
 * Reference in the same run: MariaDB on 127.0.0.1:3306 (root, no password; LAKECAST_BENCH_MARIADB_PORT to
 * override) streaming the same shape from its sequence engine to the same client, when reachable.
 * Run: npx tsx bench/protocol-rows.ts [rows]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createMysqlServer, nativePasswordHash } from '../src/mysql-protocol/index.js';
import type { Cell, ColumnMeta, RowBatch, RowsResult } from '../src/shared/index.js';
import { countRows, RawClient } from '../test/integration/mysql-protocol/raw-client.js';

const total = Number(process.argv[2] ?? 5_000_000);
const BATCH = 4096;
const columns: ColumnMeta[] = [
  { name: 'id', type: 'INTEGER' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DECIMAL', precision: 10, scale: 2 },
  { name: 'ratio', type: 'DOUBLE' },
  { name: 'big', type: 'BIGINT' },
];
const batch: Cell[][] = Array.from({ length: BATCH }, (_, i) => [
  i * 7919,
  `customer-${i}`,
  `${i}.25`,
  i / 8,
  BigInt(i) * 1_000_003n,
]);

/** The whole result, generated lazily batch by batch (the same pre-built batch every time). */
const result = async (): Promise<RowsResult> => ({
  kind: 'rows',
  columns,
  batches: (async function* (): AsyncGenerator<RowBatch> {
    for (let n = 0; n < total; n += BATCH) yield n + BATCH <= total ? batch : batch.slice(0, total - n);
  })(),
});

const server = createMysqlServer({
  host: '127.0.0.1',
  port: 0,
  hooks: {
    lookupNativeHash: async () => nativePasswordHash('pw'),
    openSession: async () => ({
      query: result,
      useDatabase: async () => {},
      prepare: async () => ({ paramCount: 0, columns: [] }),
      execute: result,
      close: async () => {},
    }),
  },
});

type Run = { target: string; run: number; rows: number; seconds: number; rowsPerSecond: number };

/** Logs in with the minimal client and times `sql` three times. */
async function measure(
  target: string,
  port: number,
  user: string,
  password: string,
  sql: string,
  binary = false,
): Promise<Run[]> {
  const client = await RawClient.connect(port);
  const answer = await client.login(user, password);
  if (answer[0] !== 0) throw new Error(`${target}: login failed`);
  let command = Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]);
  if (binary) {
    client.send(Buffer.concat([Buffer.from([0x16]), Buffer.from(sql)]));
    const ok = await client.read();
    if (ok?.payload[0] !== 0) throw new Error(`${target}: prepare failed`);
    const columns = ok.payload.readUInt16LE(5);
    for (let i = 0; i < (columns > 0 ? columns + 1 : 0); i++) await client.read();
    command = Buffer.concat([Buffer.from([0x17]), ok.payload.subarray(1, 5), Buffer.from([0, 1, 0, 0, 0])]);
  }
  client.socket.removeAllListeners('data');
  const out: Run[] = [];
  // run 0 warms up the JIT and socket buffers; it is printed but not recorded.
  for (let run = 0; run <= 3; run++) {
    const started = performance.now();
    const counting = countRows(client.socket);
    const payload = Buffer.concat([Buffer.alloc(4), command]);
    payload.writeUIntLE(payload.length - 4, 0, 3);
    client.socket.write(payload);
    const rows = await counting;
    const seconds = (performance.now() - started) / 1000;
    if (run > 0) out.push({ target, run, rows, seconds, rowsPerSecond: Math.round(rows / seconds) });
    console.log(
      `${target} run ${run}: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds).toLocaleString()} rows/s`,
    );
  }
  client.close();
  return out;
}

const { port } = await server.listen();
const results: Run[] = await measure('lakecast-text', port, 'root', 'pw', 'select');
results.push(...(await measure('lakecast-binary', port, 'root', 'pw', 'select', true)));
await server.close();
try {
  const mariadbPort = Number(process.env.LAKECAST_BENCH_MARIADB_PORT ?? 3306);
  const sql = `select seq, concat('customer-', seq), cast(seq + 0.25 as decimal(10,2)), seq / 8e0, seq * 1000003 from mysql.seq_1_to_${total}`;
  results.push(...(await measure('mariadb-10.11-text', mariadbPort, 'root', '', sql)));
} catch (err) {
  console.warn(`reference MariaDB not measured: ${(err as Error).message}`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/protocol-rows.json',
  `${JSON.stringify({ bench: 'protocol-rows', node: process.version, date: new Date().toISOString(), total, results }, null, 2)}\n`,
);
