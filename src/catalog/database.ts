/**
 * Row types of the catalog's own tables (created by `migrations/0001_initial.ts`). Portable column types
 * only: `text` and `integer`. Timestamps are ISO-8601 UTC text, booleans 0/1, binary values lower-case hex.
 */
export interface CatalogDatabase {
  schemas: SchemaRow;
  tables: TableRow;
  users: UserRow;
  grants: GrantRow;
  tokens: TokenRow;
  settings: SettingRow;
}

export interface SchemaRow {
  name: string;
  owner: string;
  comment: string | null;
  created_at: string;
}

export interface TableRow {
  schema_name: string;
  name: string;
  /** JSON array of ColumnDefinition. */
  columns_json: string;
  /** JSON array of ColumnDefinition. */
  partition_columns_json: string;
  format: string;
  location: string;
  delimiter: string | null;
  /** JSON object of string → string. */
  properties_json: string;
  comment: string | null;
  owner: string;
  created_at: string;
}

export interface UserRow {
  name: string;
  /** SHA1(SHA1(password)) as 40 lower-case hex characters; '' for a user without password. */
  native_hash: string;
  admin: number;
  created_at: string;
}

export interface GrantRow {
  user_name: string;
  /** Schema name or `*`. */
  schema_name: string;
  privilege: string;
  created_at: string;
}

export interface TokenRow {
  id: string;
  user_name: string;
  token_hash: string;
  label: string;
  created_at: string;
}

export interface SettingRow {
  key: string;
  value: string;
  updated_at: string;
}
