import { afterEach, describe, expect, it } from 'vitest';
import { LakecastError } from '../../../src/shared/index.js';
import type { SessionContext } from '../../../src/sql/types.js';
import {
  createTaskService,
  resultKeyOf,
  statementKind,
  TASK_ID_PATTERN,
  type TaskService,
} from '../../../src/tasks/index.js';
import { openTasksDb } from '../../integration/tasks/db.js';
import { fakeEngine, MemoryStore } from './fakes.js';
import {
  afterTest,
  alice,
  bob,
  closeServices,
  ctxOf,
  prepare,
  root,
  setupService as setup,
  waitDone,
  waitStatus,
} from './service-harness.js';

afterEach(closeServices);

describe('tasks - submit and run', () => {
  it('submit - returns a DLA-shaped id at once; the row is durable and ends SUCCESS with a CSV result', async () => {
    const { tasks, results } = await setup({ nodeCode: 'sh' });
    const sql = '/*+ run-async=true */rows 4;';
    const id = await tasks.submit(ctxOf(), sql);
    expect(id).toMatch(TASK_ID_PATTERN);
    expect(id.startsWith('q201811021109sh')).toBe(true);
    const t = await waitDone(tasks, id);
    expect(t).toMatchObject({
      status: 'SUCCESS',
      task_name: 'ROWS',
      command: sql,
      creator_id: 'alice',
      table_schema: 'demo',
      connection_id: 5,
      row_count: 4,
      scanned_row_count: 4,
      scanned_data_bytes: 40,
      attempts: 1,
      progress: 100,
      cancellable_task: 0,
      result_file_oss_file: `mem://results/2018/11/02/${id}/result.csv`,
    });
    expect(t.elapse_time).toBeGreaterThanOrEqual(0);
    expect(t.queue_time).toBeGreaterThanOrEqual(0);
    const csv = results.objects.get(`2018/11/02/${id}/result.csv`)!.toString('utf8');
    expect(csv).toBe('id,name\r\n0,\r\n1,"name,""1"""\r\n2,"name,""2"""\r\n3,\r\n');
    expect(t.result_file_size).toBe(Buffer.byteLength(csv));
    expect(JSON.parse(t.hints)).toEqual({ 'run-async': 'true' });
  });

  it('output-format=json - NDJSON result.json', async () => {
    const { tasks, results } = await setup();
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true, output-format=json */ rows 2');
    const t = await waitDone(tasks, id);
    expect(t.result_file_oss_file).toMatch(/result\.json$/);
    expect(results.objects.get(t.result_key!)!.toString()).toBe(
      '{"id":0,"name":null}\n{"id":1,"name":"name,\\"1\\""}\n',
    );
    const r = await tasks.openResult(id, alice);
    expect(r.contentType).toMatch(/ndjson/);
  });

  it('output-format=parquet - refused at submit when no Parquet writer is configured', async () => {
    const { tasks } = await setup();
    await expect(
      tasks.submit(ctxOf(), '/*+ run-async=true, output-format=parquet */ rows 2'),
    ).rejects.toMatchObject({
      code: 'LC_TASK_UNSUPPORTED',
    });
  });

  it('bad hints - error naming the key, nothing stored', async () => {
    const { tasks } = await setup();
    await expect(tasks.submit(ctxOf(), '/*+ run-async=true, colour=red */ rows 1')).rejects.toMatchObject({
      code: 'LC_HINT_UNKNOWN',
      message: expect.stringMatching(/colour/),
    });
    expect(await tasks.store.list()).toEqual([]);
  });

  it('failure - the engine error becomes the message', async () => {
    const { tasks } = await setup();
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true */ fail');
    const t = await waitDone(tasks, id);
    expect(t.status).toBe('FAILURE');
    expect(t.message).toBe('LC_BAD_REQUEST: Parser Error: syntax error at "fail"');
    expect(t.result_file_oss_file).toBeNull();
  });

  it('timeout - query-timeout ends the task as FAILURE with a clear message, no result left', async () => {
    const { tasks, results, engine } = await setup();
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true, query-timeout=0.2 */ slow 100');
    const t = await waitDone(tasks, id);
    expect(t.status).toBe('FAILURE');
    expect(t.message).toMatch(/LC_TIMEOUT: query exceeded the timeout of 0.2 s/);
    expect(results.objects.size).toBe(0);
    expect(engine.active.size).toBe(0);
  });

  it('server default timeout applies without the hint', async () => {
    const { tasks } = await setup({ defaultTimeoutMs: 150 });
    const t = await waitDone(tasks, await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 100'));
    expect(t.message).toMatch(/timeout of 0.15 s/);
  });

  it('progress - events and store writes while RUNNING', async () => {
    const { tasks } = await setup();
    const seen: number[] = [];
    const kinds: string[] = [];
    tasks.events.on('task:progress', (e) => seen.push(e.progress!));
    for (const ev of ['task:queued', 'task:started', 'task:succeeded'] as const)
      tasks.events.on(ev, () => kinds.push(ev));
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 4');
    let midway: number | null = null;
    for (let i = 0; i < 200 && midway === null; i++) {
      const t = await tasks.store.get(id);
      if (t?.status === 'RUNNING' && (t.progress ?? 0) > 0) midway = t.progress;
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitDone(tasks, id);
    expect(midway).toBeGreaterThan(0);
    expect(seen).toEqual([25, 50, 75, 100]);
    expect(kinds).toEqual(['task:queued', 'task:started', 'task:succeeded']);
  });

  it('statementKind - task_name from the first keyword', () => {
    expect(statementKind(' -- c\n /* x */ select 1')).toBe('SELECT');
    expect(statementKind('with a as (select 1) select * from a')).toBe('SELECT');
    expect(statementKind('(select 1)')).toBe('SELECT');
    expect(statementKind('insert into t select 1')).toBe('INSERT');
    expect(statementKind('')).toBe('UNKNOWN');
    expect(resultKeyOf('qX', Date.UTC(2020, 0, 9), 'json')).toBe('2020/01/09/qX/result.json');
  });
});

describe('tasks - terminal transaction hook (receipts outbox)', () => {
  it('onFinishInTx sees the terminal row inside the transaction; a failing hook still records the state', async () => {
    const { db, cleanup } = await openTasksDb('sqlite');
    afterTest(cleanup);
    const seen: string[] = [];
    let fail = false;
    const tasks = createTaskService({
      catalog: { db },
      engine: fakeEngine(),
      prepare,
      resultStore: new MemoryStore(),
      onFinishInTx: async (_tx, task) => {
        if (fail) throw new Error('outbox table missing');
        seen.push(`${task.id}:${task.status}:${task.row_count}`);
        return undefined;
      },
    });
    await tasks.start();
    afterTest(() => tasks.close(0));
    const a = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 2');
    await waitDone(tasks, a);
    expect(seen).toEqual([`${a}:SUCCESS:2`]);
    fail = true;
    const b = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1');
    const t = await waitDone(tasks, b);
    expect(t).toMatchObject({ status: 'SUCCESS', mq_status: 'FAILURE' });
    expect(t.mq_error_msg).toMatch(/receipt could not be queued/);
  });
});

describe('tasks - sync queries with hints', () => {
  const signal = new AbortController().signal;
  const session = (user = alice): SessionContext => ({
    ...ctxOf(user),
    remoteAddress: 'x',
    variables: new Map(),
  });

  it('force-persist-result - rows stream to the caller and into result.csv under a SUCCESS task row', async () => {
    const { tasks, results } = await setup();
    const r = await tasks.runSync(
      session(),
      '/*+ force-persist-result=true */ rows 3',
      { forcePersistResult: true },
      signal,
    );
    const rows = [];
    for await (const b of r.batches) rows.push(...b);
    expect(rows).toHaveLength(3);
    const [t] = await tasks.store.list();
    expect(t).toMatchObject({ status: 'SUCCESS', row_count: 3, attempts: 1 });
    expect(results.objects.get(t!.result_key!)!.toString()).toMatch(/^id,name\r\n0,\r\n/);
  });

  it('force-persist-result - a caller that stops early leaves FAILURE and no file', async () => {
    const { tasks, results } = await setup();
    const r = await tasks.runSync(
      session(),
      '/*+ force-persist-result=true */ slow 20',
      { forcePersistResult: true },
      signal,
    );
    for await (const _ of r.batches) break;
    const [t] = await tasks.store.list();
    expect(t?.status).toBe('FAILURE');
    expect(t?.message).toMatch(/stopped reading/);
    expect(results.objects.size).toBe(0);
  });

  it('query-timeout on a sync query is passed to the engine', async () => {
    const { tasks } = await setup();
    const r = await tasks.runSync(
      session(),
      '/*+ query-timeout=0.1 */ slow 100',
      { queryTimeoutSecs: 0.1 },
      signal,
    );
    await expect(
      (async () => {
        for await (const _ of r.batches);
      })(),
    ).rejects.toMatchObject({ code: 'LC_TIMEOUT' });
    expect(await tasks.store.list()).toEqual([]);
  });
});

describe('tasks - queueing', () => {
  it('fair queueing - round-robin across creators', async () => {
    const { tasks, engine } = await setup({ concurrency: 1 });
    const order: string[] = [];
    tasks.events.on('task:started', (e) => order.push(e.creator));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await tasks.submit(ctxOf(alice), `/*+ run-async=true */ slow 1`));
    ids.push(await tasks.submit(ctxOf(bob), '/*+ run-async=true */ rows 1'));
    for (const id of ids) await waitDone(tasks, id);
    expect(order).toEqual(['alice', 'bob', 'alice', 'alice', 'alice']);
    expect(engine.ran).toHaveLength(5);
  });

  it('start at once - a free slot and nobody waiting: the row is inserted RUNNING; a busy slot: QUEUED', async () => {
    const { tasks } = await setup({ concurrency: 1 });
    const first = await tasks.submit(ctxOf(alice), '/*+ run-async=true */ slow 2');
    const second = await tasks.submit(ctxOf(alice), '/*+ run-async=true */ rows 1');
    const a = (await tasks.store.get(first))!;
    expect(a).toMatchObject({ status: 'RUNNING', attempts: 1, queue_time: 0, started_at: a.create_time });
    expect(a.mpp_query_id).toMatch(/^\d{8}_\d{6}_\d{5}_/);
    expect((await tasks.store.get(second))!.status).toBe('QUEUED');
    for (const id of [first, second]) await waitDone(tasks, id);
    const b = (await tasks.store.get(second))!;
    expect(b).toMatchObject({ status: 'SUCCESS', attempts: 1 });
    expect(b.queue_time).toBeGreaterThanOrEqual(0);
  });

  it('concurrency - at most N run at once', async () => {
    const { tasks } = await setup({ concurrency: 2 });
    let max = 0;
    tasks.events.on('task:started', () => {
      max = Math.max(max, tasks.stats().running);
    });
    const ids = await Promise.all(
      Array.from({ length: 6 }, () => tasks.submit(ctxOf(), '/*+ run-async=true */ slow 2')),
    );
    for (const id of ids) await waitDone(tasks, id);
    expect(max).toBe(2);
  });

  it('client-token - the same token from the same user returns the same id; another user gets a new one', async () => {
    const { tasks } = await setup();
    const sql = '/*+ run-async=true, client-token=abc */ rows 1';
    const [a, b] = await Promise.all([tasks.submit(ctxOf(), sql), tasks.submit(ctxOf(), sql)]);
    expect(a).toBe(b);
    expect(await tasks.submit(ctxOf(), sql)).toBe(a);
    const c = await tasks.submit(ctxOf(bob), sql);
    expect(c).not.toBe(a);
    await expect(
      tasks.submit(ctxOf(), '/*+ run-async=true, client-token=abc */ rows 2'),
    ).rejects.toMatchObject({
      code: 'LC_TASK_TOKEN_REUSED',
    });
    expect((await tasks.store.list()).length).toBe(2);
  });
});

describe('tasks - visibility', () => {
  it('per-user visibility - a user sees only own tasks; admins see all', async () => {
    const { tasks } = await setup();
    const a = await tasks.submit(ctxOf(alice), '/*+ run-async=true */ rows 1');
    const b = await tasks.submit(ctxOf(bob), '/*+ run-async=true */ rows 1');
    await waitDone(tasks, a);
    await waitDone(tasks, b);
    expect((await tasks.get(a, alice)).id).toBe(a);
    await expect(tasks.get(a, bob)).rejects.toMatchObject({ code: 'LC_TASK_NOT_FOUND', errno: 1094 });
    expect((await tasks.get(a, root)).id).toBe(a);
    expect((await tasks.list(alice)).map((t) => t.id)).toEqual([a]);
    expect((await tasks.list(root, { creator: '*' })).map((t) => t.id).sort()).toEqual([a, b].sort());
    expect((await tasks.list(root, { creator: 'bob' })).map((t) => t.id)).toEqual([b]);
    await expect(tasks.list(alice, { creator: 'bob' })).rejects.toBeInstanceOf(LakecastError);
    await expect(tasks.openResult(a, bob)).rejects.toMatchObject({ code: 'LC_TASK_NOT_FOUND' });
    await expect(tasks.cancel(a, bob)).rejects.toMatchObject({ code: 'LC_TASK_NOT_FOUND' });
    const r = await tasks.openResult(a, alice);
    let text = '';
    for await (const c of r.body) text += c;
    expect(text).toBe('id,name\r\n0,\r\n');
  });
});

describe('tasks - cancel', () => {
  it('cancel - running query stops within 1 s, CANCELLED, no partial result', async () => {
    const { tasks, results, engine } = await setup();
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 1000');
    await waitStatus(tasks, id, 'RUNNING');
    await new Promise((r) => setTimeout(r, 120));
    const t0 = Date.now();
    const t = await tasks.cancel(id, alice);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(t.status).toBe('CANCELLED');
    expect(t.message).toBe('cancelled by alice');
    expect(engine.active.size).toBe(0);
    expect(results.objects.size).toBe(0);
    await expect(tasks.cancel(id, alice)).rejects.toMatchObject({ code: 'LC_TASK_FINISHED' });
  });

  it('cancel - a queued task never runs', async () => {
    const { tasks, engine } = await setup({ concurrency: 1 });
    const first = await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 4');
    const second = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1');
    expect((await tasks.cancel(second, root)).status).toBe('CANCELLED');
    await waitDone(tasks, first);
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.ran).toEqual(['slow 4']);
    expect((await tasks.store.get(second))?.message).toBe('cancelled by root');
  });

  it('cancel - while queued by another node: QUEUED→RUNNING loses, the query stops, nothing is written', async () => {
    const { tasks, results } = await setup({ concurrency: 1 });
    const first = await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 50');
    const second = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 3');
    const ended: string[] = [];
    for (const e of ['task:succeeded', 'task:failed', 'task:cancelled'] as const)
      tasks.events.on(e, (ev) => ended.push(`${ev.id}:${e}`));
    // Another server's KILL: only the compare-and-set; this node still has the task in its queue.
    await tasks.store.finish(second, 'CANCELLED', { message: 'cancelled by bob' }, Date.now());
    await waitDone(tasks, first);
    for (let i = 0; i < 100 && tasks.stats().running + tasks.stats().queued > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    const t = (await tasks.store.get(second))!;
    expect(t).toMatchObject({
      status: 'CANCELLED',
      message: 'cancelled by bob',
      attempts: 0,
      result_key: null,
    });
    expect([...results.objects.keys()].filter((k) => k.includes(second))).toEqual([]);
    expect(ended).toEqual([`${first}:task:succeeded`]);
  });

  it('slots - the next task runs while the previous one waits for its terminal commit; close waits for it', async () => {
    const { tasks } = await setup({ concurrency: 1 });
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) => tasks.submit(ctxOf(), `/*+ run-async=true */ rows ${i + 1}`)),
    );
    for (const id of ids) await waitDone(tasks, id);
    for (const [i, id] of ids.entries())
      expect(await tasks.store.get(id)).toMatchObject({ status: 'SUCCESS', row_count: i + 1, attempts: 1 });
    expect(tasks.stats()).toEqual({ queued: 0, running: 0, queuedTextChars: 0 });
  });

  it('cancel - by another node: the runner notices at its next progress write', async () => {
    const { tasks, engine } = await setup();
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 1000');
    await waitStatus(tasks, id, 'RUNNING');
    // What a KILL on another server sharing the catalog does: the CAS to CANCELLED only.
    await tasks.store.finish(id, 'CANCELLED', { message: 'cancelled by root' }, Date.now());
    for (let i = 0; i < 100 && engine.active.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.active.size).toBe(0);
    expect((await tasks.store.get(id))?.status).toBe('CANCELLED');
  });
});

