import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Catalog,
  MIGRATION_TABLE,
  MIGRATIONS,
  type TableDefinition,
} from '../../../src/catalog/index.js';
import { backends } from './backends.js';
import { expectLakecastError } from './expect.js';

const all = await backends();

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest();
const hash = (pw: string) => sha1(sha1(pw));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function table(schema: string, name: string, extra: Partial<TableDefinition> = {}) {
  return {
    schema,
    name,
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'Name', type: 'varchar', comment: 'display name' },
    ],
    partitionColumns: [{ name: 'dt', type: 'date' }],
    format: 'CSV' as const,
    location: 'file:///data/lake/t/',
    delimiter: '|',
    properties: { 'skip.header.line.count': '1' },
    comment: 'a table',
    owner: 'root',
    ...extra,
  };
}

describe.each(all)('catalog contract on $name', (backend) => {
  let catalog: Catalog;
  let location: string;

  beforeEach(async () => {
    if (!backend.available) return;
    location = backend.newLocation();
    catalog = await backend.open(location);
  });
  afterEach(async () => {
    await catalog?.close();
  });
  afterAll(() => backend.teardown());

  const test = it.skipIf(!backend.available);

  test('migrate - running it twice more changes nothing and records each migration once', async () => {
    await catalog.migrate();
    await catalog.migrate();
    const rows = await catalog.db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
    expect(rows.map((r: { name: string }) => r.name)).toEqual(Object.keys(MIGRATIONS).sort());
  });

  test('migrate - refuses a database migrated by a newer Lakecast (unknown migration recorded)', async () => {
    await catalog.db.insertInto(MIGRATION_TABLE).values({ name: '9999_future', timestamp: 'x' }).execute();
    const e = await expectLakecastError(catalog.migrate(), 'LC_INTERNAL');
    expect(String((e.cause as Error).message)).toMatch(/9999_future/);
  });

  test('dialect and db - exposed for capabilities with their own tables', async () => {
    expect(catalog.dialect).toBe(backend.name);
    await catalog.db.schema
      .createTable('ext_things')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
    await catalog.db.insertInto('ext_things').values({ id: 1 }).execute();
    expect(await catalog.db.selectFrom('ext_things').selectAll().execute()).toEqual([{ id: 1 }]);
  });

  test('schemas - create, get case-insensitively, list, drop', async () => {
    expect(await catalog.createSchema({ name: 'Sales', owner: 'root', comment: 'q1' })).toBe(true);
    expect(await catalog.createSchema({ name: 'demo', owner: 'bob' })).toBe(true);
    const s = await catalog.getSchema('SALES');
    expect(s).toMatchObject({ name: 'sales', owner: 'root', comment: 'q1' });
    expect(s?.createdAt).toBeInstanceOf(Date);
    expect((await catalog.listSchemas()).map((x) => x.name)).toEqual(['demo', 'sales']);
    expect(await catalog.dropSchema('sAlEs')).toBe(true);
    expect(await catalog.getSchema('sales')).toBeNull();
  });

  test('schemas - duplicate is 1007 unless ifNotExists; missing drop is 1008 unless ifExists', async () => {
    await catalog.createSchema({ name: 'demo', owner: 'root' });
    const e = await expectLakecastError(
      catalog.createSchema({ name: 'DEMO', owner: 'root' }),
      'LC_CATALOG_SCHEMA_EXISTS',
      1007,
    );
    expect(e.message).toBe("Can't create database 'demo'; database exists");
    expect(await catalog.createSchema({ name: 'demo', owner: 'root' }, { ifNotExists: true })).toBe(false);
    await expectLakecastError(catalog.dropSchema('nope'), 'LC_CATALOG_DROP_SCHEMA_NOT_FOUND', 1008);
    expect(await catalog.dropSchema('nope', { ifExists: true })).toBe(false);
  });

  test('schemas - drop of a schema with tables is refused without cascade, removes them with it', async () => {
    await catalog.createSchema({ name: 'demo', owner: 'root' });
    await catalog.createTable(table('demo', 't1'));
    await catalog.createTable(table('demo', 't2'));
    await expectLakecastError(catalog.dropSchema('demo'), 'LC_CATALOG_NOT_EMPTY', 1010);
    expect(await catalog.listTables('demo')).toHaveLength(2);
    expect(await catalog.dropSchema('demo', { cascade: true })).toBe(true);
    expect(await catalog.listTables()).toEqual([]);
    // The name is free again, with no leftover table.
    await catalog.createSchema({ name: 'demo', owner: 'root' });
    expect(await catalog.getTable('demo', 't1')).toBeNull();
  });

  test('race - CREATE TABLE against DROP SCHEMA CASCADE never leaves a table without its schema', async () => {
    for (let i = 0; i < 15; i++) {
      await catalog.createSchema({ name: 'race', owner: 'root' });
      const outcomes = await Promise.allSettled([
        catalog.createTable(table('race', `t${i}`)),
        catalog.dropSchema('race', { cascade: true }),
        catalog.createTable(table('race', `u${i}`)),
      ]);
      for (const o of outcomes) {
        if (o.status === 'rejected')
          expect((o.reason as { code: string }).code).toBe('LC_CATALOG_SCHEMA_NOT_FOUND');
      }
      expect(outcomes[1].status).toBe('fulfilled');
      expect(await catalog.listTables()).toEqual([]);
    }
  });

  test('tables - create, get round-trips the definition, list, drop', async () => {
    await catalog.createSchema({ name: 'demo', owner: 'root' });
    expect(await catalog.createTable(table('Demo', 'Orders'))).toBe(true);
    const t = await catalog.getTable('DEMO', 'ORDERS');
    expect(t).toMatchObject({
      schema: 'demo',
      name: 'orders',
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'Name', type: 'VARCHAR', comment: 'display name' },
      ],
      partitionColumns: [{ name: 'dt', type: 'DATE' }],
      format: 'CSV',
      location: 'file:///data/lake/t/',
      delimiter: '|',
      properties: { 'skip.header.line.count': '1' },
      comment: 'a table',
      owner: 'root',
    });
    expect(t?.createdAt).toBeInstanceOf(Date);
    await catalog.createSchema({ name: 'other', owner: 'root' });
    await catalog.createTable(table('other', 'a', { delimiter: undefined, comment: undefined }));
    const bare = await catalog.getTable('other', 'a');
    expect(bare).not.toHaveProperty('delimiter');
    expect(bare).not.toHaveProperty('comment');
    expect((await catalog.listTables()).map((x) => `${x.schema}.${x.name}`)).toEqual([
      'demo.orders',
      'other.a',
    ]);
    expect((await catalog.listTables('OTHER')).map((x) => x.name)).toEqual(['a']);
    expect(await catalog.dropTable('demo', 'orders')).toBe(true);
    expect(await catalog.getTable('demo', 'orders')).toBeNull();
  });

  test('tables - missing schema 1049, duplicate 1050, missing drop 1051, ifNotExists/ifExists', async () => {
    await expectLakecastError(catalog.createTable(table('nope', 't')), 'LC_CATALOG_SCHEMA_NOT_FOUND', 1049);
    await expectLakecastError(catalog.listTables('nope'), 'LC_CATALOG_SCHEMA_NOT_FOUND', 1049);
    await catalog.createSchema({ name: 'demo', owner: 'root' });
    await catalog.createTable(table('demo', 't'));
    const e = await expectLakecastError(
      catalog.createTable(table('demo', 'T')),
      'LC_CATALOG_TABLE_EXISTS',
      1050,
    );
    expect(e.sqlState).toBe('42S01');
    expect(await catalog.createTable(table('demo', 't'), { ifNotExists: true })).toBe(false);
    await expectLakecastError(catalog.dropTable('demo', 'x'), 'LC_CATALOG_DROP_TABLE_NOT_FOUND', 1051);
    expect(await catalog.dropTable('demo', 'x', { ifExists: true })).toBe(false);
  });

  test('tables - bad definitions are refused with a clear error and store nothing', async () => {
    await catalog.createSchema({ name: 'demo', owner: 'root' });
    const bad: Array<[Partial<TableDefinition>, RegExp]> = [
      [{ columns: [] }, /at least 1 column/],
      [
        {
          columns: [
            { name: 'a', type: 'int' },
            { name: 'A', type: 'int' },
          ],
        },
        /Duplicate column name/,
      ],
      [{ partitionColumns: [{ name: 'id', type: 'int' }] }, /Duplicate column name/],
      [{ format: 'XLS' as never }, /unknown table format/],
      [{ location: '' }, /location must not be empty/],
      [{ columns: [{ name: 'a', type: '' }] }, /type of column 'a'/],
    ];
    for (const [extra, message] of bad) {
      const e = await expectLakecastError(
        catalog.createTable(table('demo', 't', extra)),
        'LC_CATALOG_INVALID_INPUT',
      );
      expect(e.message).toMatch(message);
    }
    await expectLakecastError(
      catalog.createTable(table('demo', 't', { columns: [{ name: 'a b', type: 'int' }] })),
      'LC_CATALOG_INVALID_TABLE_NAME',
      1103,
    );
    expect(await catalog.listTables('demo')).toEqual([]);
  });

  test('names - empty, too long, odd characters and SQL-looking names are refused; unicode is fine', async () => {
    const bad = [
      '',
      'a'.repeat(65),
      'a b',
      'a.b',
      'a/b',
      '..',
      "x'; drop table users; --",
      'a`b',
      'tab\tname',
      'x'.repeat(10_240),
      '😀',
    ];
    for (const name of bad) {
      const e = await expectLakecastError(
        catalog.createSchema({ name, owner: 'root' }),
        'LC_CATALOG_INVALID_SCHEMA_NAME',
        1102,
      );
      expect(e.message.length).toBeLessThan(200);
      await expectLakecastError(catalog.getSchema(name), 'LC_CATALOG_INVALID_SCHEMA_NAME');
    }
    await catalog.createSchema({ name: 'demo', owner: 'root' });
    await expectLakecastError(
      catalog.createTable(table('demo', 'x'.repeat(10_240))),
      'LC_CATALOG_INVALID_TABLE_NAME',
      1103,
    );
    expect(await catalog.createSchema({ name: 'Données_2024', owner: 'root' })).toBe(true);
    expect(await catalog.getSchema('DONNÉES_2024')).toMatchObject({ name: 'données_2024' });
    expect(await catalog.createSchema({ name: 'a'.repeat(64), owner: 'root' })).toBe(true);
    expect((await catalog.listSchemas()).map((s) => s.name)).toEqual([
      'a'.repeat(64),
      'demo',
      'données_2024',
    ]);
  });

  test('users - create, get with the 20-byte hash, update, drop; names are case-sensitive', async () => {
    expect(await catalog.createUser({ name: 'alice', nativeHash: hash('pw'), admin: false })).toBe(true);
    const u = await catalog.getUser('alice');
    expect(u?.nativeHash.equals(hash('pw'))).toBe(true);
    expect(u?.admin).toBe(false);
    expect(await catalog.getUser('Alice')).toBeNull();
    await catalog.updateUser('alice', { nativeHash: hash('new'), admin: true });
    const v = await catalog.getUser('alice');
    expect(v?.nativeHash.equals(hash('new'))).toBe(true);
    expect(v?.admin).toBe(true);
    await catalog.createUser({ name: 'bob', nativeHash: Buffer.alloc(0), admin: false });
    expect((await catalog.getUser('bob'))?.nativeHash.length).toBe(0);
    expect((await catalog.listUsers()).map((x) => x.name)).toEqual(['alice', 'bob']);
    expect(await catalog.dropUser('alice')).toBe(true);
    expect(await catalog.getUser('alice')).toBeNull();
  });

  test('users - duplicate and missing are 1396; ifNotExists/ifExists; bad hash and names refused', async () => {
    await catalog.createUser({ name: 'alice', nativeHash: hash('pw'), admin: false });
    const e = await expectLakecastError(
      catalog.createUser({ name: 'alice', nativeHash: hash('x'), admin: true }),
      'LC_CATALOG_USER_EXISTS',
      1396,
    );
    expect(e.message).toBe("Operation CREATE USER failed for 'alice'@'%'");
    expect(
      await catalog.createUser({ name: 'alice', nativeHash: hash('x'), admin: true }, { ifNotExists: true }),
    ).toBe(false);
    expect((await catalog.getUser('alice'))?.admin).toBe(false);
    await expectLakecastError(catalog.dropUser('zed'), 'LC_CATALOG_USER_NOT_FOUND', 1396);
    expect(await catalog.dropUser('zed', { ifExists: true })).toBe(false);
    await expectLakecastError(catalog.updateUser('zed', { admin: true }), 'LC_CATALOG_USER_NOT_FOUND', 1396);
    await expectLakecastError(
      catalog.createUser({ name: 'x', nativeHash: Buffer.from('short'), admin: false }),
      'LC_CATALOG_INVALID_INPUT',
    );
    for (const name of ['', 'a'.repeat(33), "root'@'%", 'a b', 'x'.repeat(10_240)]) {
      await expectLakecastError(
        catalog.createUser({ name, nativeHash: hash('x'), admin: false }),
        'LC_CATALOG_INVALID_USER_NAME',
      );
    }
  });

  test('grants - grant is idempotent, revoke removes, revoke ALL clears the level, bad ones refused', async () => {
    await catalog.createUser({ name: 'alice', nativeHash: hash('pw'), admin: false });
    await catalog.grant({ user: 'alice', schema: 'Demo', privilege: 'SELECT' });
    await catalog.grant({ user: 'alice', schema: 'demo', privilege: 'SELECT' });
    await catalog.grant({ user: 'alice', schema: 'demo', privilege: 'CREATE' });
    await catalog.grant({ user: 'alice', schema: '*', privilege: 'SELECT' });
    expect(await catalog.listGrants('alice')).toEqual([
      { user: 'alice', schema: '*', privilege: 'SELECT' },
      { user: 'alice', schema: 'demo', privilege: 'CREATE' },
      { user: 'alice', schema: 'demo', privilege: 'SELECT' },
    ]);
    await catalog.revoke({ user: 'alice', schema: 'demo', privilege: 'CREATE' });
    await expectLakecastError(
      catalog.revoke({ user: 'alice', schema: 'demo', privilege: 'CREATE' }),
      'LC_CATALOG_GRANT_NOT_FOUND',
      1141,
    );
    await catalog.revoke({ user: 'alice', schema: 'demo', privilege: 'ALL' });
    expect(await catalog.listGrants('alice')).toEqual([{ user: 'alice', schema: '*', privilege: 'SELECT' }]);
    await expectLakecastError(
      catalog.grant({ user: 'ghost', schema: 'demo', privilege: 'SELECT' }),
      'LC_CATALOG_USER_NOT_FOUND',
      1396,
    );
    await expectLakecastError(
      catalog.grant({ user: 'alice', schema: 'demo', privilege: 'DELETE' as never }),
      'LC_CATALOG_INVALID_INPUT',
    );
    await expectLakecastError(
      catalog.grant({ user: 'alice', schema: 'a.b', privilege: 'SELECT' }),
      'LC_CATALOG_INVALID_SCHEMA_NAME',
    );
  });

  test('users - drop removes the grants and tokens with the user', async () => {
    await catalog.createUser({ name: 'alice', nativeHash: hash('pw'), admin: false });
    await catalog.grant({ user: 'alice', schema: 'demo', privilege: 'SELECT' });
    await catalog.createToken({ id: 't1', user: 'alice', tokenHash: sha256('a'), label: 'ci' });
    await catalog.dropUser('alice');
    expect(await catalog.listGrants()).toEqual([]);
    expect(await catalog.findTokenByHash(sha256('a'))).toBeNull();
    // A new user of the same name starts with nothing.
    await catalog.createUser({ name: 'alice', nativeHash: hash('pw'), admin: false });
    expect(await catalog.listGrants('alice')).toEqual([]);
  });

  test('tokens - create, find by hash, list, delete; malformed and unknown hashes find nothing', async () => {
    await catalog.createUser({ name: 'alice', nativeHash: hash('pw'), admin: false });
    await catalog.createToken({ id: 'tok_1', user: 'alice', tokenHash: sha256('one'), label: 'laptop' });
    await catalog.createToken({ id: 'tok_2', user: 'alice', tokenHash: sha256('two'), label: '' });
    expect(await catalog.findTokenByHash(sha256('one'))).toMatchObject({
      id: 'tok_1',
      user: 'alice',
      label: 'laptop',
    });
    expect(await catalog.findTokenByHash(sha256('three'))).toBeNull();
    expect(await catalog.findTokenByHash("' or 1=1 --")).toBeNull();
    expect((await catalog.listTokens('alice')).map((t) => t.id).sort()).toEqual(['tok_1', 'tok_2']);
    await catalog.deleteToken('tok_1');
    await catalog.deleteToken('tok_1');
    expect(await catalog.findTokenByHash(sha256('one'))).toBeNull();
    await expectLakecastError(
      catalog.createToken({ id: 'tok_3', user: 'ghost', tokenHash: sha256('x'), label: '' }),
      'LC_CATALOG_USER_NOT_FOUND',
    );
    await expectLakecastError(
      catalog.createToken({ id: 'tok_4', user: 'alice', tokenHash: sha256('two'), label: '' }),
      'LC_CATALOG_INVALID_INPUT',
    );
  });

  test('settings - missing is null, set overwrites, values keep unicode and newlines', async () => {
    expect(await catalog.getSetting('initialized')).toBeNull();
    await catalog.setSetting('initialized', '1');
    await catalog.setSetting('initialized', '2');
    await catalog.setSetting('motd', 'héllo\n世界');
    expect(await catalog.getSetting('initialized')).toBe('2');
    expect(await catalog.getSetting('motd')).toBe('héllo\n世界');
    await expectLakecastError(catalog.setSetting('', 'x'), 'LC_CATALOG_INVALID_INPUT');
  });

  test('transaction - commits on success, rolls back everything on error', async () => {
    await catalog.transaction(async (trx) => {
      await trx.insertInto('settings').values({ key: 'a', value: '1', updated_at: 'now' }).execute();
    });
    expect(await catalog.getSetting('a')).toBe('1');
    await expect(
      catalog.transaction(async (trx) => {
        await trx.insertInto('settings').values({ key: 'b', value: '1', updated_at: 'now' }).execute();
        await trx.updateTable('settings').set({ value: '9' }).where('key', '=', 'a').execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await catalog.getSetting('b')).toBeNull();
    expect(await catalog.getSetting('a')).toBe('1');
  });

  test('reopen - everything persists across close and open', async () => {
    await catalog.createSchema({ name: 'demo', owner: 'root', comment: 'c' });
    await catalog.createTable(table('demo', 't'));
    await catalog.createUser({ name: 'alice', nativeHash: hash('pw'), admin: true });
    await catalog.grant({ user: 'alice', schema: 'demo', privilege: 'ALL' });
    await catalog.createToken({ id: 'tok', user: 'alice', tokenHash: sha256('t'), label: 'l' });
    await catalog.setSetting('initialized', 'yes');
    await catalog.close();
    catalog = await backend.open(location);
    expect(await catalog.getSchema('demo')).toMatchObject({ name: 'demo', comment: 'c' });
    expect(await catalog.getTable('demo', 't')).toMatchObject({ delimiter: '|', format: 'CSV' });
    expect((await catalog.getUser('alice'))?.nativeHash.equals(hash('pw'))).toBe(true);
    expect(await catalog.listGrants('alice')).toEqual([{ user: 'alice', schema: 'demo', privilege: 'ALL' }]);
    expect(await catalog.findTokenByHash(sha256('t'))).toMatchObject({ id: 'tok' });
    expect(await catalog.getSetting('initialized')).toBe('yes');
  });

  test('concurrent migrate - three catalogs migrating one fresh database at once all succeed', async () => {
    if (backend.name !== 'postgres') return; // an SQLite file belongs to one server process
    const fresh = backend.newLocation();
    const cs = await Promise.all([1, 2, 3].map(() => backend.open(fresh, { migrate: false })));
    try {
      await Promise.all(cs.map((c) => c.migrate()));
      const rows = await cs[0].db.selectFrom(MIGRATION_TABLE).select('name').execute();
      expect(rows).toHaveLength(Object.keys(MIGRATIONS).length);
      await cs[1].createSchema({ name: 'demo', owner: 'root' });
      expect(await cs[2].getSchema('demo')).not.toBeNull();
    } finally {
      await Promise.all(cs.map((c) => c.close()));
    }
  });

  test('durability - SQLite runs in WAL mode, commits synced off the loop (synchronous=NORMAL + WAL fdatasync), foreign keys on', async () => {
    if (backend.name !== 'sqlite') return;
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(catalog.db);
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(catalog.db);
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(catalog.db);
    expect(mode.rows[0].journal_mode).toBe('wal');
    // NORMAL: COMMIT does not fsync on the event loop; the driver awaits a WAL fdatasync before it resolves
    // (test/unit/catalog/sqlite-durability.test.ts).
    expect(sync.rows[0].synchronous).toBe(1);
    expect(fk.rows[0].foreign_keys).toBe(1);
  });

  test('close - idempotent; later calls fail with a LakecastError', async () => {
    await catalog.close();
    await catalog.close();
    await expect(catalog.listSchemas()).rejects.toHaveProperty('code');
  });
});
