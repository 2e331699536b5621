import type { StatementResult } from '../shared/index.js';
import { Cursor } from './cursor.js';
import { forbidden, SqlErrors, sqlError, unsupported } from './errors.js';
import { isQueryStart } from './query.js';
import { handleCreateDatabase, handleDropDatabase } from './statements/databases.js';
import type { StatementInput } from './statements/env.js';
import { handleKill, handleSet, handleTransaction, handleUse } from './statements/session.js';
import { handleShow } from './statements/show.js';
import { handleCreateTable, handleDropTable, handleMsck } from './statements/tables-ddl.js';
import { describeTable } from './statements/tables-show.js';
import {
  handleAlterUser,
  handleCreateUser,
  handleDropUser,
  handleGrant,
  handleRevoke,
} from './statements/users.js';
import { clip, isKeyword, isPunct } from './tokenizer.js';

/** How a statement is routed: an engine query (`query`/`explain`) or a front-handled statement. */
export type Route =
  | { readonly kind: 'query' }
  | { readonly kind: 'explain' }
  | {
      readonly kind: 'statement';
      readonly family: string;
      run(input: StatementInput): Promise<StatementResult>;
    };

/** Statements that would reach the engine's own state or write: refused by name. */
const FORBIDDEN: Readonly<Record<string, string>> = {
  COPY: 'files are read and written only through catalog tables',
  ATTACH: 'the engine cannot open other databases',
  DETACH: 'the engine cannot open other databases',
  INSTALL: 'engine extensions are managed by the server',
  LOAD: 'engine extensions and files are managed by the server',
  PRAGMA: 'engine settings are managed by the server configuration',
  CALL: 'engine procedures are not callable',
  EXPORT: 'the engine database cannot be exported',
  IMPORT: 'the engine database cannot be imported',
  CHECKPOINT: 'the engine is managed by the server',
  FORCE: 'the engine is managed by the server',
  RESET: 'engine settings are managed by the server configuration',
  INSERT: 'the lake is read-only through SQL',
  UPDATE: 'the lake is read-only through SQL',
  DELETE: 'the lake is read-only through SQL',
  REPLACE: 'the lake is read-only through SQL',
  UPSERT: 'the lake is read-only through SQL',
  MERGE: 'the lake is read-only through SQL',
  TRUNCATE: 'the lake is read-only through SQL',
  VACUUM: 'the engine is managed by the server',
  ANALYZE: 'the engine is managed by the server',
  SUMMARIZE: 'only queries (SELECT, WITH, VALUES) reach the engine',
  PREPARE: 'use the protocol prepared statements (COM_STMT_PREPARE)',
  EXECUTE: 'use the protocol prepared statements (COM_STMT_EXECUTE)',
  DEALLOCATE: 'use the protocol prepared statements (COM_STMT_CLOSE)',
  COMMENT: 'the lake is read-only through SQL',
  LOCK: 'the lake is read-only through SQL',
  UNLOCK: 'the lake is read-only through SQL',
  FLUSH: 'the engine is managed by the server',
  HANDLER: 'only queries (SELECT, WITH, VALUES) reach the engine',
  DO: 'only queries (SELECT, WITH, VALUES) reach the engine',
};

const TRANSACTION = new Set(['START', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'END', 'ABORT']);

const statement = (family: string, run: (i: StatementInput) => Promise<StatementResult>): Route => ({
  kind: 'statement',
  family,
  run,
});

/** Chooses the handler of a tokenized statement (tokens without trailing `;`). */
export function route(input: Pick<StatementInput, 'tokens' | 'sql'>): Route {
  const { tokens } = input;
  const first = tokens[0];
  if (!first) throw sqlError(SqlErrors.SQL_SYNTAX, 'Query was empty');
  // Statements the front handles read values up to the end: a `;` inside would smuggle a second statement.
  if (tokens.some((t) => isPunct(t, ';')))
    throw forbidden('Multiple statements in one query', 'send one statement at a time');
  if (isQueryStart(tokens)) return { kind: 'query' };
  if (first.kind !== 'word') throw new Cursor(tokens, input.sql).error('expected a statement');
  const kw = first.value.toUpperCase();
  const second = tokens[1];
  const next = second?.kind === 'word' ? second.value.toUpperCase() : '';
  switch (kw) {
    case 'SHOW':
      return statement('show', handleShow);
    case 'SET':
      return statement('set', handleSet);
    case 'USE':
      return statement('use', handleUse);
    case 'KILL':
      return statement('kill', handleKill);
    case 'MSCK':
      return statement('ddl', handleMsck);
    case 'GRANT':
      return statement('user', handleGrant);
    case 'REVOKE':
      return statement('user', handleRevoke);
    case 'EXPLAIN':
    case 'DESCRIBE':
    case 'DESC':
      if (isQueryStart(tokens, 1) || isKeyword(second, 'ANALYZE')) return { kind: 'explain' };
      if (kw === 'EXPLAIN' && next === 'FORMAT') throw unsupported('EXPLAIN FORMAT');
      return statement('show', (i) => {
        const c = new Cursor(i.tokens, i.sql);
        c.next();
        return describeTable(i, c);
      });
    case 'CREATE':
      if (next === 'DATABASE' || next === 'SCHEMA') return statement('ddl', handleCreateDatabase);
      if (next === 'USER') return statement('user', handleCreateUser);
      if (next === 'TABLE' || next === 'EXTERNAL') return statement('ddl', handleCreateTable);
      throw forbidden(
        `CREATE ${clip(next, 30)}`,
        'only CREATE DATABASE, CREATE EXTERNAL TABLE and CREATE USER are allowed',
      );
    case 'DROP':
      if (next === 'DATABASE' || next === 'SCHEMA') return statement('ddl', handleDropDatabase);
      if (next === 'USER') return statement('user', handleDropUser);
      if (next === 'TABLE' || next === 'EXTERNAL') return statement('ddl', handleDropTable);
      throw forbidden(`DROP ${clip(next, 30)}`, 'only DROP DATABASE, DROP TABLE and DROP USER are allowed');
    case 'ALTER':
      if (next === 'USER') return statement('user', handleAlterUser);
      throw forbidden(
        `ALTER ${clip(next, 30)}`,
        'the lake is read-only through SQL (only ALTER USER is allowed)',
      );
  }
  if (kw === 'PIVOT' || kw === 'UNPIVOT')
    throw unsupported(`${kw} statements (use PIVOT inside a SELECT … FROM)`);
  if (TRANSACTION.has(kw)) return statement('transaction', handleTransaction);
  if (Object.hasOwn(FORBIDDEN, kw)) throw forbidden(kw, FORBIDDEN[kw]);
  throw new Cursor(tokens, input.sql).error(`unknown statement '${clip(first.value, 30)}'`, 0);
}
