import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineErrors, LakecastError, nearMiss } from '../shared/index.js';
import { type Config, type ConfigInput, ConfigSchema } from './schema.js';

export const ConfigErrors = defineErrors({
  CONFIG_INVALID: { errno: 1105, sqlState: 'HY000', httpStatus: 500 },
  CONFIG_FILE: { errno: 1105, sqlState: 'HY000', httpStatus: 500 },
});

/** Environment variables read by {@link resolveConfig}, and the config key each sets. */
export const ENV_VARS: Readonly<Record<string, string>> = Object.freeze({
  LAKECAST_DATA_DIR: 'dataDir',
  LAKECAST_HOST: 'host',
  LAKECAST_MYSQL_PORT: 'mysqlPort',
  LAKECAST_HTTP_PORT: 'httpPort',
  LAKECAST_CATALOG: 'catalog',
  LAKECAST_LOG_LEVEL: 'logLevel',
  LAKECAST_EVENT_LOOP_NICE: 'eventLoopNice',
  LAKECAST_QUERY_TIMEOUT_MS: 'limits.queryTimeoutMs',
  LAKECAST_ENGINE_MEMORY_LIMIT: 'limits.engineMemoryLimit',
  LAKECAST_ENGINE_THREADS: 'limits.engineThreads',
  LAKECAST_MAX_CONNECTIONS: 'limits.maxConnections',
  LAKECAST_MAX_HTTP_CONNECTIONS: 'limits.maxHttpConnections',
  LAKECAST_TLS_CERT_FILE: 'tls.certFile',
  LAKECAST_TLS_KEY_FILE: 'tls.keyFile',
  LAKECAST_TASK_CONCURRENCY: 'tasks.concurrency',
  LAKECAST_TASK_MAX_QUEUED_PER_USER: 'tasks.maxQueuedPerUser',
  LAKECAST_TASK_MAX_RUNNING_PER_USER: 'tasks.maxRunningPerUser',
  LAKECAST_RESULTS_URI: 'tasks.resultsUri',
  LAKECAST_NODE_CODE: 'tasks.nodeCode',
  LAKECAST_TASK_EXECUTOR: 'tasks.executor',
  LAKECAST_TASK_ENGINE_MEMORY_LIMIT: 'tasks.engineMemoryLimit',
  LAKECAST_TASK_RESULT_GZIP: 'tasks.resultGzip',
  LAKECAST_TASK_MAX_RESULT_BYTES: 'tasks.maxResultBytes',
  LAKECAST_TASK_HISTORY_DAYS: 'tasks.historyDays',
  LAKECAST_TASK_MIN_FREE_DISK_BYTES: 'tasks.minFreeDiskBytes',
  LAKECAST_TASK_RESULT_URL_TTL_SECONDS: 'tasks.resultUrlTtlSeconds',
  LAKECAST_HUB: 'hub.location',
  LAKECAST_HUB_DURABILITY: 'hub.durability',
  LAKECAST_S3_ENDPOINT: 's3.endpoint',
  LAKECAST_S3_PUBLIC_ENDPOINT: 's3.publicEndpoint',
  LAKECAST_S3_REGION: 's3.region',
  LAKECAST_S3_ACCESS_KEY_ID: 's3.accessKeyId',
  LAKECAST_S3_SECRET_ACCESS_KEY: 's3.secretAccessKey',
});

/** `LAKECAST_*` variables read outside the configuration (secrets, the CLI's client settings). */
export const OTHER_ENV_VARS: readonly string[] = Object.freeze([
  'LAKECAST_ROOT_PASSWORD',
  'LAKECAST_SECRETS_KEY',
  'LAKECAST_URL',
  'LAKECAST_USER',
  'LAKECAST_PASSWORD',
  'LAKECAST_TOKEN',
]);

/**
 * `LAKECAST_*` variables in `env` that Lakecast does not read (a misspelt setting would otherwise be ignored without
 * a word), each with the name it is closest to. Variables of the project's own tests and benchmarks
 * (`LAKECAST_TEST_*`, `LAKECAST_BENCH_*`) are not reported.
 */
export function unknownEnvVars(env: NodeJS.ProcessEnv): { name: string; didYouMean?: string }[] {
  const known = [...Object.keys(ENV_VARS), ...OTHER_ENV_VARS];
  return Object.keys(env)
    .filter(
      (name) => /^LAKECAST_/.test(name) && !/^LAKECAST_(TEST|BENCH)_/.test(name) && !known.includes(name),
    )
    .sort()
    .map((name) => {
      const didYouMean = nearMiss(name, known, 3);
      return didYouMean === undefined ? { name } : { name, didYouMean };
    });
}

type Plain = Record<string, unknown>;

function setPath(target: Plain, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Plain;
  }
  node[keys[keys.length - 1]] = value;
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object'
        ? deepMerge(prev as Plain, value as Plain)
        : value;
  }
  return out;
}

/** Reads a JSON config file. */
export function readConfigFile(file: string): ConfigInput {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ConfigInput;
  } catch (err) {
    throw new LakecastError(
      ConfigErrors.CONFIG_FILE,
      `cannot read config file ${file}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Builds the one validated, frozen configuration from (lowest to highest precedence) defaults, a JSON config
 * file, `LAKECAST_*` environment variables and explicit options (CLI flags). Relative paths are resolved
 * against the working directory. Throws `LC_CONFIG_INVALID` naming every bad key.
 */
export function resolveConfig(
  options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigInput } = {},
): Config {
  const fromFile = options.file ? (readConfigFile(options.file) as Plain) : {};
  const fromEnv: Plain = {};
  const env = options.env ?? {};
  for (const [name, key] of Object.entries(ENV_VARS)) {
    if (env[name] !== undefined && env[name] !== '') setPath(fromEnv, key, env[name]);
  }
  const merged = deepMerge(deepMerge(fromFile, fromEnv), (options.overrides ?? {}) as Plain);
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new LakecastError(ConfigErrors.CONFIG_INVALID, `invalid configuration: ${detail}`);
  }
  const cfg = parsed.data;
  cfg.dataDir = path.resolve(cfg.dataDir);
  cfg.lake.fileRoots = cfg.lake.fileRoots.map((p) => path.resolve(p));
  return deepFreeze(cfg);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
