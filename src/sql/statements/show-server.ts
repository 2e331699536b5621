import {
  type Cell,
  type ColumnMeta,
  rowsResult,
  type StatementResult,
  textColumn,
} from '../../shared/index.js';
import type { Cursor } from '../cursor.js';
import { filterRows } from '../filter.js';
import { maskSecrets } from '../mask.js';
import { serverVariables, variableValue } from '../variables.js';
import type { StatementInput } from './env.js';

const VAR_COLUMNS = ['Variable_name', 'Value'];

/** SHOW [GLOBAL|SESSION] VARIABLES [LIKE …|WHERE …]. */
export function showVariables(input: StatementInput, c: Cursor, global: boolean): StatementResult {
  const { env, ctx } = input;
  const defaults = serverVariables(env.deps.serverVersion, env.deps.config.limits.maxPacketBytes);
  const own = global ? [] : [...ctx.variables.keys()].filter((k) => !k.startsWith('@'));
  const names = new Set([...defaults.keys(), ...own]);
  const rows: Cell[][] = [...names]
    .sort()
    .map((n) => [n, (global ? defaults.get(n) : variableValue(ctx, defaults, n)) ?? '']);
  return rowsResult(VAR_COLUMNS.map(textColumn), filterRows(c, VAR_COLUMNS, rows));
}

/** SHOW [GLOBAL|SESSION] STATUS [LIKE …|WHERE …]. */
export function showStatus(input: StatementInput, c: Cursor): StatementResult {
  const { env } = input;
  const connections = env.deps.connections.list();
  const running = connections.filter((x) => x.command !== 'Sleep').length;
  const rows: Cell[][] = [
    ['Aborted_clients', '0'],
    ['Bytes_received', '0'],
    ['Bytes_sent', '0'],
    ['Connections', String(connections.length)],
    ['Questions', String(env.questions)],
    ['Threads_connected', String(connections.length)],
    ['Threads_running', String(running)],
    ['Uptime', String(Math.floor((Date.now() - env.startedAt.getTime()) / 1000))],
  ];
  return rowsResult(VAR_COLUMNS.map(textColumn), filterRows(c, VAR_COLUMNS, rows));
}

/** SHOW WARNINGS / SHOW ERRORS: Lakecast reports problems as errors, never as warnings. */
export function showWarnings(c: Cursor): StatementResult {
  if (c.acceptWords('LIMIT')) while (!c.atEnd()) c.next();
  c.end();
  return rowsResult([textColumn('Level'), { name: 'Code', type: 'INTEGER' }, textColumn('Message')], []);
}

/** SHOW [STORAGE] ENGINES. */
export function showEngines(c: Cursor): StatementResult {
  c.end();
  const cols = ['Engine', 'Support', 'Comment', 'Transactions', 'XA', 'Savepoints'];
  return rowsResult(cols.map(textColumn), [
    [
      'Lakecast',
      'DEFAULT',
      'External tables over CSV/JSON/Parquet files, queried by DuckDB',
      'NO',
      'NO',
      'NO',
    ],
  ]);
}

const CHARSETS: Cell[][] = [
  ['ascii', 'US ASCII', 'ascii_general_ci', 1],
  ['binary', 'Binary pseudo charset', 'binary', 1],
  ['latin1', 'cp1252 West European', 'latin1_swedish_ci', 1],
  ['utf8mb3', 'UTF-8 Unicode', 'utf8mb3_general_ci', 3],
  ['utf8mb4', 'UTF-8 Unicode', 'utf8mb4_0900_ai_ci', 4],
];

/** SHOW CHARSET / SHOW CHARACTER SET [LIKE …|WHERE …]. */
export function showCharset(c: Cursor): StatementResult {
  const cols = ['Charset', 'Description', 'Default collation', 'Maxlen'];
  const meta: ColumnMeta[] = [...cols.slice(0, 3).map(textColumn), { name: 'Maxlen', type: 'INTEGER' }];
  return rowsResult(meta, filterRows(c, cols, CHARSETS));
}

const COLLATIONS: Cell[][] = [
  ['ascii_general_ci', 'ascii', 11, 'Yes', 'Yes', 1, 'PAD SPACE'],
  ['binary', 'binary', 63, 'Yes', 'Yes', 1, 'NO PAD'],
  ['latin1_swedish_ci', 'latin1', 8, 'Yes', 'Yes', 1, 'PAD SPACE'],
  ['utf8mb3_general_ci', 'utf8mb3', 33, 'Yes', 'Yes', 1, 'PAD SPACE'],
  ['utf8mb4_0900_ai_ci', 'utf8mb4', 255, 'Yes', 'Yes', 0, 'NO PAD'],
  ['utf8mb4_bin', 'utf8mb4', 46, '', 'Yes', 1, 'PAD SPACE'],
  ['utf8mb4_general_ci', 'utf8mb4', 45, '', 'Yes', 1, 'PAD SPACE'],
  ['utf8mb4_unicode_ci', 'utf8mb4', 224, '', 'Yes', 8, 'PAD SPACE'],
];

/** SHOW COLLATION [LIKE …|WHERE …]. */
export function showCollation(c: Cursor): StatementResult {
  const cols = ['Collation', 'Charset', 'Id', 'Default', 'Compiled', 'Sortlen', 'Pad_attribute'];
  const meta: ColumnMeta[] = cols.map((n) =>
    n === 'Id' || n === 'Sortlen' ? { name: n, type: 'INTEGER' } : textColumn(n),
  );
  return rowsResult(meta, filterRows(c, cols, COLLATIONS));
}

/** SHOW [FULL] PROCESSLIST: every connection for admins, one's own otherwise. Passwords masked. */
export function showProcesslist(input: StatementInput, c: Cursor, full: boolean): StatementResult {
  c.end();
  const { env, ctx } = input;
  const now = Date.now();
  const rows: Cell[][] = env.deps.connections
    .list()
    .filter((x) => ctx.user.admin || x.user === ctx.user.name)
    .sort((a, b) => a.connectionId - b.connectionId)
    .map((x) => {
      const info = x.currentSql === null ? null : maskSecrets(x.currentSql);
      return [
        BigInt(x.connectionId),
        x.user,
        x.remoteAddress,
        x.database,
        x.command,
        Math.floor((now - x.commandStartedAt.getTime()) / 1000),
        x.command === 'Sleep' ? '' : 'executing',
        info === null || full ? info : info.slice(0, 100),
      ];
    });
  const meta: ColumnMeta[] = [
    { name: 'Id', type: 'BIGINT' },
    textColumn('User'),
    textColumn('Host'),
    textColumn('db'),
    textColumn('Command'),
    { name: 'Time', type: 'INTEGER' },
    textColumn('State'),
    textColumn('Info'),
  ];
  return rowsResult(meta, rows);
}

/** SHOW statements tools send that have nothing to list in a lake (indexes, triggers, routines, plugins…). */
export function showEmpty(columns: readonly string[], c: Cursor): StatementResult {
  while (!c.atEnd()) c.next();
  return rowsResult(columns.map(textColumn), []);
}
