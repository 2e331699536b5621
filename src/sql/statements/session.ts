import type { StatementResult } from '../../shared/index.js';
import { Cursor } from '../cursor.js';
import { forbidden, SqlErrors, sqlError, unsupported } from '../errors.js';
import { secretTokenIndexes } from '../mask.js';
import { isPunct, type Token } from '../tokenizer.js';
import { isEngineSetting, normalizeVariableName } from '../variables.js';
import { account, lookupName, ok, requireSchema, type StatementInput } from './env.js';

const SCOPES = ['GLOBAL', 'SESSION', 'LOCAL', 'PERSIST', 'PERSIST_ONLY'];

/** The text of a SET value: a string's content, ON/OFF/DEFAULT upper-cased, else the source text. */
function valueText(sql: string, tokens: readonly Token[]): string {
  if (tokens.length === 1) {
    const t = tokens[0];
    if (t.kind === 'string' || t.kind === 'number') return t.value;
    if (t.kind === 'qident' && t.quote === '"') return t.value;
    if (t.kind === 'word') {
      const u = t.value.toUpperCase();
      if (u === 'TRUE') return '1';
      if (u === 'FALSE') return '0';
      return u === 'ON' || u === 'OFF' || u === 'DEFAULT' ? u : t.value;
    }
  }
  if (tokens.length === 0) return '';
  return sql.slice(tokens[0].start, tokens[tokens.length - 1].end);
}

/** Reads one SET value up to a top-level comma. */
function readValue(c: Cursor): Token[] {
  const out: Token[] = [];
  let depth = 0;
  while (!c.atEnd()) {
    const t = c.peek()!;
    if (depth === 0 && isPunct(t, ',')) break;
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    out.push(c.next());
  }
  if (out.length === 0) throw c.error('expected a value');
  return out;
}

function store(input: StatementInput, name: string, value: string): void {
  const v = input.ctx.variables;
  v.set(name, value);
  if (name === 'tx_isolation') v.set('transaction_isolation', value);
  if (name === 'transaction_isolation') v.set('tx_isolation', value);
}

/**
 * SET NAMES / CHARACTER SET / TRANSACTION / [scope] var = value, … / @@scope.var = … / @user = …: stored as
 * session variables (nothing reaches the engine; `max_execution_time` caps the session's SELECTs, see
 * query.ts). Engine settings are refused, GLOBAL unsupported.
 */
export async function handleSet(input: StatementInput): Promise<StatementResult> {
  const c = new Cursor(input.tokens, input.sql);
  for (const i of secretTokenIndexes(input.tokens)) c.secret.add(i);
  c.expectWords('SET');
  if (c.acceptWords('NAMES')) {
    const cs = c.nameOrString('a character set').toLowerCase();
    if (c.acceptWords('COLLATE')) store(input, 'collation_connection', c.nameOrString('a collation'));
    c.end();
    for (const k of ['character_set_client', 'character_set_connection', 'character_set_results'])
      store(input, k, cs === 'default' ? 'utf8mb4' : cs);
    return ok();
  }
  if (c.acceptWords('CHARACTER', 'SET') || c.acceptWords('CHARSET')) {
    const cs = c.nameOrString('a character set').toLowerCase();
    c.end();
    for (const k of ['character_set_client', 'character_set_results']) store(input, k, cs);
    return ok();
  }
  if (c.isWords('PASSWORD')) throw unsupported('SET PASSWORD (use ALTER USER … IDENTIFIED BY)');
  if (c.isWords('VARIABLE')) throw forbidden('SET VARIABLE', 'engine variables cannot be changed');
  const scope = c.acceptOneOf(...SCOPES);
  if (c.acceptWords('TRANSACTION')) {
    // Accepted and remembered (the lake is read-only, every query sees one snapshot of the files).
    do {
      if (c.acceptWords('ISOLATION', 'LEVEL')) {
        const level = c.acceptOneOf('READ', 'REPEATABLE', 'SERIALIZABLE');
        const second = level === 'SERIALIZABLE' ? null : c.acceptOneOf('COMMITTED', 'UNCOMMITTED', 'READ');
        if (level === null || (level !== 'SERIALIZABLE' && second === null))
          throw c.error('expected an isolation level');
        if (scope === 'GLOBAL') throw unsupported('SET GLOBAL TRANSACTION');
        store(input, 'transaction_isolation', second === null ? level : `${level}-${second}`);
      } else if (c.acceptWords('READ')) {
        const mode = c.acceptOneOf('ONLY', 'WRITE');
        if (mode === null) throw c.error('expected ONLY or WRITE');
      } else throw c.error('expected ISOLATION LEVEL or READ ONLY/WRITE');
    } while (c.acceptPunct(','));
    c.end();
    return ok();
  }
  if (scope !== null) c.pos--;
  do {
    let itemScope = c.acceptOneOf(...SCOPES);
    const t = c.peek();
    let name: string;
    let userVar = false;
    if (t?.kind === 'var') {
      c.next();
      userVar = !t.text.startsWith('@@');
      const n = normalizeVariableName(t.value);
      name = userVar ? `@${t.value.toLowerCase()}` : n.name;
      if (n.global) itemScope = 'GLOBAL';
    } else {
      name = c.name('a variable name').toLowerCase();
      if (c.acceptPunct('.')) name = c.name('a variable name').toLowerCase(); // `SET session.x` spellings
    }
    if (!c.acceptPunct('=') && !c.acceptPunct(':=') && !c.acceptWords('TO')) throw c.error("expected '='");
    const value = valueText(input.sql, readValue(c));
    if (!userVar && isEngineSetting(name))
      throw forbidden(`SET ${name}`, 'engine settings are managed by the server configuration');
    if (itemScope === 'GLOBAL' || itemScope === 'PERSIST' || itemScope === 'PERSIST_ONLY')
      throw unsupported(`SET ${itemScope} (server variables come from the configuration)`);
    if (name === 'max_execution_time' && !/^\d{1,10}$/.test(value))
      throw sqlError(
        SqlErrors.SQL_WRONG_TYPE_FOR_VAR,
        "Incorrect argument type to variable 'max_execution_time'",
      );
    store(input, name, value);
  } while (c.acceptPunct(','));
  c.end();
  return ok();
}

