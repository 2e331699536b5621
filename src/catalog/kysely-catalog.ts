import type { Kysely, Transaction } from 'kysely';
import { CommonErrors, LakecastError } from '../shared/errors.js';
import type { CatalogDatabase, GrantRow, SchemaRow, TokenRow, UserRow } from './database.js';
import { checkText, MAX_COMMENT_LENGTH, MAX_OWNER_LENGTH, rowToTable, tableToRow } from './definitions.js';
import type { CatalogDriver } from './driver.js';
import {
  catalogUnavailable,
  dropSchemaNotFound,
  dropTableNotFound,
  grantNotFound,
  invalidInput,
  schemaExists,
  schemaNotEmpty,
  schemaNotFound,
  tableExists,
  userExists,
  userNotFound,
} from './errors.js';
import { runMigrations } from './migrate.js';
import { normalizeGrantSchema, normalizeSchemaName, normalizeTableName, normalizeUserName } from './names.js';
import type {
  Catalog,
  CatalogDialect,
  GrantRecord,
  Privilege,
  SchemaRecord,
  TableDefinition,
  TokenRecord,
  UserRecord,
} from './types.js';

const PRIVILEGES: readonly Privilege[] = ['SELECT', 'CREATE', 'DROP', 'ALL'];
const TOKEN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_HASH = /^[0-9a-f]{64}$/;
export const MAX_SETTING_KEY_LENGTH = 128;
export const MAX_SETTING_VALUE_LENGTH = 1024 * 1024;
export const MAX_TOKEN_LABEL_LENGTH = 128;

const count = (n: bigint | number | undefined) => Number(n ?? 0);

function checkPrivilege(value: unknown): Privilege {
  const p = typeof value === 'string' ? value.toUpperCase() : '';
  if (!PRIVILEGES.includes(p as Privilege)) {
    throw invalidInput(`unknown privilege '${String(value).slice(0, 32)}' (use ${PRIVILEGES.join(', ')})`);
  }
  return p as Privilege;
}

function checkNativeHash(hash: unknown): string {
  if (!Buffer.isBuffer(hash) || (hash.length !== 20 && hash.length !== 0)) {
    throw invalidInput('nativeHash must be a 20-byte SHA1(SHA1(password)) (or empty for no password)');
  }
  return hash.toString('hex');
}

const toSchema = (r: SchemaRow): SchemaRecord => ({
  name: r.name,
  owner: r.owner,
  createdAt: new Date(r.created_at),
  ...(r.comment === null ? {} : { comment: r.comment }),
});
const toUser = (r: UserRow): UserRecord => ({
  name: r.name,
  nativeHash: Buffer.from(r.native_hash, 'hex'),
  admin: Number(r.admin) === 1,
  createdAt: new Date(r.created_at),
});
const toGrant = (r: GrantRow): GrantRecord => ({
  user: r.user_name,
  schema: r.schema_name,
  privilege: r.privilege as Privilege,
});
const toToken = (r: TokenRow): TokenRecord => ({
  id: r.id,
  user: r.user_name,
  tokenHash: r.token_hash,
  label: r.label,
  createdAt: new Date(r.created_at),
});

/**
 * The one Catalog implementation, over Kysely; the dialect folders only open the connection and classify
 * driver errors ({@link CatalogDriver}). Multi-statement operations run in a transaction; foreign keys back
 * them up when two servers race on a shared PostgreSQL.
 */
export class KyselyCatalog implements Catalog {
  readonly dialect: CatalogDialect;
  // biome-ignore lint/suspicious/noExplicitAny: extension point (see Catalog.db)
  readonly db: Kysely<any>;
  readonly #driver: CatalogDriver;
  readonly #db: Kysely<CatalogDatabase>;
  #closed: Promise<void> | undefined;

  constructor(driver: CatalogDriver) {
    this.#driver = driver;
    this.#db = driver.db;
    this.db = driver.db;
    this.dialect = driver.dialect;
  }