/** Submits `n` trivial tasks one after the other and waits for each to end; answers their ids. */
async function finishedTasks(tasks: TaskService, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1');
    await waitDone(tasks, id);
    ids.push(id);
  }
  return ids;
}

/** Makes `results.delete(key)` fail until the returned function is called. */
function failDeletesOf(results: MemoryStore, key: string): () => void {
  const realDelete = results.delete.bind(results);
  results.delete = async (k: string) => {
    if (k === key) throw new Error('store unavailable');
    return realDelete(k);
  };
  return () => {
    results.delete = realDelete;
  };
}

describe('tasks - recovery and retention', () => {
  it('recovery - RUNNING SELECT re-runs under the same id, non-idempotent ones FAIL, QUEUED run', async () => {
    const { db, cleanup } = await openTasksDb('sqlite');
    afterTest(cleanup);
    const base = {
      table_schema: 'demo',
      creator_id: 'alice',
      create_time: Date.UTC(2020, 0, 1),
      connection_id: 1,
      output_format: 'csv',
      client_token: null,
      hints: '{}',
      node: 'lc',
    };
    const { createTaskStore } = await import('../../../src/tasks/index.js');
    const store = createTaskStore(db);
    const ts = Date.UTC(2020, 0, 1);
    await store.insert({ ...base, id: 'q1', task_name: 'SELECT', command: '/*+ run-async=true */ rows 3' });
    await store.markRunning('q1', ts, 'm');
    await store.insert({
      ...base,
      id: 'q2',
      task_name: 'INSERT',
      command: '/*+ run-async=true */ insert into t select 1',
    });
    await store.markRunning('q2', ts, 'm');
    await store.insert({ ...base, id: 'q3', task_name: 'ROWS', command: '/*+ run-async=true */ rows 1' });
    await store.insert({ ...base, id: 'q4', task_name: 'SELECT', command: 'rows 1', node: 'zz' });
    const results = new MemoryStore();
    results.objects.set('2020/01/01/q1/result.csv', Buffer.from('partial'));
    const tasks = createTaskService({ catalog: { db }, engine: fakeEngine(), prepare, resultStore: results });
    afterTest(() => tasks.close(0));
    expect(await tasks.start()).toEqual({ requeued: 2, failed: 1 });
    const q1 = await waitDone(tasks, 'q1');
    expect(q1).toMatchObject({ status: 'SUCCESS', attempts: 2, row_count: 3 });
    expect(results.objects.get('2020/01/01/q1/result.csv')!.toString()).toMatch(/^id,name/);
    const q2 = await tasks.store.get('q2');
    expect(q2?.status).toBe('FAILURE');
    expect(q2?.message).toMatch(/LC_TASK_INTERRUPTED: .*INSERT.*not idempotent/);
    expect((await waitDone(tasks, 'q3')).status).toBe('SUCCESS');
    expect((await tasks.store.get('q4'))?.status).toBe('QUEUED'); // another node's task: not ours to recover
  });

  it('recovery - a task interrupted too often gives up', async () => {
    const { db, cleanup } = await openTasksDb('sqlite');
    afterTest(cleanup);
    const { createTaskStore } = await import('../../../src/tasks/index.js');
    const store = createTaskStore(db);
    await store.insert({
      id: 'q9',
      task_name: 'SELECT',
      command: 'rows 1',
      table_schema: null,
      creator_id: 'alice',
      create_time: 1,
      connection_id: null,
      output_format: 'csv',
      client_token: null,
      hints: '{}',
      node: 'lc',
    });
    for (let i = 0; i < 3; i++) {
      await store.markRunning('q9', 2, 'm');
      if (i < 2) await store.requeue('q9', 3);
    }
    const tasks = createTaskService({
      catalog: { db },
      engine: fakeEngine(),
      prepare,
      resultStore: new MemoryStore(),
    });
    afterTest(() => tasks.close(0));
    expect(await tasks.start()).toEqual({ requeued: 0, failed: 1 });
    expect((await tasks.store.get('q9'))?.message).toMatch(/3 times/);
  });

  it('retention - the sweep deletes old result files and marks their rows', async () => {
    const { tasks, results, advance } = await setup({ retentionDays: 1 });
    const id = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1');
    await waitDone(tasks, id);
    expect(await tasks.sweep()).toBe(0);
    advance(86_400_000 + 1000);
    expect(await tasks.sweep()).toBe(1);
    expect(results.objects.size).toBe(0);
    expect((await tasks.store.get(id))?.result_deleted_at).not.toBeNull();
    await expect(tasks.openResult(id, alice)).rejects.toMatchObject({ code: 'LC_TASK_NO_RESULT' });
  });

  it('retention - a result that cannot be deleted stays live for the next sweep; the others are marked', async () => {
    const { tasks, results, advance } = await setup({ retentionDays: 1 });
    const ids = await finishedTasks(tasks, 3);
    advance(86_400_000 + 1000);
    const stuck = (await tasks.store.get(ids[1]!))!.result_key!;
    const restore = failDeletesOf(results, stuck);
    expect(await tasks.sweep()).toBe(2);
    expect((await tasks.store.get(ids[1]!))?.result_deleted_at).toBeNull();
    expect((await tasks.store.get(ids[0]!))?.result_deleted_at).not.toBeNull();
    expect(results.objects.has(stuck)).toBe(true);
    restore();
    expect(await tasks.sweep()).toBe(1);
    expect((await tasks.store.get(ids[1]!))?.result_deleted_at).not.toBeNull();
    expect(results.objects.size).toBe(0);
  });

  it('history - the sweep deletes the rows of tasks that ended more than historyDays ago, with their result files', async () => {
    const { tasks, results, advance } = await setup({ retentionDays: 0, historyDays: 2 });
    const old = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1');
    await waitDone(tasks, old);
    advance(86_400_000);
    const newer = await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1');
    await waitDone(tasks, newer);
    expect(await tasks.sweepHistory()).toBe(0);
    advance(86_400_000 + 120_000); // old ended 2 days and 2 minutes ago, newer 1 day and 2 minutes ago
    const oldKey = (await tasks.store.get(old))!.result_key!;
    expect(await tasks.sweepHistory()).toBe(1);
    expect(await tasks.store.get(old)).toBeNull();
    expect(results.objects.has(oldKey)).toBe(false);
    expect(await tasks.store.get(newer)).toMatchObject({ status: 'SUCCESS', result_deleted_at: null });
    expect(results.objects.size).toBe(1);
    await expect(tasks.get(old, alice)).rejects.toMatchObject({ code: 'LC_TASK_NOT_FOUND' });
  });

  it('history - a result file that cannot be deleted keeps its row for the next sweep; 0 days keeps everything', async () => {
    const { tasks, results, advance } = await setup({ historyDays: 1 });
    const ids = await finishedTasks(tasks, 3);
    advance(86_400_000 + 120_000);
    const stuck = (await tasks.store.get(ids[1]!))!.result_key!;
    const restore = failDeletesOf(results, stuck);
    expect(await tasks.sweepHistory()).toBe(2);
    expect(await tasks.store.get(ids[1]!)).not.toBeNull();
    restore();
    expect(await tasks.sweepHistory()).toBe(1);
    expect(results.objects.size).toBe(0);

    const keep = await setup({ historyDays: 0 });
    const id = await keep.tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1');
    await waitDone(keep.tasks, id);
    keep.advance(3_650 * 86_400_000);
    expect(await keep.tasks.sweepHistory()).toBe(0);
    expect(await keep.tasks.store.get(id)).not.toBeNull();
  });

  it('close - refuses new tasks', async () => {
    const { tasks } = await setup();
    await tasks.close(0);
    await expect(tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1')).rejects.toMatchObject({
      code: 'LC_TASK_SHUTTING_DOWN',
    });
  });
});
