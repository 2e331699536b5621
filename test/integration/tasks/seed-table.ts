import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SqlSession } from '../../../src/sql/types.js';
import { type Harness, run, writeFiles } from '../sql/harness.js';

/**
 * Creates `<schema>.<table>` (id INT, name STRING, score DOUBLE) over a 2-row CSV with a header in
 * `<lake>/<dir>/` — values chosen to need RFC 4180 quoting ('a,b', 'say "hi"') and a NULL — and makes `schema`
 * the session's database.
 */
export async function createSeedTable(
  h: Harness,
  s: SqlSession,
  names: { schema: string; table: string; dir: string },
): Promise<void> {
  const dir = path.join(h.lake, names.dir);
  mkdirSync(dir, { recursive: true });
  await writeFiles([
    `COPY (SELECT * FROM (VALUES (1, 'a,b', NULL), (2, 'say "hi"', 2.5)) t(id, name, score)) TO '${dir}/${names.table}.csv' (HEADER)`,
  ]);
  await run(s, `CREATE DATABASE IF NOT EXISTS ${names.schema}`);
  await run(s, `USE ${names.schema}`);
  await run(
    s,
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${names.table} (id INT, name STRING, score DOUBLE)
     ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
     STORED AS CSV LOCATION '${pathToFileURL(dir).href}/' TBLPROPERTIES ('skip.header.line.count'='1')`,
  );
}
