import type { StatementResult } from '../../shared/index.js';
import { Cursor } from '../cursor.js';
import { unsupported } from '../errors.js';
import { showCreateDatabase, showDatabases } from './databases.js';
import type { StatementInput } from './env.js';
import {
  showCharset,
  showCollation,
  showEmpty,
  showEngines,
  showProcesslist,
  showStatus,
  showVariables,
  showWarnings,
} from './show-server.js';
import {
  showColumns,
  showCreateTable,
  showIndex,
  showPartitions,
  showTableStatus,
  showTables,
} from './tables-show.js';
import { showGrants } from './users.js';

/** SHOW statements with nothing to list in a lake, with the columns MySQL gives them. */
const EMPTY_SHOWS: readonly [string[], string[]][] = [
  [['TRIGGERS'], ['Trigger', 'Event', 'Table', 'Statement', 'Timing']],
  [['EVENTS'], ['Db', 'Name', 'Definer', 'Type', 'Status']],
  [['PLUGINS'], ['Name', 'Status', 'Type', 'Library', 'License']],
  [
    ['PROCEDURE', 'STATUS'],
    ['Db', 'Name', 'Type', 'Definer', 'Modified', 'Created'],
  ],
  [
    ['FUNCTION', 'STATUS'],
    ['Db', 'Name', 'Type', 'Definer', 'Modified', 'Created'],
  ],
  [
    ['MASTER', 'STATUS'],
    ['File', 'Position', 'Binlog_Do_DB', 'Binlog_Ignore_DB'],
  ],
  [
    ['BINARY', 'LOG', 'STATUS'],
    ['File', 'Position', 'Binlog_Do_DB', 'Binlog_Ignore_DB'],
  ],
  [['SLAVE', 'STATUS'], ['Slave_IO_State']],
  [['REPLICA', 'STATUS'], ['Replica_IO_State']],
  [
    ['BINARY', 'LOGS'],
    ['Log_name', 'File_size'],
  ],
  [
    ['OPEN', 'TABLES'],
    ['Database', 'Table', 'In_use', 'Name_locked'],
  ],
  [['PROFILES'], ['Query_ID', 'Duration', 'Query']],
  [['PRIVILEGES'], ['Privilege', 'Context', 'Comment']],
];

/** Routes `SHOW …` to its family (server state, catalog objects, grants). */
export async function handleShow(input: StatementInput): Promise<StatementResult> {
  const c = new Cursor(input.tokens, input.sql);
  c.expectWords('SHOW');
  const full = c.acceptWords('FULL');
  const scope = c.acceptOneOf('GLOBAL', 'SESSION', 'LOCAL');
  const what = c.acceptOneOf(
    'DATABASES',
    'SCHEMAS',
    'TABLES',
    'COLUMNS',
    'FIELDS',
    'CREATE',
    'PARTITIONS',
    'VARIABLES',
    'STATUS',
    'WARNINGS',
    'ERRORS',
    'ENGINES',
    'STORAGE',
    'CHARSET',
    'CHARACTER',
    'COLLATION',
    'PROCESSLIST',
    'GRANTS',
    'TABLE',
    'INDEX',
    'INDEXES',
    'KEYS',
  );
  switch (what) {
    case 'DATABASES':
    case 'SCHEMAS':
      return showDatabases(input, c);
    case 'TABLES':
      return showTables(input, c, full);
    case 'COLUMNS':
    case 'FIELDS':
      return showColumns(input, c, full);
    case 'CREATE':
      if (c.acceptOneOf('TABLE', 'VIEW')) return showCreateTable(input, c);
      if (c.acceptOneOf('DATABASE', 'SCHEMA')) return showCreateDatabase(input, c);
      throw c.error('expected TABLE or DATABASE');
    case 'PARTITIONS':
      return showPartitions(input, c);
    case 'VARIABLES':
      return showVariables(input, c, scope === 'GLOBAL');
    case 'STATUS':
      return showStatus(input, c);
    case 'WARNINGS':
    case 'ERRORS':
      return showWarnings(c);
    case 'STORAGE':
      c.expectWords('ENGINES');
      return showEngines(c);
    case 'ENGINES':
      return showEngines(c);
    case 'CHARACTER':
      c.expectWords('SET');
      return showCharset(c);
    case 'CHARSET':
      return showCharset(c);
    case 'COLLATION':
      return showCollation(c);
    case 'PROCESSLIST':
      return showProcesslist(input, c, full);
    case 'GRANTS':
      return showGrants(input, c);
    case 'TABLE':
      c.expectWords('STATUS');
      return showTableStatus(input, c);
    case 'INDEX':
    case 'INDEXES':
    case 'KEYS':
      return showIndex(input, c);
  }
  for (const [words, columns] of EMPTY_SHOWS) if (c.acceptWords(...words)) return showEmpty(columns, c);
  const t = c.peek();
  if (t?.kind === 'word' && /^[A-Za-z_]{1,40}$/.test(t.value))
    throw unsupported(`SHOW ${t.value.toUpperCase()}`);
  throw c.error('expected what to SHOW');
}
