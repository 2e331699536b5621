import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLA_TASK_COLUMNS, TASK_COLUMN_NAMES } from '../../../src/tasks/index.js';
import { mariadb } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { startTaskStack } from './stack.js';

const PASSWORD = 'cli-test-pw';

describe('seed transcripts with the real mariadb CLI', () => {
  let stack: Awaited<ReturnType<typeof startTaskStack>>;
  let tmp: ReturnType<typeof tempDir>;
  // The mariadb CLI strips comments (hints included) unless told to keep them: `--comments` (`-c`).
  // MySQL's own client keeps `/*+ … */` optimizer-hint comments even without it.
  const cli = (args: string[]) => mariadb(stack.port, ['--comments', ...args], { password: PASSWORD });

  beforeAll(async () => {
    tmp = tempDir('lakecast-tasks-cli-');
    stack = await startTaskStack(tmp.dir, PASSWORD);
    mkdirSync(path.join(stack.lakeDir, 't1'), { recursive: true });
    writeFileSync(path.join(stack.lakeDir, 't1', 'part-0.csv'), 'id,name\n1,alpha\n2,beta\n');
    const location = `${pathToFileURL(path.join(stack.lakeDir, 't1')).href}/`;
    const r = await cli([
      '-e',
      `CREATE DATABASE sh_tpch; USE sh_tpch; CREATE EXTERNAL TABLE test_table1 (id INT, name STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS CSV LOCATION '${location}' TBLPROPERTIES ('skip.header.line.count'='1');`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  afterAll(async () => {
    await stack?.close();
    tmp?.cleanup();
  });

  it('seed 000 - /*+ run-async=true */ answers ASYNC_TASK_ID; show query_task where id = …\\G shows DLA columns in order', async () => {
    const submit = await cli([
      '-D',
      'sh_tpch',
      '--batch',
      '-e',
      '/*+ run-async=true */select * from test_table1;',
    ]);
    expect(submit.stderr).toBe('');
    const lines = submit.stdout.trim().split('\n');
    expect(lines[0]).toBe('ASYNC_TASK_ID');
    const id = lines[1]!;
    expect(id).toMatch(/^q\d{12}lc[0-9a-z]{15}$/);

    let fields: [string, string][] = [];
    for (let i = 0; i < 200; i++) {
      const show = await cli(['-D', 'sh_tpch', '-e', `show query_task where id = '${id}'\\G`]);
      expect(show.stderr).toBe('');
      fields = show.stdout
        .split('\n')
        .filter((l) => /^\s*\w+: /.test(l) || /^\s*\w+:$/.test(l))
        .map((l) => {
          const m = /^\s*(\w+):\s?(.*)$/.exec(l)!;
          return [m[1]!, m[2]!];
        });
      if (fields.find(([k]) => k === 'status')?.[1] === 'SUCCESS') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(fields.map(([k]) => k)).toEqual([...TASK_COLUMN_NAMES]);
    expect(fields.slice(0, 27).map(([k]) => k)).toEqual([...DLA_TASK_COLUMNS]);
    const row = Object.fromEntries(fields);
    expect(row).toMatchObject({
      id,
      status: 'SUCCESS',
      task_name: 'SELECT',
      table_schema: 'sh_tpch',
      // exactly what the server received (the CLI adds the space and drops the `;`)
      command: '/*+ run-async=true */ select * from test_table1',
      creator_id: 'root',
      message: 'NULL',
      row_count: '2',
      cancellable_task: '0',
      mq_product: 'NULL',
      mq_total_time: 'NULL',
    });
    expect(row.result_file_oss_file).toMatch(new RegExp(`/\\d{4}/\\d\\d/\\d\\d/${id}/result\\.csv$`));
    expect(Number(row.scanned_data_bytes)).toBeGreaterThan(0);
  });

  it('seed 000 - receipt hints are stored and shown; KILL QUERY with the CLI', async () => {
    const submit = await cli([
      '-D',
      'sh_tpch',
      '--batch',
      '--skip-column-names',
      '-e',
      '/*+ run_async=true, mq-notify-by=ons, mq-topic=dla_shanghai_topic, mq-producer-id=PID_dla_shanghai */ select * from test_table1;',
    ]);
    const id = submit.stdout.trim();
    const show = await cli(['--batch', '-e', `show query_task where id = '${id}'`]);
    const [header, values] = show.stdout.trim().split('\n');
    const row = Object.fromEntries(header!.split('\t').map((k, i) => [k, values!.split('\t')[i]]));
    expect(row).toMatchObject({
      mq_product: 'ons',
      mq_model: 'topic',
      mq_topic: 'dla_shanghai_topic',
      mq_producer_id: 'PID_dla_shanghai',
    });

    const long = (
      await cli([
        '--batch',
        '--skip-column-names',
        '-e',
        '/*+ run-async=true */ SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b',
      ])
    ).stdout.trim();
    for (let i = 0; i < 200; i++) {
      if ((await stack.tasks.store.get(long))?.status === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const t0 = Date.now();
    const kill = await cli(['-e', `KILL QUERY '${long}'`]);
    expect(kill.stderr).toBe('');
    expect(Date.now() - t0).toBeLessThan(2000); // includes starting the CLI
    expect((await stack.tasks.store.get(long))?.status).toBe('CANCELLED');
    const bad = await cli(['-e', '/*+ run-async=true, mq-notify=ons */ select 1']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/ERROR 1064 \(42000\).*mq-notify/);
  });
});
