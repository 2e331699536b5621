import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthService,
  type AuthUser,
  createAuthService,
  generateScramble,
  hashToken,
} from '../../../src/auth/index.js';
import type { Catalog } from '../../../src/catalog/index.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { backends } from '../catalog/backends.js';
import { expectLakecastError } from '../catalog/expect.js';

const require = createRequire(import.meta.url);
const auth41 = require(path.join(path.dirname(require.resolve('mysql2')), 'lib', 'auth_41.js')) as {
  calculateToken(password: string, scramble1: Buffer, scramble2: Buffer): Buffer;
};
const clientToken = (password: string, scramble: Buffer) =>
  auth41.calculateToken(password, scramble.subarray(0, 8), scramble.subarray(8));

const all = await backends();
const root: AuthUser = { name: 'root', admin: true };

describe.each(all)('auth service on $name', (backend) => {
  let catalog: Catalog;
  let location: string;
  let auth: AuthService;

  beforeEach(async () => {
    if (!backend.available) return;
    location = backend.newLocation();
    catalog = await backend.open(location);
    auth = createAuthService(catalog, { logger: silentLogger() });
    await auth.bootstrapRoot('rootpw');
  });
  afterEach(async () => {
    await catalog?.close();
  });
  afterAll(() => backend.teardown());

  const test = it.skipIf(!backend.available);

  test('bootstrap - generates a strong password once; later starts change nothing', async () => {
    const fresh = await backend.open(backend.newLocation());
    try {
      const a = createAuthService(fresh, { logger: silentLogger() });
      const first = await a.bootstrapRoot();
      expect(first.created).toBe(true);
      expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(await a.authenticatePassword('root', first.generatedPassword ?? '')).toEqual(root);
      expect(await a.bootstrapRoot('other')).toEqual({ created: false });
      expect(await a.bootstrapRoot()).toEqual({ created: false });
      expect(await a.authenticatePassword('root', 'other')).toBeNull();
      expect(await a.authenticatePassword('root', first.generatedPassword ?? '')).toEqual(root);
    } finally {
      await fresh.close();
    }
  });

  test('bootstrap - two servers starting at once create root exactly once', async () => {
    const where = backend.newLocation();
    const c1 = await backend.open(where);
    const c2 = backend.name === 'postgres' ? await backend.open(where) : c1;
    try {
      const results = await Promise.all([
        createAuthService(c1, { logger: silentLogger() }).bootstrapRoot('a-password'),
        createAuthService(c2, { logger: silentLogger() }).bootstrapRoot('a-password'),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await c1.listUsers()).toHaveLength(1);
    } finally {
      await c1.close();
      if (c2 !== c1) await c2.close();
    }
  });

  test('bootstrap - an empty root password is refused unless explicitly allowed', async () => {
    const fresh = await backend.open(backend.newLocation());
    try {
      const a = createAuthService(fresh, { logger: silentLogger() });
      await expectLakecastError(a.bootstrapRoot(''), 'LC_AUTH_INVALID_PASSWORD', 1819);
      expect(await a.bootstrapRoot('', { allowEmptyPassword: true })).toEqual({ created: true });
      expect(await a.authenticatePassword('root', '')).toEqual(root);
    } finally {
      await fresh.close();
    }
  });

  test('native auth - the MySQL handshake round trip with mysql2 client tokens', async () => {
    await auth.createUser(root, 'alice', 'pässwörd🔑');
    const hash = await auth.lookupNativeHash('alice');
    expect(hash).toHaveLength(20);
    const scramble = generateScramble();
    expect(await auth.authenticateNative('alice', scramble, clientToken('pässwörd🔑', scramble))).toEqual({
      name: 'alice',
      admin: false,
    });
    expect(await auth.authenticateNative('alice', scramble, clientToken('wrong', scramble))).toBeNull();
    expect(await auth.authenticateNative('nobody', scramble, clientToken('x', scramble))).toBeNull();
    expect(await auth.lookupNativeHash('nobody')).toBeNull();
    expect(await auth.getUser('alice')).toEqual({ name: 'alice', admin: false });
    expect(await auth.getUser('nobody')).toBeNull();
    expect(await auth.getUser('x'.repeat(10_240))).toBeNull();
    expect(await auth.lookupNativeHash("x'; drop table users; --")).toBeNull();
  });

  test('password auth - right, wrong, unknown and hostile inputs (never throws)', async () => {
    await auth.createUser(root, 'bob', 'secret');
    expect(await auth.authenticatePassword('bob', 'secret')).toEqual({ name: 'bob', admin: false });
    expect(await auth.authenticatePassword('bob', 'Secret')).toBeNull();
    expect(await auth.authenticatePassword('Bob', 'secret')).toBeNull();
    for (const user of ['', "bob' --", "' or '1'='1", 'x'.repeat(10_240), '😀', 'bob\u0000']) {
      expect(await auth.authenticatePassword(user, 'secret')).toBeNull();
    }
    expect(await auth.authenticatePassword('bob', 'x'.repeat(10_240))).toBeNull();
  });

  test('tokens - created once, only the SHA-256 stored, authenticate, revoke; dropped users lose them', async () => {
    await auth.createUser(root, 'carol', 'pw');
    const carol: AuthUser = { name: 'carol', admin: false };
    const { id, token } = await auth.createToken(carol, 'laptop');
    expect(token).toMatch(/^lc_[A-Za-z0-9_-]{43}$/);
    const stored = await catalog.listTokens('carol');
    expect(stored).toEqual([expect.objectContaining({ id, tokenHash: hashToken(token), label: 'laptop' })]);
    expect(JSON.stringify(stored)).not.toContain(token.slice(3));
    expect(await auth.authenticateToken(token)).toEqual(carol);
    const other = token.endsWith('A') ? 'B' : 'A';
    expect(await auth.authenticateToken(`${token.slice(0, -1)}${other}`)).toBeNull();
    expect(await auth.authenticateToken('lc_nope')).toBeNull();
    expect(await auth.listTokens(carol)).toEqual([expect.objectContaining({ id, label: 'laptop' })]);
    expect((await auth.listTokens(carol))[0]).not.toHaveProperty('tokenHash');
    await auth.createUser(root, 'dave', 'pw');
    await expectLakecastError(
      auth.revokeToken({ name: 'dave', admin: false }, id),
      'LC_AUTH_TOKEN_NOT_FOUND',
    );
    await expectLakecastError(
      auth.listTokens({ name: 'dave', admin: false }, 'carol'),
      'LC_AUTH_FORBIDDEN',
      1227,
    );
    await auth.revokeToken(carol, id);
    expect(await auth.authenticateToken(token)).toBeNull();
    const second = await auth.createToken(carol, 'ci');
    await auth.dropUser(root, 'carol');
    expect(await auth.authenticateToken(second.token)).toBeNull();
  });

  test('permissions - the matrix of grants against canRead/canCreate/canDrop', async () => {
    const users = {
      admin2: { grants: [] as Array<[string, 'SELECT' | 'CREATE' | 'DROP' | 'ALL']>, admin: true },
      reader: { grants: [['demo', 'SELECT']], admin: false },
      creator: { grants: [['demo', 'CREATE']], admin: false },
      dropper: { grants: [['demo', 'DROP']], admin: false },
      owner: { grants: [['demo', 'ALL']], admin: false },
      globalreader: { grants: [['*', 'SELECT']], admin: false },
      nobody: { grants: [], admin: false },
    } as const;
    for (const [name, u] of Object.entries(users)) {
      await auth.createUser(root, name, 'pw', { admin: u.admin });
      for (const [schema, privilege] of u.grants) await auth.grant(root, { user: name, schema, privilege });
    }
    // [user, canRead demo, canCreate demo, canDrop demo, canRead other, canCreate other]
    const expected: Array<[string, boolean, boolean, boolean, boolean, boolean]> = [
      ['root', true, true, true, true, true],
      ['admin2', true, true, true, true, true],
      ['reader', true, false, false, false, false],
      ['creator', false, true, false, false, false],
      ['dropper', false, false, true, false, false],
      ['owner', true, true, true, false, false],
      ['globalreader', true, false, false, true, false],
      ['nobody', false, false, false, false, false],
      ['ghost', false, false, false, false, false],
    ];
    for (const [name, ...want] of expected) {
      // The admin flag of the object passed is not trusted: rights come from the catalog.
      const u: AuthUser = { name, admin: false };
      const got = [
        await auth.canRead(u, 'demo'),
        await auth.canCreate(u, 'DEMO'),
        await auth.canDrop(u, 'demo'),
        await auth.canRead(u, 'other'),
        await auth.canCreate(u, 'other'),
      ];
      expect([name, ...got]).toEqual([name, ...want]);
    }
    expect(await auth.canRead({ name: 'ghost', admin: true }, 'demo')).toBe(false);
    expect(await auth.canRead({ name: 'reader', admin: false }, "demo'; --")).toBe(false);
    expect(await auth.canRead({ name: 'reader', admin: false }, 'x'.repeat(10_240))).toBe(false);
  });

  test('permissions - grant and revoke take effect at once despite the cache', async () => {
    await auth.createUser(root, 'erin', 'pw');
    const erin: AuthUser = { name: 'erin', admin: false };
    expect(await auth.canRead(erin, 'demo')).toBe(false);
    await auth.grant(root, { user: 'erin', schema: 'demo', privilege: 'SELECT' });
    expect(await auth.canRead(erin, 'demo')).toBe(true);
    await auth.revoke(root, { user: 'erin', schema: 'demo', privilege: 'SELECT' });
    expect(await auth.canRead(erin, 'demo')).toBe(false);
    await auth.alterUser(root, 'erin', { admin: true });
    expect(await auth.canRead(erin, 'anything')).toBe(true);
    await auth.alterUser(root, 'erin', { admin: false });
    expect(await auth.canRead(erin, 'anything')).toBe(false);
  });

  test('permissions - changes made elsewhere are seen after the cache TTL', async () => {
    const quick = createAuthService(catalog, { logger: silentLogger(), cacheTtlMs: 50 });
    await auth.createUser(root, 'fay', 'pw');
    const fay: AuthUser = { name: 'fay', admin: false };
    expect(await quick.canRead(fay, 'demo')).toBe(false);
    await catalog.grant({ user: 'fay', schema: 'demo', privilege: 'SELECT' }); // "another server"
    await new Promise((r) => setTimeout(r, 80));
    expect(await quick.canRead(fay, 'demo')).toBe(true);
  });

  test('forbidden - non-admins cannot manage users or grants (1227, 42000)', async () => {
    await auth.createUser(root, 'gus', 'pw');
    await auth.createUser(root, 'hal', 'pw');
    const gus: AuthUser = { name: 'gus', admin: true }; // a forged flag changes nothing
    const attempts: Array<() => Promise<unknown>> = [
      () => auth.createUser(gus, 'x', 'pw'),
      () => auth.dropUser(gus, 'hal'),
      () => auth.alterUser(gus, 'hal', { password: 'new' }),
      () => auth.alterUser(gus, 'gus', { admin: true }),
      () => auth.grant(gus, { user: 'gus', schema: '*', privilege: 'ALL' }),
      () => auth.revoke(gus, { user: 'hal', schema: '*', privilege: 'ALL' }),
      () => auth.listUsers(gus),
      () => auth.showGrants(gus, 'hal'),
      () => auth.listGrants(gus, 'hal'),
    ];
    for (const attempt of attempts) {
      const e = await expectLakecastError(attempt, 'LC_AUTH_FORBIDDEN', 1227);
      expect(e.sqlState).toBe('42000');
      expect(e.httpStatus).toBe(403);
    }
    const e = await expectLakecastError(() => auth.createUser(gus, 'x', 'pw'), 'LC_AUTH_FORBIDDEN');
    expect(e.message).toBe(
      'Access denied; you need (at least one of) the CREATE USER privilege(s) for this operation',
    );
    expect(await catalog.getUser('x')).toBeNull();
    expect(await auth.canRead({ name: 'gus', admin: false }, 'demo')).toBe(false);
    // Actors with names no user can have are nobody, not a name error.
    await expectLakecastError(
      auth.createUser({ name: "root' --", admin: true }, 'x', 'pw'),
      'LC_AUTH_FORBIDDEN',
    );
  });

  test('users - self password change, protected root and self, ifExists/ifNotExists', async () => {
    await auth.createUser(root, 'ivy', 'old');
    const ivy: AuthUser = { name: 'ivy', admin: false };
    await auth.alterUser(ivy, 'ivy', { password: 'new' });
    expect(await auth.authenticatePassword('ivy', 'new')).toEqual(ivy);
    expect(await auth.createUser(root, 'ivy', 'x', { ifNotExists: true })).toBe(false);
    await expectLakecastError(auth.createUser(root, 'ivy', 'x'), 'LC_CATALOG_USER_EXISTS', 1396);
    await expectLakecastError(auth.dropUser(root, 'root'), 'LC_AUTH_PROTECTED_USER', 1396);
    await auth.createUser(root, 'boss', 'pw', { admin: true });
    const boss: AuthUser = { name: 'boss', admin: true };
    await expectLakecastError(auth.dropUser(boss, 'boss'), 'LC_AUTH_PROTECTED_USER');
    await expectLakecastError(auth.alterUser(boss, 'root', { admin: false }), 'LC_AUTH_PROTECTED_USER');
    await expectLakecastError(auth.dropUser(root, 'nope'), 'LC_CATALOG_USER_NOT_FOUND', 1396);
    expect(await auth.dropUser(root, 'nope', { ifExists: true })).toBe(false);
    await expectLakecastError(auth.alterUser(root, 'nope', { password: 'x' }), 'LC_CATALOG_USER_NOT_FOUND');
    expect(await auth.dropUser(boss, 'ivy')).toBe(true);
    expect(await auth.authenticatePassword('ivy', 'new')).toBeNull();
    expect((await auth.listUsers(root)).map((u) => u.name)).toEqual(['boss', 'root']);
  });

  test('password policy - empty only when allowed, 256 characters max', async () => {
    await expectLakecastError(auth.createUser(root, 'jo', ''), 'LC_AUTH_INVALID_PASSWORD', 1819);
    await expectLakecastError(auth.createUser(root, 'jo', 'x'.repeat(257)), 'LC_AUTH_INVALID_PASSWORD');
    expect(await catalog.getUser('jo')).toBeNull();
    await auth.createUser(root, 'jo', 'x'.repeat(256));
    await auth.createUser(root, 'guest', '', { allowEmptyPassword: true });
    expect(await auth.authenticatePassword('guest', '')).toEqual({ name: 'guest', admin: false });
    const scramble = generateScramble();
    expect(await auth.authenticateNative('guest', scramble, Buffer.alloc(0))).not.toBeNull();
    await expectLakecastError(auth.alterUser(root, 'jo', { password: '' }), 'LC_AUTH_INVALID_PASSWORD');
  });

  test('hostile names - SQL-looking, 10 KB and odd unicode names get clear errors; unicode letters work', async () => {
    for (const name of ["x'; drop table users; --", "root'@'%", 'x'.repeat(10_240), 'a b', '😀', '']) {
      const e = await expectLakecastError(auth.createUser(root, name, 'pw'), 'LC_CATALOG_INVALID_USER_NAME');
      expect(e.message.length).toBeLessThan(200);
      await expectLakecastError(
        auth.grant(root, { user: 'root', schema: name || '..', privilege: 'SELECT' }),
        'LC_CATALOG_INVALID_SCHEMA_NAME',
      );
    }
    await auth.createUser(root, 'jürgen', '密码🔑');
    expect(await auth.authenticatePassword('jürgen', '密码🔑')).toEqual({ name: 'jürgen', admin: false });
    expect((await catalog.listUsers()).map((u) => u.name).sort()).toEqual(['jürgen', 'root']);
  });

  test('SHOW GRANTS - MySQL-style lines for yourself and (admins) for others', async () => {
    await auth.createUser(root, 'kim', 'pw');
    await auth.grant(root, { user: 'kim', schema: 'Demo', privilege: 'SELECT' });
    await auth.grant(root, { user: 'kim', schema: 'sales', privilege: 'ALL' });
    const kim: AuthUser = { name: 'kim', admin: false };
    const lines = [
      "GRANT USAGE ON *.* TO 'kim'@'%'",
      "GRANT SELECT ON `demo`.* TO 'kim'@'%'",
      "GRANT ALL PRIVILEGES ON `sales`.* TO 'kim'@'%'",
    ];
    expect(await auth.showGrants(kim)).toEqual(lines);
    expect(await auth.showGrants(root, 'kim')).toEqual(lines);
    expect(await auth.showGrants(root)).toEqual([
      "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION",
    ]);
    expect(await auth.listGrants(kim)).toEqual([
      { user: 'kim', schema: 'demo', privilege: 'SELECT' },
      { user: 'kim', schema: 'sales', privilege: 'ALL' },
    ]);
    await expectLakecastError(auth.showGrants(root, 'nobody'), 'LC_CATALOG_GRANT_NOT_FOUND', 1141);
    await expectLakecastError(
      auth.revoke(root, { user: 'kim', schema: 'demo', privilege: 'CREATE' }),
      'LC_CATALOG_GRANT_NOT_FOUND',
      1141,
    );
  });
});
