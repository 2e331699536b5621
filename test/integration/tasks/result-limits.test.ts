import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../../src/auth/types.js';
import { LocalObjectStore } from '../../../src/storage/index.js';
import type { TaskRecord, TaskService } from '../../../src/tasks/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { startFakeTaskService } from './fake-service.js';

const alice: AuthUser = { name: 'alice', admin: false };
const ctx = { user: alice, database: 'demo', connectionId: 7 };

/** Result files under `dir` (the local store's own temp folder aside). */
function resultFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.lakecast-tmp') continue;
      if (e.isDirectory()) walk(path.join(d, e.name));
      else out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

async function ended(tasks: TaskService, id: string): Promise<TaskRecord> {
  for (let i = 0; i < 500; i++) {
    const t = await tasks.store.get(id);
    if (t && t.status !== 'QUEUED' && t.status !== 'RUNNING') return t;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`task ${id} did not end`);
}

describe('result limits - a runaway result cannot fill the disk (local result store)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function start(
    config: { maxResultBytes?: number; minFreeDiskBytes?: number },
    store?: (dir: string) => LocalObjectStore,
  ) {
    const { dir, cleanup } = tempDir('lakecast-limits-');
    const service = await startFakeTaskService(config, {
      resultStore: store ? store(dir) : new LocalObjectStore(dir),
    });
    cleanups.push(async () => {
      await service.close();
      cleanup();
    });
    return { tasks: service.tasks, dir };
  }

  it('tasks.maxResultBytes - a larger result fails LC_TASK_RESULT_TOO_LARGE, leaves no file; the next task runs', async () => {
    const { tasks, dir } = await start({ maxResultBytes: 4096 });
    const big = await ended(tasks, await tasks.submit(ctx, '/*+ run-async=true */ rows 5000'));
    expect(big.status).toBe('FAILURE');
    expect(big.message).toMatch(
      /^LC_TASK_RESULT_TOO_LARGE: the result is larger than the 4096 bytes a result may have \(tasks\.maxResultBytes\)/,
    );
    expect(big.result_file_oss_file).toBeNull();
    expect(resultFiles(dir)).toEqual([]);
    const small = await ended(tasks, await tasks.submit(ctx, '/*+ run-async=true */ rows 10'));
    expect(small.status).toBe('SUCCESS');
    expect(resultFiles(dir)).toHaveLength(1);
  });

  it('tasks.minFreeDiskBytes - below the floor a task fails LC_TASK_DISK_FULL before writing anything', async () => {
    const { tasks, dir } = await start({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
    const t = await ended(tasks, await tasks.submit(ctx, '/*+ run-async=true */ rows 10'));
    expect(t.status).toBe('FAILURE');
    expect(t.message).toMatch(
      /^LC_TASK_DISK_FULL: the results disk is full \(.* [GMT]iB free; tasks\.minFreeDiskBytes keeps/,
    );
    expect(resultFiles(dir)).toEqual([]);
  });

  it('a write that fails with ENOSPC (simulated: no small full disk can be mounted in tests) ends LC_TASK_DISK_FULL', async () => {
    class FullDisk extends LocalObjectStore {
      override async put(key: string, body: Parameters<LocalObjectStore['put']>[1]) {
        if (key.endsWith('.csv'))
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return super.put(key, body);
      }
    }
    const { tasks } = await start({}, (dir) => new FullDisk(dir));
    const t = await ended(tasks, await tasks.submit(ctx, '/*+ run-async=true */ rows 10'));
    expect(t.status).toBe('FAILURE');
    expect(t.message).toBe(
      'LC_TASK_DISK_FULL: the results disk is full (no space left on the device; tasks.minFreeDiskBytes keeps 1 GiB free): the result was not kept',
    );
  });

  it('force-persist-result - a synchronous query over the cap fails for its caller and its task, no file', async () => {
    const { tasks, dir } = await start({ maxResultBytes: 2048 });
    const r = await tasks.runSync(
      { ...ctx, remoteAddress: 'x', variables: new Map() },
      '/*+ force-persist-result=true */ rows 5000',
      { forcePersistResult: true },
      new AbortController().signal,
    );
    await expect(
      (async () => {
        for await (const _ of r.batches) {
          // the caller reads on
        }
      })(),
    ).rejects.toMatchObject({ code: 'LC_TASK_RESULT_TOO_LARGE' });
    const [t] = await tasks.store.list();
    expect(t?.status).toBe('FAILURE');
    expect(t?.message).toMatch(/^LC_TASK_RESULT_TOO_LARGE/);
    expect(resultFiles(dir)).toEqual([]);
  });
});
