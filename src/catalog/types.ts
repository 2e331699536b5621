import type { Kysely, Transaction } from 'kysely';

/** File formats an external table may be stored as (DLA/Hive `STORED AS`). */
export type TableFormat = 'CSV' | 'TEXTFILE' | 'JSON' | 'PARQUET';

/** A column of a table definition; `type` is the SQL type as written in the DDL, normalized to upper case. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** An external table over files, as registered by CREATE EXTERNAL TABLE (persisted in the catalog). */
export interface TableDefinition {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnDefinition[];
  readonly partitionColumns: readonly ColumnDefinition[];
  readonly format: TableFormat;
  /** `file:///abs/path/` or `s3://bucket/prefix/`. */
  readonly location: string;
  /** Field delimiter for CSV/TEXTFILE (default `,`; TEXTFILE default `\u0001` as Hive). */
  readonly delimiter?: string;
  /** TBLPROPERTIES, e.g. `skip.header.line.count`. */
  readonly properties: Readonly<Record<string, string>>;
  readonly comment?: string;
  readonly owner: string;
  readonly createdAt: Date;
}

export interface SchemaRecord {
  readonly name: string;
  readonly owner: string;
  readonly createdAt: Date;
  readonly comment?: string;
}

export interface UserRecord {
  readonly name: string;
  /** SHA1(SHA1(password)), 20 bytes: what `mysql_native_password` needs, as MySQL stores it. */
  readonly nativeHash: Buffer;
  readonly admin: boolean;
  readonly createdAt: Date;
}

/** Privileges a user may hold on a schema. */
export type Privilege = 'SELECT' | 'CREATE' | 'DROP' | 'ALL';

export interface GrantRecord {
  readonly user: string;
  /** Schema name, or `*` for all schemas. */
  readonly schema: string;
  readonly privilege: Privilege;
}

export interface TokenRecord {
  readonly id: string;
  readonly user: string;
  /** SHA-256 of the token, hex. The token itself is never stored. */
  readonly tokenHash: string;
  readonly label: string;
  readonly createdAt: Date;
}

/** Which database a catalog runs on. */
export type CatalogDialect = 'sqlite' | 'postgres';

/**
 * Lakecast's metadata store. Implementations: `sqlite/` (default, a file in the data dir) and `postgres/`
 * (shared by several servers), both over Kysely with the same numbered migrations in `migrations/`.
 * Create methods throw LC_CATALOG_SCHEMA_EXISTS / _TABLE_EXISTS / _USER_EXISTS on a duplicate unless
 * `ifNotExists` (then they return false); drop methods throw LC_CATALOG_DROP_SCHEMA_NOT_FOUND /
 * _DROP_TABLE_NOT_FOUND / _USER_NOT_FOUND unless `ifExists` (then they return false). Schema and table names
 * are case-insensitive (stored lower case, as MySQL with lower_case_table_names=1); user names are
 * case-sensitive as in MySQL. Invalid names throw LC_CATALOG_INVALID_*_NAME; an unreachable or busy
 * database throws LC_CATALOG_UNAVAILABLE (retryable). Every method resolves only after the change is
 * durable (SQLite synchronous=FULL, PostgreSQL commit).
 */
export interface Catalog {
  /**
   * Which database this catalog runs on, for capabilities that keep their own tables beside the catalog's
   * and need a dialect-specific statement now and then.
   */
  readonly dialect: CatalogDialect;
  /**
   * The Kysely instance over the catalog database, for capabilities that keep their own tables in it (async
   * tasks, the receipts outbox). Their tables come from migrations added to `migrations/index.ts`. On
   * PostgreSQL every connection's `search_path` is the catalog's schema, so unqualified table names land
   * there. Typed loosely on purpose: each capability declares its own table types and casts,
   * e.g. `catalog.db as Kysely<TasksDatabase>`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: extension point, each capability brings its own table types
  readonly db: Kysely<any>;
  /**
   * Runs `fn` in one database transaction: committed (durably) when `fn` resolves, rolled back when it
   * throws (the error is rethrown unchanged; connection failures become LC_CATALOG_UNAVAILABLE). Use the
   * `trx` handle for every statement inside; do not call catalog methods from inside `fn` (on SQLite the
   * single connection is held by the transaction and they would wait for it forever).
   */
  // biome-ignore lint/suspicious/noExplicitAny: see `db`
  transaction<T>(fn: (trx: Transaction<any>) => Promise<T>): Promise<T>;

  /**
   * Applies pending migrations. Idempotent; safe when several servers start at once (PostgreSQL: an advisory
   * lock serializes them).
   */
  migrate(): Promise<void>;
  /** Closes the connection(s). Further calls fail. Idempotent. */
  close(): Promise<void>;

  createSchema(
    schema: Omit<SchemaRecord, 'createdAt'>,
    options?: { ifNotExists?: boolean },
  ): Promise<boolean>;
  getSchema(name: string): Promise<SchemaRecord | null>;
  listSchemas(): Promise<SchemaRecord[]>;
  /** Drops a schema; with `cascade` its tables too, else LC_CATALOG_NOT_EMPTY when it has tables. */
  dropSchema(name: string, options?: { ifExists?: boolean; cascade?: boolean }): Promise<boolean>;

  createTable(
    table: Omit<TableDefinition, 'createdAt'>,
    options?: { ifNotExists?: boolean },
  ): Promise<boolean>;
  getTable(schema: string, name: string): Promise<TableDefinition | null>;
  listTables(schema?: string): Promise<TableDefinition[]>;
  dropTable(schema: string, name: string, options?: { ifExists?: boolean }): Promise<boolean>;

  createUser(user: Omit<UserRecord, 'createdAt'>, options?: { ifNotExists?: boolean }): Promise<boolean>;
  getUser(name: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(name: string, changes: { nativeHash?: Buffer; admin?: boolean }): Promise<void>;
  dropUser(name: string, options?: { ifExists?: boolean }): Promise<boolean>;

  /** Adds a privilege (idempotent). The user must exist (LC_CATALOG_USER_NOT_FOUND). */
  grant(grant: GrantRecord): Promise<void>;
  /**
   * Removes a privilege. Revoking `ALL` removes every privilege the user holds at that level (as MySQL's
   * REVOKE ALL). LC_CATALOG_GRANT_NOT_FOUND when nothing was removed.
   */
  revoke(grant: GrantRecord): Promise<void>;
  /** Grants of one user (or all), ordered by user, schema, privilege. */
  listGrants(user?: string): Promise<GrantRecord[]>;

  /** Stores a token (its hash only). The user must exist (LC_CATALOG_USER_NOT_FOUND). */
  createToken(token: Omit<TokenRecord, 'createdAt'>): Promise<void>;
  /** The token whose SHA-256 hex is `tokenHash`, or null (also for malformed hashes). */
  findTokenByHash(tokenHash: string): Promise<TokenRecord | null>;
  /** Tokens of one user (or all), oldest first. */
  listTokens(user?: string): Promise<TokenRecord[]>;
  /** Deletes a token; a missing id is not an error. */
  deleteToken(id: string): Promise<void>;

  /** Small key/value settings (e.g. `initialized`). */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}