/** START TRANSACTION, BEGIN, COMMIT, ROLLBACK, SAVEPOINT …: accepted no-ops (the lake is read-only). */
export async function handleTransaction(_input: StatementInput): Promise<StatementResult> {
  return ok();
}

/** Switches the session's database after checking it exists and the user may use it. */
export async function useDatabase(
  input: Omit<StatementInput, 'tokens' | 'sql'>,
  name: string,
): Promise<void> {
  const { env, ctx } = input;
  const schema = lookupName(name);
  await requireSchema(env, schema);
  const allowed =
    (await env.deps.auth.canRead(ctx.user, schema)) || (await env.deps.auth.canCreate(ctx.user, schema));
  if (!allowed)
    throw sqlError(
      SqlErrors.SQL_DB_ACCESS_DENIED,
      `Access denied for user ${account(ctx)} to database '${schema}'`,
    );
  ctx.database = schema;
}

/** USE db. */
export async function handleUse(input: StatementInput): Promise<StatementResult> {
  const c = new Cursor(input.tokens, input.sql);
  c.expectWords('USE');
  const name = c.name('a database name');
  c.end();
  await useDatabase(input, name);
  return ok();
}

/** KILL [QUERY|CONNECTION] id: one's own connections, any for admins; else errno 1094 as MySQL does. */
export async function handleKill(input: StatementInput): Promise<StatementResult> {
  const { env, ctx } = input;
  const c = new Cursor(input.tokens, input.sql);
  c.expectWords('KILL');
  const queryOnly = c.acceptOneOf('QUERY', 'CONNECTION') === 'QUERY';
  const t = c.peek();
  if (t?.kind === 'string')
    throw sqlError(SqlErrors.SQL_UNKNOWN_THREAD, `Unknown thread id: '${t.value.slice(0, 40)}'`);
  if (t?.kind !== 'number' || !/^\d+$/.test(t.value)) throw c.error('expected a thread id');
  c.next();
  c.end();
  const id = Number(t.value);
  const unknown = sqlError(SqlErrors.SQL_UNKNOWN_THREAD, `Unknown thread id: ${t.value.slice(0, 20)}`);
  const target = env.deps.connections.list().find((x) => x.connectionId === id);
  if (!target || (!ctx.user.admin && target.user !== ctx.user.name)) throw unknown;
  if (!env.deps.connections.kill(id, { queryOnly })) throw unknown;
  return ok();
}
