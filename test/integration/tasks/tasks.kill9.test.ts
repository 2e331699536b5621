import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { openCatalog } from '../../../src/catalog/index.js';
import { createDuckDbEngine } from '../../../src/engine/index.js';
import { openObjectStore } from '../../../src/storage/index.js';
import { createTaskService } from '../../../src/tasks/index.js';
import { tempDir } from '../../helpers/tmp.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'task-child.ts');

it('kill -9 recovery - SELECTs re-run under the same id, non-idempotent ones FAIL, queued ones run; none stuck', async () => {
  const { dir, cleanup } = tempDir('lakecast-kill9-');
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ids = await new Promise<{ select: string; insert: string; queued: string }>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      proc.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;

    const catalog = await openCatalog('sqlite', dir);
    await catalog.migrate();
    const engine = await createDuckDbEngine({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
    const bodies: string[] = [];
    const tasks = createTaskService({
      catalog,
      engine,
      prepare: async (_ctx, sql) => {
        bodies.push(sql.trim());
        return { engineSql: sql.includes('2') ? 'SELECT 2 AS answer' : 'SELECT 1 AS answer' };
      },
      resultStore: openObjectStore(pathToFileURL(path.join(dir, 'results')).href),
    });
    try {
      const before = await tasks.store.get(ids.select);
      expect(before).toMatchObject({ status: 'RUNNING', attempts: 1 });
      expect(await tasks.start()).toEqual({ requeued: 2, failed: 1 });
      const wait = async (id: string) => {
        for (let i = 0; i < 500; i++) {
          const t = await tasks.store.get(id);
          if (t && !['QUEUED', 'RUNNING'].includes(t.status)) return t;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error(`${id} stuck`);
      };
      expect(await wait(ids.select)).toMatchObject({
        id: ids.select,
        status: 'SUCCESS',
        attempts: 2,
        row_count: 1,
      });
      expect(await wait(ids.queued)).toMatchObject({ status: 'SUCCESS', attempts: 1 });
      const ins = await wait(ids.insert);
      expect(ins.status).toBe('FAILURE');
      expect(ins.message).toMatch(/not idempotent/);
      expect(bodies.sort()).toEqual(['select 1 as answer', 'select 2 as answer']);
      expect(await tasks.store.list({ where: (eb) => eb('status', 'in', ['QUEUED', 'RUNNING']) })).toEqual(
        [],
      );
    } finally {
      await tasks.close(0);
      await engine.close();
      await catalog.close();
    }
  } finally {
    cleanup();
  }
});
