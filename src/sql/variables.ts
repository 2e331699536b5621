import type { SessionContext } from './types.js';

let cachedTimeZone: string | undefined;

/** The process's time zone (building an Intl.DateTimeFormat costs; asked once). */
function systemTimeZone(): string {
  cachedTimeZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  return cachedTimeZone;
}

/**
 * The server variables clients and GUI tools read on connect (`SHOW VARIABLES`, `SELECT @@x`), with MySQL 8's
 * defaults where Lakecast has no opinion. Session values set with SET override them.
 */
export function serverVariables(serverVersion: string, maxPacketBytes: number): ReadonlyMap<string, string> {
  const tz = systemTimeZone();
  // Every query reads them (the rewrite resolves @@variables): built once per distinct setting.
  if (
    last &&
    last.serverVersion === serverVersion &&
    last.maxPacketBytes === maxPacketBytes &&
    last.tz === tz
  )
    return last.vars;
  const vars = new Map<string, string>([
    ['auto_increment_increment', '1'],
    ['auto_increment_offset', '1'],
    ['autocommit', 'ON'],
    ['character_set_client', 'utf8mb4'],
    ['character_set_connection', 'utf8mb4'],
    ['character_set_database', 'utf8mb4'],
    ['character_set_filesystem', 'binary'],
    ['character_set_results', 'utf8mb4'],
    ['character_set_server', 'utf8mb4'],
    ['character_set_system', 'utf8mb3'],
    ['collation_connection', 'utf8mb4_0900_ai_ci'],
    ['collation_database', 'utf8mb4_0900_ai_ci'],
    ['collation_server', 'utf8mb4_0900_ai_ci'],
    ['default_storage_engine', 'Lakecast'],
    ['init_connect', ''],
    ['interactive_timeout', '28800'],
    ['license', 'Apache-2.0'],
    ['lower_case_table_names', '1'],
    ['max_allowed_packet', String(maxPacketBytes)],
    ['net_buffer_length', '16384'],
    ['net_write_timeout', '60'],
    ['performance_schema', 'OFF'],
    ['query_cache_size', '0'],
    ['query_cache_type', 'OFF'],
    ['read_only', 'ON'],
    [
      'sql_mode',
      'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO',
    ],
    ['sql_select_limit', '18446744073709551615'],
    ['system_time_zone', tz],
    ['time_zone', 'SYSTEM'],
    ['transaction_isolation', 'REPEATABLE-READ'],
    ['transaction_read_only', 'ON'],
    ['tx_isolation', 'REPEATABLE-READ'],
    ['tx_read_only', 'ON'],
    ['version', serverVersion],
    ['version_comment', 'Lakecast - SQL over your data lake'],
    ['version_compile_machine', process.arch === 'arm64' ? 'aarch64' : 'x86_64'],
    ['version_compile_os', process.platform === 'linux' ? 'Linux' : process.platform],
    ['wait_timeout', '28800'],
  ]);
  last = { serverVersion, maxPacketBytes, tz, vars };
  return vars;
}

let last:
  | { serverVersion: string; maxPacketBytes: number; tz: string; vars: ReadonlyMap<string, string> }
  | undefined;

/** Variables whose values clients parse as numbers (JDBC reads these with getInt/getLong). */
const NUMERIC = /^-?\d+$/;

/** True when a variable's value should be sent as a number rather than text. */
export function isNumericValue(value: string): boolean {
  return NUMERIC.test(value) && value.length < 19;
}

/** Normalizes a SET/@@ variable name: lower case, without `@@`, `session.`, `local.`, `global.`. */
export function normalizeVariableName(name: string): { name: string; global: boolean } {
  let n = name.toLowerCase().replace(/^@@/, '');
  let global = false;
  const dot = n.indexOf('.');
  if (dot > 0) {
    const scope = n.slice(0, dot);
    if (scope === 'global') global = true;
    if (scope === 'global' || scope === 'session' || scope === 'local') n = n.slice(dot + 1);
  }
  return { name: n, global };
}

/** The value a client sees for a variable: the session's own, else the server's, else null (unknown). */
export function variableValue(
  ctx: SessionContext,
  defaults: ReadonlyMap<string, string>,
  name: string,
): string | null {
  const { name: n, global } = normalizeVariableName(name);
  if (!global && ctx.variables.has(n)) return ctx.variables.get(n) ?? null;
  if (n === 'tx_isolation' || n === 'transaction_isolation')
    return ctx.variables.get('transaction_isolation') ?? defaults.get(n) ?? null;
  return defaults.get(n) ?? null;
}

/**
 * DuckDB settings a user must not change through SET (they would reach the engine in DuckDB's dialect).
 * Lakecast never forwards SET to the engine; these get a clear LC_SQL_FORBIDDEN instead of a silent no-op.
 */
export const ENGINE_SETTINGS: ReadonlySet<string> = new Set([
  'access_mode',
  'allow_community_extensions',
  'allow_persistent_secrets',
  'allow_unsigned_extensions',
  'allowed_directories',
  'allowed_paths',
  'autoinstall_known_extensions',
  'autoload_known_extensions',
  'custom_extension_repository',
  'default_null_order',
  'default_order',
  'disabled_filesystems',
  'enable_external_access',
  'enable_fsst_vectors',
  'enable_http_metadata_cache',
  'enable_object_cache',
  'enable_profiling',
  'enable_progress_bar',
  'extension_directory',
  'external_threads',
  'file_search_path',
  'home_directory',
  'lock_configuration',
  'max_memory',
  'memory_limit',
  'null_order',
  'preserve_insertion_order',
  'profile_output',
  'profiling_mode',
  'profiling_output',
  'schema',
  'search_path',
  'secret_directory',
  'temp_directory',
  'threads',
  'worker_threads',
]);

/** True for engine settings and families of them (`s3_*`, `http_*`, `pg_*`…). */
export function isEngineSetting(name: string): boolean {
  return (
    ENGINE_SETTINGS.has(name) || /^(s3|http|azure|gcs|pg|calendar|timezone|binary|arrow|ordered)_/.test(name)
  );
}
