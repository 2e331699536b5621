/**
 * MySQL-protocol result throughput: rows/s of a 5-column result (INTEGER, VARCHAR, DECIMAL, DOUBLE, BIGINT)
 * received by a minimal client that only walks packet headers, for the text (COM_QUERY) path.
 * Rows are pre-built so the number measures the protocol encoder + socket, not row generation.
 * Run: npx tsx bench/protocol-rows.ts [rows]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createMysqlServer, nativePasswordHash } from '../src/mysql-protocol/index.js';
import type { Cell, ColumnMeta, RowBatch } from '../src/shared/index.js';
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

const server = createMysqlServer({
  host: '127.0.0.1',
  port: 0,
  hooks: {
    lookupNativeHash: async () => nativePasswordHash('pw'),
    openSession: async () => ({
      query: async () => ({
        kind: 'rows',
        columns,
        batches: (async function* (): AsyncGenerator<RowBatch> {
          for (let n = 0; n < total; n += BATCH) yield n + BATCH <= total ? batch : batch.slice(0, total - n);
        })(),
      }),
      useDatabase: async () => {},
      prepare: async () => ({ paramCount: 0, columns: [] }),
      execute: async () => ({ kind: 'ok' }),
      close: async () => {},
    }),
  },
});
const { port } = await server.listen();
const client = await RawClient.connect(port);
await client.login('root', 'pw');
client.socket.removeAllListeners('data');
const results: { run: number; rows: number; seconds: number; rowsPerSecond: number }[] = [];
for (let run = 1; run <= 3; run++) {
  const started = performance.now();
  const counting = countRows(client.socket);
  const w = Buffer.from([0, 0, 0, 0, 0x03, ...Buffer.from('select')]);
  w.writeUIntLE(w.length - 4, 0, 3);
  client.socket.write(w);
  const rows = await counting;
  const seconds = (performance.now() - started) / 1000;
  results.push({ run, rows, seconds, rowsPerSecond: Math.round(rows / seconds) });
  console.log(
    `run ${run}: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds).toLocaleString()} rows/s`,
  );
}
client.close();
await server.close();
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/protocol-rows.json',
  `${JSON.stringify({ bench: 'protocol-rows', node: process.version, date: new Date().toISOString(), total, results }, null, 2)}\n`,
);