  /** Maps driver errors: LakecastErrors pass, connection trouble → LC_CATALOG_UNAVAILABLE, rest internal. */
  #wrap(err: unknown): LakecastError {
    if (err instanceof LakecastError) return err;
    if (this.#driver.classify(err) === 'unavailable') return catalogUnavailable(err);
    return new LakecastError(CommonErrors.INTERNAL, 'internal error', { cause: err });
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#wrap(err);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: see Catalog.transaction
  async transaction<T>(fn: (trx: Transaction<any>) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(fn);
    } catch (err) {
      if (!(err instanceof LakecastError) && this.#driver.classify(err) === 'unavailable') {
        throw catalogUnavailable(err);
      }
      throw err;
    }
  }

  async migrate(): Promise<void> {
    return this.#run(() => runMigrations(this.db, { schema: this.#driver.schema }));
  }

  close(): Promise<void> {
    this.#closed ??= this.#db.destroy();
    return this.#closed;
  }

  // ---- schemas ----

  async createSchema(schema: Omit<SchemaRecord, 'createdAt'>, options: { ifNotExists?: boolean } = {}) {
    const row: SchemaRow = {
      name: normalizeSchemaName(schema?.name),
      owner: checkText(schema.owner, 'owner', MAX_OWNER_LENGTH),
      comment: schema.comment == null ? null : checkText(schema.comment, 'comment', MAX_COMMENT_LENGTH, true),
      created_at: new Date().toISOString(),
    };
    return this.#run(async () => {
      const r = await this.#db
        .insertInto('schemas')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (count(r.numInsertedOrUpdatedRows) === 1) return true;
      if (options.ifNotExists) return false;
      throw schemaExists(row.name);
    });
  }

  async getSchema(name: string) {
    const n = normalizeSchemaName(name);
    return this.#run(async () => {
      const r = await this.#db.selectFrom('schemas').selectAll().where('name', '=', n).executeTakeFirst();
      return r ? toSchema(r) : null;
    });
  }

  async listSchemas() {
    return this.#run(async () =>
      (await this.#db.selectFrom('schemas').selectAll().orderBy('name').execute()).map(toSchema),
    );
  }

  async dropSchema(name: string, options: { ifExists?: boolean; cascade?: boolean } = {}) {
    const n = normalizeSchemaName(name);
    return this.#run(async () => {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          let q = trx.selectFrom('schemas').select('name').where('name', '=', n);
          // PostgreSQL: lock the row first. A concurrent CREATE TABLE's foreign-key check holds a KEY SHARE
          // lock on it, so we wait for that insert to commit and then count its table (SQLite needs no lock:
          // BEGIN IMMEDIATE already serializes writers).
          if (this.dialect === 'postgres') q = q.forUpdate();
          const found = await q.executeTakeFirst();
          if (!found) {
            if (options.ifExists) return false;
            throw dropSchemaNotFound(n);
          }
          const { tables } = await trx
            .selectFrom('tables')
            .select((eb) => eb.fn.countAll().as('tables'))
            .where('schema_name', '=', n)
            .executeTakeFirstOrThrow();
          if (count(tables as number) > 0) {
            if (!options.cascade) throw schemaNotEmpty(n, count(tables as number));
            await trx.deleteFrom('tables').where('schema_name', '=', n).execute();
          }
          await trx.deleteFrom('schemas').where('name', '=', n).execute();
          return true;
        });
      } catch (err) {
        // A table created concurrently after our count: the foreign key refuses the delete.
        if (this.#driver.classify(err) === 'foreign_key') throw schemaNotEmpty(n, 1);
        throw err;
      }
    });
  }

  // ---- tables ----

  async createTable(table: Omit<TableDefinition, 'createdAt'>, options: { ifNotExists?: boolean } = {}) {
    const row = tableToRow(table, new Date());
    return this.#run(async () => {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          const schema = await trx
            .selectFrom('schemas')
            .select('name')
            .where('name', '=', row.schema_name)
            .executeTakeFirst();
          if (!schema) throw schemaNotFound(row.schema_name);
          const r = await trx
            .insertInto('tables')
            .values(row)
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst();
          if (count(r.numInsertedOrUpdatedRows) === 1) return true;
          if (options.ifNotExists) return false;
          throw tableExists(row.name);
        });
      } catch (err) {
        // The schema was dropped concurrently between our check and the insert.
        if (this.#driver.classify(err) === 'foreign_key') throw schemaNotFound(row.schema_name);
        throw err;
      }
    });
  }

  async getTable(schema: string, name: string) {
    const s = normalizeSchemaName(schema);
    const n = normalizeTableName(name);
    return this.#run(async () => {
      const r = await this.#db
        .selectFrom('tables')
        .selectAll()
        .where('schema_name', '=', s)
        .where('name', '=', n)
        .executeTakeFirst();
      return r ? rowToTable(r) : null;
    });
  }

  /** Tables of `schema` (LC_CATALOG_SCHEMA_NOT_FOUND if it does not exist) or of every schema. */
  async listTables(schema?: string) {
    const s = schema === undefined ? undefined : normalizeSchemaName(schema);
    return this.#run(async () => {
      if (s !== undefined) {
        const found = await this.#db
          .selectFrom('schemas')
          .select('name')
          .where('name', '=', s)
          .executeTakeFirst();
        if (!found) throw schemaNotFound(s);
      }
      let q = this.#db.selectFrom('tables').selectAll();
      if (s !== undefined) q = q.where('schema_name', '=', s);
      return (await q.orderBy('schema_name').orderBy('name').execute()).map(rowToTable);
    });
  }

  async dropTable(schema: string, name: string, options: { ifExists?: boolean } = {}) {
    const s = normalizeSchemaName(schema);
    const n = normalizeTableName(name);
    return this.#run(async () => {
      const r = await this.#db
        .deleteFrom('tables')
        .where('schema_name', '=', s)
        .where('name', '=', n)
        .executeTakeFirst();
      if (count(r.numDeletedRows) === 1) return true;
      if (options.ifExists) return false;
      throw dropTableNotFound(s, n);
    });
  }

  // ---- users ----

  async createUser(user: Omit<UserRecord, 'createdAt'>, options: { ifNotExists?: boolean } = {}) {
    const row: UserRow = {
      name: normalizeUserName(user?.name),
      native_hash: checkNativeHash(user.nativeHash),
      admin: user.admin ? 1 : 0,
      created_at: new Date().toISOString(),
    };
    return this.#run(async () => {
      const r = await this.#db
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (count(r.numInsertedOrUpdatedRows) === 1) return true;
      if (options.ifNotExists) return false;
      throw userExists(row.name);
    });
  }

  async getUser(name: string) {
    const n = normalizeUserName(name);
    return this.#run(async () => {
      const r = await this.#db.selectFrom('users').selectAll().where('name', '=', n).executeTakeFirst();
      return r ? toUser(r) : null;
    });
  }

  async listUsers() {
    return this.#run(async () =>
      (await this.#db.selectFrom('users').selectAll().orderBy('name').execute()).map(toUser),
    );
  }

  /** LC_CATALOG_USER_NOT_FOUND if the user does not exist. */
  async updateUser(name: string, changes: { nativeHash?: Buffer; admin?: boolean }) {
    const n = normalizeUserName(name);
    const set: Partial<UserRow> = {};
    if (changes.nativeHash !== undefined) set.native_hash = checkNativeHash(changes.nativeHash);
    if (changes.admin !== undefined) set.admin = changes.admin ? 1 : 0;
    return this.#run(async () => {
      if (Object.keys(set).length === 0) {
        if (!(await this.#db.selectFrom('users').select('name').where('name', '=', n).executeTakeFirst())) {
          throw userNotFound(n, 'ALTER USER');
        }
        return;
      }
      const r = await this.#db.updateTable('users').set(set).where('name', '=', n).executeTakeFirst();
      if (count(r.numUpdatedRows) !== 1) throw userNotFound(n, 'ALTER USER');
    });
  }

  /** Drops the user with its grants and tokens. */
  async dropUser(name: string, options: { ifExists?: boolean } = {}) {
    const n = normalizeUserName(name);
    return this.#run(() =>
      this.#db.transaction().execute(async (trx) => {
        // Explicit deletes (the foreign keys also cascade) keep this correct whatever the FK settings.
        await trx.deleteFrom('grants').where('user_name', '=', n).execute();
        await trx.deleteFrom('tokens').where('user_name', '=', n).execute();
        const r = await trx.deleteFrom('users').where('name', '=', n).executeTakeFirst();
        if (count(r.numDeletedRows) === 1) return true;
        if (options.ifExists) return false;
        throw userNotFound(n, 'DROP USER');
      }),
    );
  }

  // ---- grants ----

  async grant(grant: GrantRecord) {
    const row: GrantRow = {
      user_name: normalizeUserName(grant?.user),
      schema_name: normalizeGrantSchema(grant.schema),
      privilege: checkPrivilege(grant.privilege),
      created_at: new Date().toISOString(),
    };
    return this.#run(async () => {
      try {
        await this.#db
          .insertInto('grants')
          .values(row)
          .onConflict((oc) => oc.doNothing())
          .execute();
      } catch (err) {
        if (this.#driver.classify(err) === 'foreign_key') throw userNotFound(row.user_name, 'GRANT');
        throw err;
      }
    });
  }

  async revoke(grant: GrantRecord) {
    const user = normalizeUserName(grant?.user);
    const schema = normalizeGrantSchema(grant.schema);
    const privilege = checkPrivilege(grant.privilege);
    return this.#run(async () => {
      let q = this.#db.deleteFrom('grants').where('user_name', '=', user).where('schema_name', '=', schema);
      if (privilege !== 'ALL') q = q.where('privilege', '=', privilege);
      const r = await q.executeTakeFirst();
      if (count(r.numDeletedRows) === 0) throw grantNotFound(user);
    });
  }

  async listGrants(user?: string) {
    const u = user === undefined ? undefined : normalizeUserName(user);
    return this.#run(async () => {
      let q = this.#db.selectFrom('grants').selectAll();
      if (u !== undefined) q = q.where('user_name', '=', u);
      const rows = await q.orderBy('user_name').orderBy('schema_name').orderBy('privilege').execute();
      return rows.map(toGrant);
    });
  }

  // ---- tokens ----

  async createToken(token: Omit<TokenRecord, 'createdAt'>) {
    if (typeof token?.id !== 'string' || !TOKEN_ID.test(token.id)) {
      throw invalidInput('token id must be 1-64 characters of A-Z a-z 0-9 _ -');
    }
    if (typeof token.tokenHash !== 'string' || !TOKEN_HASH.test(token.tokenHash)) {
      throw invalidInput('tokenHash must be a SHA-256 in lower-case hex');
    }
    const row: TokenRow = {
      id: token.id,
      user_name: normalizeUserName(token.user),
      token_hash: token.tokenHash,
      label: checkText(token.label, 'token label', MAX_TOKEN_LABEL_LENGTH, true),
      created_at: new Date().toISOString(),
    };
    return this.#run(async () => {
      try {
        await this.#db.insertInto('tokens').values(row).execute();
      } catch (err) {
        const kind = this.#driver.classify(err);
        if (kind === 'foreign_key') throw userNotFound(row.user_name, 'CREATE TOKEN');
        if (kind === 'unique') throw invalidInput('a token with this id or hash already exists');
        throw err;
      }
    });
  }

  async findTokenByHash(tokenHash: string) {
    return this.#run(async () => {
      if (typeof tokenHash !== 'string' || !TOKEN_HASH.test(tokenHash)) return null;
      const r = await this.#db
        .selectFrom('tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return r ? toToken(r) : null;
    });
  }

  async listTokens(user?: string) {
    const u = user === undefined ? undefined : normalizeUserName(user);
    return this.#run(async () => {
      let q = this.#db.selectFrom('tokens').selectAll();
      if (u !== undefined) q = q.where('user_name', '=', u);
      return (await q.orderBy('created_at').orderBy('id').execute()).map(toToken);
    });
  }

  async deleteToken(id: string) {
    return this.#run(async () => {
      if (typeof id !== 'string' || !TOKEN_ID.test(id)) return;
      await this.#db.deleteFrom('tokens').where('id', '=', id).execute();
    });
  }

  // ---- settings ----

  async getSetting(key: string) {
    const k = checkText(key, 'setting key', MAX_SETTING_KEY_LENGTH);
    return this.#run(async () => {
      const r = await this.#db.selectFrom('settings').select('value').where('key', '=', k).executeTakeFirst();
      return r ? r.value : null;
    });
  }

  async setSetting(key: string, value: string) {
    const k = checkText(key, 'setting key', MAX_SETTING_KEY_LENGTH);
    const v = checkText(value, 'setting value', MAX_SETTING_VALUE_LENGTH, true);
    const updated_at = new Date().toISOString();
    return this.#run(async () => {
      await this.#db
        .insertInto('settings')
        .values({ key: k, value: v, updated_at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: v, updated_at }))
        .execute();
    });
  }
}
