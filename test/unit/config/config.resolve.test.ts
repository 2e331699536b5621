import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_HTTP_PORT,
  DEFAULT_MYSQL_PORT,
  ENV_VARS,
  resolveConfig,
  unknownEnvVars,
} from '../../../src/config/index.js';
import { tempDir } from '../../helpers/tmp.js';

describe('config - resolveConfig', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('defaults: loopback, 3307/8080, SQLite catalog, ./lakecast-data resolved to an absolute path', () => {
    const cfg = resolveConfig();
    expect(cfg.host).toBe('127.0.0.1');
    expect(cfg.mysqlPort).toBe(DEFAULT_MYSQL_PORT);
    expect(cfg.httpPort).toBe(DEFAULT_HTTP_PORT);
    expect(cfg.catalog).toBe('sqlite');
    expect(cfg.dataDir).toBe(path.resolve('lakecast-data'));
    expect(cfg.limits.maxConnections).toBe(151);
    expect(cfg.eventLoopNice).toBe(-10);
    expect(resolveConfig({ env: { LAKECAST_EVENT_LOOP_NICE: '0' } }).eventLoopNice).toBe(0);
  });

  it('precedence: file < env < flags, nested keys merged', () => {
    const file = path.join(tmp.dir, 'lakecast.json');
    writeFileSync(
      file,
      JSON.stringify({ mysqlPort: 4000, httpPort: 4001, limits: { maxConnections: 10, queryTimeoutMs: 5 } }),
    );
    const cfg = resolveConfig({
      file,
      env: { LAKECAST_HTTP_PORT: '5001', LAKECAST_MAX_CONNECTIONS: '20' },
      overrides: { httpPort: 6001 },
    });
    expect(cfg.mysqlPort).toBe(4000);
    expect(cfg.httpPort).toBe(6001);
    expect(cfg.limits.maxConnections).toBe(20);
    expect(cfg.limits.queryTimeoutMs).toBe(5);
    expect(cfg.limits.engineMemoryLimit).toBe('50%');
    expect(cfg.tasks.executor).toBe('thread');
    expect(cfg.tasks.engineMemoryLimit).toBe('25%');
    expect(cfg.tasks.resultGzip).toBe('remote');
    expect(resolveConfig({ env: { LAKECAST_TASK_RESULT_GZIP: 'always' } }).tasks.resultGzip).toBe('always');
    expect(cfg.tasks.maxRunningPerUser).toBe(0);
    expect(cfg.tasks.minFreeDiskBytes).toBe(1024 ** 3);
    const env = { LAKECAST_TASK_MAX_RUNNING_PER_USER: '2', LAKECAST_TASK_MAX_RESULT_BYTES: '1000' };
    expect(resolveConfig({ env }).tasks).toMatchObject({ maxRunningPerUser: 2, maxResultBytes: 1000 });
    expect(cfg.tasks.historyDays).toBe(90);
    expect(resolveConfig({ env: { LAKECAST_TASK_HISTORY_DAYS: '0' } }).tasks.historyDays).toBe(0);
    expect(() => resolveConfig({ env: { LAKECAST_TASK_HISTORY_DAYS: '-1' } })).toThrow(/tasks\.historyDays/);
    expect(() => resolveConfig({ env: { LAKECAST_TASK_HISTORY_DAYS: 'forever' } })).toThrow(
      /tasks\.historyDays/,
    );
  });

  it('the result is frozen', () => {
    const cfg = resolveConfig();
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.limits)).toBe(true);
  });

  it('bad values fail with LC_CONFIG_INVALID naming every bad key', () => {
    try {
      resolveConfig({
        env: {
          LAKECAST_MYSQL_PORT: '70000',
          LAKECAST_ENGINE_MEMORY_LIMIT: 'lots',
          LAKECAST_TASK_RESULT_GZIP: 'sometimes',
          LAKECAST_EVENT_LOOP_NICE: '-21',
        },
      });
      expect.unreachable();
    } catch (err) {
      const e = err as { code: string; message: string };
      expect(e.code).toBe('LC_CONFIG_INVALID');
      expect(e.message).toContain('mysqlPort');
      expect(e.message).toContain('limits.engineMemoryLimit');
      expect(e.message).toContain('tasks.resultGzip');
      expect(e.message).toContain('eventLoopNice');
    }
    expect(() => resolveConfig({ overrides: { nope: 1 } as never })).toThrow(
      /LC_CONFIG_INVALID|invalid configuration/,
    );
  });

  it('an unreadable or malformed config file fails with LC_CONFIG_FILE', () => {
    const bad = path.join(tmp.dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    for (const file of [bad, path.join(tmp.dir, 'missing.json')]) {
      expect(() => resolveConfig({ file })).toThrow(expect.objectContaining({ code: 'LC_CONFIG_FILE' }));
    }
  });

  it('unknown LAKECAST_* variables are reported with the setting they are closest to (a typo is never silent)', () => {
    expect(
      unknownEnvVars({
        LAKECAST_TASK_CONCURENCY: '4', // one letter off
        LAKECAST_DATADIR: '/x', // the underscore missing
        LAKECAST_SOMETHING_ELSE: '1',
        LAKECAST_TASK_CONCURRENCY: '4', // known
        LAKECAST_ROOT_PASSWORD: 'pw', // read outside the config
        LAKECAST_TEST_PG_URL: 'postgres://', // the project's own test settings
        PATH: '/bin',
      }),
    ).toEqual([
      { name: 'LAKECAST_DATADIR', didYouMean: 'LAKECAST_DATA_DIR' },
      { name: 'LAKECAST_SOMETHING_ELSE' },
      { name: 'LAKECAST_TASK_CONCURENCY', didYouMean: 'LAKECAST_TASK_CONCURRENCY' },
    ]);
    expect(unknownEnvVars(Object.fromEntries(Object.keys(ENV_VARS).map((k) => [k, '1'])))).toEqual([]);
  });
});
