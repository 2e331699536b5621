import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../../src/storage/index.js';
import type { TaskService } from '../../../src/tasks/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { startFakeTasksOverHttp } from './http-app.js';

describe('tasks HTTP API - DELETE /v1/tasks/{id}/result', () => {
  const { dir, cleanup: removeDir } = tempDir('lakecast-delete-');
  const store = new LocalObjectStore(dir);
  let tasks: TaskService;
  let base = '';
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const started = await startFakeTasksOverHttp({ progressWriteMs: 0 }, { resultStore: store });
    ({ tasks, base } = started);
    cleanup = async () => {
      await started.close();
      removeDir();
    };
  });
  afterAll(() => cleanup());

  const call = (method: string, path: string, user: string) =>
    fetch(base + path, { method, headers: { 'x-user': user } });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
  const json = async (r: Response): Promise<any> => r.json();

  async function submitted(user: string, sql: string, until = ['SUCCESS', 'FAILURE', 'CANCELLED']) {
    const res = await fetch(`${base}/v1/tasks`, {
      method: 'POST',
      headers: { 'x-user': user, 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    const { id } = (await res.json()) as { id: string };
    for (let i = 0; i < 500; i++) {
      const t = await tasks.store.get(id);
      if (t && until.includes(t.status)) return t;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`task ${id} did not reach ${until}`);
  }

  it('deletes the file and marks the row; the download then answers 409; deleting again changes nothing', async () => {
    const t = await submitted('alice', 'rows 10');
    const file = store.pathOf(t.result_key!);
    expect(existsSync(file)).toBe(true);
    const res = await call('DELETE', `/v1/tasks/${t.id}/result`, 'alice');
    expect(res.status).toBe(200);
    const row = await json(res);
    expect(row).toMatchObject({ id: t.id, status: 'SUCCESS', row_count: 10 });
    expect(Date.parse(row.result_deleted_at)).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(false);

    const download = await call('GET', `/v1/tasks/${t.id}/result`, 'alice');
    expect(download.status).toBe(409);
    expect(await json(download)).toMatchObject({
      code: 'LC_TASK_NO_RESULT',
      message: expect.stringMatching(/was deleted/),
    });
    const again = await json(await call('DELETE', `/v1/tasks/${t.id}/result`, 'alice'));
    expect(again.result_deleted_at).toBe(row.result_deleted_at);
    // The row itself stays, with its figures.
    expect(await json(await call('GET', `/v1/tasks/${t.id}`, 'alice'))).toMatchObject({
      id: t.id,
      row_count: 10,
    });
  });

  it("another user's task is 404 (and stays); an admin may delete it", async () => {
    const t = await submitted('alice', 'rows 2');
    for (const path of [`/v1/tasks/${t.id}/result`, '/v1/tasks/qnosuchtask000000000000000000/result']) {
      const res = await call('DELETE', path, 'bob');
      expect(res.status).toBe(404);
      expect((await json(res)).code).toBe('LC_TASK_NOT_FOUND');
    }
    expect(existsSync(store.pathOf(t.result_key!))).toBe(true);
    expect((await call('DELETE', `/v1/tasks/${t.id}/result`, 'root')).status).toBe(200);
    expect(existsSync(store.pathOf(t.result_key!))).toBe(false);
  });

  it('a task without a result file (running, failed) - 409 LC_TASK_NO_RESULT; a running task keeps running', async () => {
    const failed = await submitted('alice', 'fail now');
    expect((await json(await call('DELETE', `/v1/tasks/${failed.id}/result`, 'alice'))).code).toBe(
      'LC_TASK_NO_RESULT',
    );
    const running = await submitted('alice', 'slow 40', ['RUNNING']);
    const res = await call('DELETE', `/v1/tasks/${running.id}/result`, 'alice');
    expect(res.status).toBe(409);
    expect((await tasks.store.get(running.id))?.status).toBe('RUNNING');
    await tasks.cancel(running.id, { name: 'alice', admin: false });
  });

  it('bad input - an over-long id is 400, a path in the id finds no task', async () => {
    expect((await call('DELETE', `/v1/tasks/${'q'.repeat(80)}/result`, 'alice')).status).toBe(400);
    expect((await call('DELETE', '/v1/tasks/..%2F..%2Fetc/result', 'alice')).status).toBe(404);
  });
});
