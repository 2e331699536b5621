import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Catalog, TableDefinition } from '../catalog/types.js';
import type { Engine } from '../engine/types.js';

/** Rows in the generated demo tables. */
export const DEMO_ROWS = { orders: 200_000, customers: 10_000, events: 120_000 } as const;

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

type DemoTable = Omit<TableDefinition, 'createdAt' | 'owner' | 'schema' | 'properties'> & {
  properties?: Record<string, string>;
  /** Writes the files with the engine (trusted SQL; `dir` is the table's folder). */
  generate(dir: string): string;
};

/**
 * The demo schema: `orders` (Parquet), `customers` (CSV with a header), `events` (Parquet, Hive-partitioned
 * by `dt`) and `test_table1` (a 2-row CSV, the table of DLA's async-query transcripts).
 */
const DEMO_TABLES: readonly DemoTable[] = [
  {
    name: 'orders',
    format: 'PARQUET',
    location: '',
    partitionColumns: [],
    comment: 'Generated orders',
    columns: [
      { name: 'order_id', type: 'BIGINT' },
      { name: 'customer_id', type: 'INT' },
      { name: 'status', type: 'STRING' },
      { name: 'amount', type: 'DECIMAL(12,2)' },
      { name: 'quantity', type: 'INT' },
      { name: 'order_date', type: 'DATE' },
      { name: 'created_at', type: 'TIMESTAMP' },
    ],
    generate: (dir) => `COPY (
      SELECT i::BIGINT AS order_id,
             (hash(i, 1) % ${DEMO_ROWS.customers} + 1)::INT AS customer_id,
             ['NEW','PAID','SHIPPED','DELIVERED','CANCELLED'][(hash(i, 2) % 5 + 1)::INT] AS status,
             round((hash(i, 3) % 100000) / 100.0 + 1, 2)::DECIMAL(12,2) AS amount,
             (hash(i, 4) % 9 + 1)::INT AS quantity,
             (DATE '2026-01-01' + (i % 320)::INT) AS order_date,
             (TIMESTAMP '2026-01-01 00:00:00' + to_seconds((i % 320) * 86400 + hash(i, 5) % 86400)) AS created_at
      FROM range(1, ${DEMO_ROWS.orders + 1}) t(i)
    ) TO ${quoteLiteral(path.join(dir, 'orders.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
  },
  {
    name: 'customers',
    format: 'CSV',
    location: '',
    partitionColumns: [],
    delimiter: ',',
    properties: { 'skip.header.line.count': '1' },
    comment: 'Generated customers',
    columns: [
      { name: 'customer_id', type: 'INT' },
      { name: 'name', type: 'STRING' },
      { name: 'city', type: 'STRING' },
      { name: 'signup_date', type: 'DATE' },
    ],
    generate: (dir) => `COPY (
      SELECT i::INT AS customer_id,
             'customer_' || i AS name,
             ['Shanghai','Hangzhou','Beijing','Shenzhen','Chengdu','Berlin','Lisbon','Austin'][(hash(i, 7) % 8 + 1)::INT] AS city,
             (DATE '2024-01-01' + (hash(i, 8) % 700)::INT) AS signup_date
      FROM range(1, ${DEMO_ROWS.customers + 1}) t(i)
    ) TO ${quoteLiteral(path.join(dir, 'customers.csv'))} (FORMAT csv, HEADER true)`,
  },
  {
    name: 'events',
    format: 'PARQUET',
    location: '',
    partitionColumns: [{ name: 'dt', type: 'DATE' }],
    comment: 'Generated page events, Hive-partitioned by day',
    columns: [
      { name: 'event_id', type: 'BIGINT' },
      { name: 'user_id', type: 'INT' },
      { name: 'event_type', type: 'STRING' },
      { name: 'duration_ms', type: 'INT' },
      { name: 'ts', type: 'TIMESTAMP' },
    ],
    generate: (dir) => `COPY (
      SELECT i::BIGINT AS event_id,
             (hash(i, 11) % 5000 + 1)::INT AS user_id,
             ['view','click','search','purchase'][(hash(i, 12) % 4 + 1)::INT] AS event_type,
             (hash(i, 13) % 30000)::INT AS duration_ms,
             (TIMESTAMP '2026-11-15 00:00:00' + to_seconds(i * 5)) AS ts,
             CAST(TIMESTAMP '2026-11-15 00:00:00' + to_seconds(i * 5) AS DATE) AS dt
      FROM range(0, ${DEMO_ROWS.events}) t(i)
    ) TO ${quoteLiteral(dir)} (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true)`,
  },
  {
    name: 'test_table1',
    format: 'CSV',
    location: '',
    partitionColumns: [],
    delimiter: ',',
    comment: "The table of DLA's async-query transcripts",
    columns: [
      { name: 'id', type: 'INT' },
      { name: 'name', type: 'STRING' },
    ],
    generate: (dir) =>
      `COPY (SELECT * FROM (VALUES (1, 'lakecast'), (2, 'data lake analytics')) v(id, name)) TO ${quoteLiteral(
        path.join(dir, 'data.csv'),
      )} (FORMAT csv, HEADER false)`,
  },
];

/**
 * Generates the demo data under `<lakeDir>/demo/<table>/` and registers schema `demo` and its tables in the
 * catalog, owned by `owner`. Idempotent: tables already in the catalog are left alone.
 */
export async function installDemo(deps: {
  engine: Engine;
  catalog: Catalog;
  lakeDir: string;
  owner: string;
}): Promise<string[]> {
  const created: string[] = [];
  await deps.catalog.createSchema(
    { name: 'demo', owner: deps.owner, comment: 'Generated demo data' },
    { ifNotExists: true },
  );
  for (const table of DEMO_TABLES) {
    if (await deps.catalog.getTable('demo', table.name)) continue;
    const dir = path.join(deps.lakeDir, 'demo', table.name);
    mkdirSync(dir, { recursive: true });
    await deps.engine.exec(table.generate(dir));
    const { generate: _generate, ...def } = table;
    await deps.catalog.createTable(
      {
        ...def,
        schema: 'demo',
        owner: deps.owner,
        location: pathToFileURL(dir).href + '/',
        properties: table.properties ?? {},
      },
      { ifNotExists: true },
    );
    created.push(table.name);
  }
  return created;
}
