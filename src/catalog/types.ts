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

/**
 * Lakecast's metadata store. Implementations: `sqlite/` (default, a file in the data dir) and `postgres/`
 * (shared by several servers), both over Kysely with the same numbered migrations in `migrations/`.
 * Create methods throw LC_CATALOG_EXISTS on a duplicate unless `ifNotExists`; drop methods throw
 * LC_CATALOG_NOT_FOUND unless `ifExists`.
 */
export interface Catalog {
  /** Applies pending migrations. Idempotent; safe when several servers start at once (PostgreSQL). */
  migrate(): Promise<void>;
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

  grant(grant: GrantRecord): Promise<void>;
  revoke(grant: GrantRecord): Promise<void>;
  listGrants(user?: string): Promise<GrantRecord[]>;

  createToken(token: Omit<TokenRecord, 'createdAt'>): Promise<void>;
  findTokenByHash(tokenHash: string): Promise<TokenRecord | null>;
  deleteToken(id: string): Promise<void>;

  /** Small key/value settings (e.g. `initialized`). */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}
