import type { Command } from 'commander';
import { submitTask, waitForTask } from '../../tasks/index.js';
import { type ClientOptions, ndjsonLines, request } from '../client.js';
import { csvField, renderTable } from '../format.js';
import { terminalOutput } from '../progress.js';

/** Largest number of rows the table format collects before printing (csv/json stream without limit). */
export const TABLE_FORMAT_MAX_ROWS = 100_000;

/** Options shared by client commands. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'Lakecast HTTP API', process.env.LAKECAST_URL ?? 'http://127.0.0.1:8080')
    .option('-u, --user <user>', 'user name', process.env.LAKECAST_USER ?? 'root')
    .option('-p, --password <password>', 'password (or LAKECAST_PASSWORD)')
    .option('--token <token>', 'bearer token (or LAKECAST_TOKEN)');
}

/** Resolves client options from flags and env. */
export function clientOptions(opts: Record<string, string | undefined>): ClientOptions {
  return {
    url: opts.url ?? 'http://127.0.0.1:8080',
    user: opts.user,
    password: opts.password ?? process.env.LAKECAST_PASSWORD,
    token: opts.token ?? process.env.LAKECAST_TOKEN,
  };
}

interface NdjsonHeader {
  columns?: { name: string }[];
  error?: { code: string; message: string };
}

/** `lakecast sql "<statement>"`: runs one statement and prints the result. */
export function registerSqlCommand(program: Command): void {
  addClientOptions(
    program
      .command('sql')
      .description('run one SQL statement against a running server')
      .argument('<statement>', 'the SQL statement')
      .option('-d, --database <db>', 'current database')
      .option('-f, --format <format>', 'table | csv | json', 'table')
      .option('--async', 'submit as an async query task and print its id')
      .option(
        '--wait',
        'with --async: follow the task with a progress bar until it ends, then print a summary',
      ),
  ).action(async (statement: string, opts: Record<string, string | undefined>) => {
    if (opts.async) {
      const options = clientOptions(opts);
      const task = await submitTask({ request }, options, statement, opts.database);
      process.stdout.write(`${task.id}\n`);
      if (opts.wait) {
        const output = terminalOutput();
        const last = await waitForTask({ request }, options, task.id, output);
        output.stop();
        if (last.status !== 'SUCCESS') process.exitCode = 1;
      }
      return;
    }
    const format = opts.format ?? 'table';
    if (!['table', 'csv', 'json'].includes(format)) throw new Error(`unknown format ${format}`);
    const response = await request(clientOptions(opts), 'POST', 'v1/sql', {
      sql: statement,
      database: opts.database,
      format: 'ndjson',
    });
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.startsWith('application/json')) {
      const ok = (await response.json()) as { affectedRows?: number; info?: string };
      process.stdout.write(`OK, ${ok.affectedRows ?? 0} rows affected${ok.info ? ` (${ok.info})` : ''}\n`);
      return;
    }
    let columns: string[] = [];
    const rows: unknown[][] = [];
    let count = 0;
    for await (const line of ndjsonLines(response)) {
      if (Array.isArray(line)) {
        count++;
        if (format === 'csv') process.stdout.write(`${line.map(csvField).join(',')}\r\n`);
        else if (format === 'json')
          process.stdout.write(
            `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, line[i]])))}\n`,
          );
        else if (rows.length < TABLE_FORMAT_MAX_ROWS) rows.push(line);
        continue;
      }
      const header = line as NdjsonHeader;
      if (header.columns) {
        columns = header.columns.map((c) => c.name);
        if (format === 'csv') process.stdout.write(`${columns.map(csvField).join(',')}\r\n`);
      }
      if (header.error) throw Object.assign(new Error(header.error.message), { code: header.error.code });
    }
    if (format === 'table') {
      process.stdout.write(`${renderTable(columns, rows)}\n`);
      const more = count > rows.length ? ` (showing the first ${rows.length})` : '';
      process.stderr.write(`${count} row${count === 1 ? '' : 's'} in set${more}\n`);
    }
  });
}
