import type { Privilege } from '../../catalog/types.js';
import { rowsResult, type StatementResult, textColumn } from '../../shared/index.js';
import { Cursor } from '../cursor.js';
import { unsupported } from '../errors.js';
import { secretTokenIndexes } from '../mask.js';
import { isPunct } from '../tokenizer.js';
import { ok, type StatementInput } from './env.js';

function cursor(input: StatementInput): Cursor {
  const c = new Cursor(input.tokens, input.sql);
  for (const i of secretTokenIndexes(input.tokens)) c.secret.add(i);
  return c;
}

/** `'u'`, `u`, `'u'@'host'`, `u@host`, `CURRENT_USER[()]`, `USER()`. The host is accepted and ignored ('%'). */
function account(c: Cursor, input: StatementInput): string {
  if (c.acceptWords('CURRENT_USER')) {
    if (c.acceptPunct('(')) c.expectPunct(')');
    return input.ctx.user.name;
  }
  if (c.isWords('USER') && isPunct(c.peek(1), '(')) {
    c.pos += 2;
    c.expectPunct(')');
    return input.ctx.user.name;
  }
  const name = c.nameOrString('a user name');
  if (c.acceptPunct('@')) c.nameOrString('a host name');
  else if (c.peek()?.kind === 'var' && !c.peek()!.text.startsWith('@@')) c.next();
  return name;
}

function password(c: Cursor): string {
  c.expectWords('IDENTIFIED');
  if (c.acceptWords('WITH')) {
    const at = c.pos;
    const plugin = c.nameOrString('an authentication plugin').toLowerCase();
    if (plugin !== 'mysql_native_password' && plugin !== 'caching_sha2_password')
      throw c.error('unsupported authentication plugin', at);
  }
  c.expectWords('BY');
  return c.string('a quoted password');
}

/** CREATE USER [IF NOT EXISTS] 'u'[@'host'] IDENTIFIED BY 'p' [, …]. Admins only (enforced by auth). */
export async function handleCreateUser(input: StatementInput): Promise<StatementResult> {
  const c = cursor(input);
  c.expectWords('CREATE', 'USER');
  const ifNotExists = c.acceptWords('IF', 'NOT', 'EXISTS');
  const users: [string, string][] = [];
  do users.push([account(c, input), password(c)]);
  while (c.acceptPunct(','));
  c.end();
  let created = 0;
  for (const [name, pw] of users)
    if (await input.env.deps.auth.createUser(input.ctx.user, name, pw, { ifNotExists })) created++;
  return ok(undefined, created);
}

/** ALTER USER [IF EXISTS] 'u' IDENTIFIED BY 'p'. Admins, or anyone for their own account. */
export async function handleAlterUser(input: StatementInput): Promise<StatementResult> {
  const c = cursor(input);
  c.expectWords('ALTER', 'USER');
  const ifExists = c.acceptWords('IF', 'EXISTS');
  const name = account(c, input);
  if (!c.isWords('IDENTIFIED')) throw unsupported('ALTER USER without IDENTIFIED BY');
  const pw = password(c);
  c.end();
  try {
    await input.env.deps.auth.alterUser(input.ctx.user, name, { password: pw });
  } catch (err) {
    if (ifExists && (err as { code?: string }).code === 'LC_CATALOG_USER_NOT_FOUND') return ok();
    throw err;
  }
  return ok();
}

/** DROP USER [IF EXISTS] 'u' [, …]. Admins only. */
export async function handleDropUser(input: StatementInput): Promise<StatementResult> {
  const c = cursor(input);
  c.expectWords('DROP', 'USER');
  const ifExists = c.acceptWords('IF', 'EXISTS');
  const names: string[] = [];
  do names.push(account(c, input));
  while (c.acceptPunct(','));
  c.end();
  let dropped = 0;
  for (const n of names) if (await input.env.deps.auth.dropUser(input.ctx.user, n, { ifExists })) dropped++;
  return ok(undefined, dropped);
}

const PRIVILEGES = new Set<Privilege>(['SELECT', 'CREATE', 'DROP', 'ALL']);

/** `priv [, priv] ON db.*|*.*` → [privileges, schema or '*']. */
function privilegesOn(c: Cursor, input: StatementInput): [Privilege[], string] {
  const privs: Privilege[] = [];
  do {
    const at = c.pos;
    const p = c.name('a privilege').toUpperCase() as Privilege;
    if (p === 'ALL') c.acceptWords('PRIVILEGES');
    if (!PRIVILEGES.has(p)) {
      if (/^[A-Z_]+$/.test(p) && p.length < 30)
        throw unsupported(`privilege ${p} (SELECT, CREATE, DROP, ALL)`);
      throw c.error('expected SELECT, CREATE, DROP or ALL', at);
    }
    privs.push(p);
  } while (c.acceptPunct(','));
  c.expectWords('ON');
  c.acceptWords('TABLE');
  let schema: string;
  if (c.acceptPunct('*')) {
    schema = input.ctx.database ?? '*'; // `ON *` is the current database, as in MySQL
    if (c.acceptPunct('.')) {
      c.expectPunct('*');
      schema = '*';
    }
  } else {
    schema = c.name('a database name').toLowerCase();
    c.expectPunct('.');
    if (!c.acceptPunct('*')) throw unsupported('table-level grants (use db.*)');
  }
  return [privs, schema];
}

/** GRANT SELECT|CREATE|DROP|ALL [PRIVILEGES] ON db.*|*.* TO 'u' [, …]. Admins only. */
export async function handleGrant(input: StatementInput): Promise<StatementResult> {
  const c = cursor(input);
  c.expectWords('GRANT');
  const [privs, schema] = privilegesOn(c, input);
  c.expectWords('TO');
  const users: string[] = [];
  do users.push(account(c, input));
  while (c.acceptPunct(','));
  if (c.isWords('WITH')) throw unsupported('WITH GRANT OPTION');
  c.end();
  for (const u of users)
    for (const p of privs) await input.env.deps.auth.grant(input.ctx.user, { user: u, schema, privilege: p });
  return ok();
}

/** REVOKE … ON db.*|*.* FROM 'u' [, …]. Admins only. */
export async function handleRevoke(input: StatementInput): Promise<StatementResult> {
  const c = cursor(input);
  c.expectWords('REVOKE');
  const [privs, schema] = privilegesOn(c, input);
  c.expectWords('FROM');
  const users: string[] = [];
  do users.push(account(c, input));
  while (c.acceptPunct(','));
  c.end();
  for (const u of users)
    for (const p of privs)
      await input.env.deps.auth.revoke(input.ctx.user, { user: u, schema, privilege: p });
  return ok();
}

/** SHOW GRANTS [FOR 'u' | CURRENT_USER[()]]: one's own, or anyone's for admins. */
export async function showGrants(input: StatementInput, c: Cursor): Promise<StatementResult> {
  const user = c.acceptWords('FOR') ? account(c, input) : input.ctx.user.name;
  c.end();
  const lines = await input.env.deps.auth.showGrants(input.ctx.user, user);
  return rowsResult(
    [textColumn(`Grants for ${user}@%`)],
    lines.map((l) => [l]),
  );
}
