import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskService } from '../../../src/tasks/index.js';
import { startFakeTasksOverHttp } from './http-app.js';

describe('tasks HTTP API', () => {
  let tasks: TaskService;
  let cleanup: () => Promise<void>;
  let base = '';

  beforeAll(async () => {
    const started = await startFakeTasksOverHttp({ progressWriteMs: 0 });
    ({ tasks, base } = started);
    cleanup = started.close;
  });
  afterAll(() => cleanup());

  const call = (method: string, path: string, user: string, body?: unknown) =>
    fetch(base + path, {
      method,
      headers: { 'x-user': user, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
  const json = async (r: Response): Promise<any> => r.json();

  async function waitDone(id: string) {
    for (let i = 0; i < 300; i++) {
      const t = await tasks.store.get(id);
      if (t && !['QUEUED', 'RUNNING'].includes(t.status)) return t;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('not done');
  }

  it('POST /v1/tasks - 202 with the row and Location; JSON hints merge with SQL hints', async () => {
    const res = await call('POST', '/v1/tasks', 'alice', {
      sql: 'rows 3',
      database: 'demo',
      hints: { 'output-format': 'json' },
    });
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(['QUEUED', 'RUNNING', 'SUCCESS']).toContain(body.status);
    expect(body).toMatchObject({
      creator_id: 'alice',
      table_schema: 'demo',
      output_format: 'json',
    });
    expect(res.headers.get('location')).toBe(`/v1/tasks/${body.id}`);
    const done = await waitDone(body.id);
    expect(done.status).toBe('SUCCESS');
    const got = await json(await call('GET', `/v1/tasks/${body.id}`, 'alice'));
    expect(got).toMatchObject({
      id: body.id,
      status: 'SUCCESS',
      row_count: 3,
      hints: { 'output-format': 'json', 'run-async': 'true' },
    });
    expect(got.create_time).toMatch(/Z$/);
    const result = await call('GET', `/v1/tasks/${body.id}/result`, 'alice');
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/ndjson/);
    expect((await result.text()).split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('GET result - one byte range (206), past the end (416), If-Range, ETag and If-None-Match (304)', async () => {
    const { id } = await json(
      await call('POST', '/v1/tasks', 'alice', { sql: '/*+ run-async=true */ rows 5' }),
    );
    await waitDone(id);
    const get = (headers: Record<string, string>, user = 'alice') =>
      fetch(`${base}/v1/tasks/${id}/result`, { headers: { 'x-user': user, ...headers } });
    const whole = await get({});
    const full = await whole.text();
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const etag = whole.headers.get('etag')!;
    expect(etag).toBe(`"${id}"`);
    const size = Buffer.byteLength(full);
    expect(size).toBeGreaterThan(20);

    const first = await get({ range: 'bytes=0-9' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-9/${size}`);
    expect(first.headers.get('content-length')).toBe('10');
    expect(await first.text()).toBe(full.slice(0, 10));
    const rest = await get({ range: 'bytes=10-' });
    expect(await rest.text()).toBe(full.slice(10)); // a resumed download
    const tail = await get({ range: 'bytes=-7' });
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 7}-${size - 1}/${size}`);
    expect(await tail.text()).toBe(full.slice(-7));
    const beyond = await get({ range: `bytes=5-${size + 100}` }); // clipped to the file
    expect(beyond.headers.get('content-range')).toBe(`bytes 5-${size - 1}/${size}`);
    expect(await beyond.text()).toBe(full.slice(5));

    for (const r of [`bytes=${size}-`, 'bytes=-0']) {
      const res = await get({ range: r });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${size}`);
      expect((await json(res)).code).toBe('LC_TASK_RANGE_NOT_SATISFIABLE');
    }
    // Ignored: several ranges, another unit, last < first, huge or malformed numbers, an oversized header.
    for (const r of [
      'bytes=0-1,4-5',
      'items=0-3',
      'bytes=9-3',
      'bytes=99999999999999999999-',
      'bytes=a-b',
      `bytes=0-${'9'.repeat(300)}`,
    ]) {
      const res = await get({ range: r });
      expect(res.status, r).toBe(200);
      expect(await res.text()).toBe(full);
    }
    // If-Range: the range only for the same file; If-None-Match: nothing to send.
    expect((await get({ range: 'bytes=0-3', 'if-range': etag })).status).toBe(206);
    const stale = await get({ range: 'bytes=0-3', 'if-range': '"another"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(full);
    const same = await get({ 'if-none-match': etag });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    // HEAD (download managers ask it first): the headers, no body.
    const head = await fetch(`${base}/v1/tasks/${id}/result`, {
      method: 'HEAD',
      headers: { 'x-user': 'alice' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(size));
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(await head.text()).toBe('');
    // Others still learn nothing, whatever they ask for.
    expect((await get({ range: 'bytes=0-3' }, 'bob')).status).toBe(404);
    expect((await get({ 'if-none-match': etag }, 'bob')).status).toBe(404);
  });

  it('per-user visibility - others get 404; result only to the owner (or admin)', async () => {
    const { id } = await json(
      await call('POST', '/v1/tasks', 'alice', { sql: '/*+ run-async=true */ rows 1' }),
    );
    await waitDone(id);
    expect((await call('GET', `/v1/tasks/${id}`, 'bob')).status).toBe(404);
    expect((await call('GET', `/v1/tasks/${id}/result`, 'bob')).status).toBe(404);
    expect((await call('POST', `/v1/tasks/${id}/cancel`, 'bob')).status).toBe(404);
    expect((await call('GET', `/v1/tasks/${id}/result`, 'root')).status).toBe(200);
    const mine = await json(await call('GET', '/v1/tasks?limit=10', 'bob'));
    expect(mine.tasks).toEqual([]);
    const all = await json(await call('GET', '/v1/tasks?user=*&status=SUCCESS', 'root'));
    expect(all.tasks.length).toBeGreaterThanOrEqual(2);
    expect((await call('GET', '/v1/tasks?user=alice', 'bob')).status).toBe(404);
  });

  it('GET /v1/tasks - lists stream page by page, newest first; after= continues a listing', async () => {
    const base = 1_700_000_000_000;
    const made: { id: string; create_time: number }[] = [];
    for (let k = 0; k < 600; k++) {
      const t = { id: `qlist${String(k).padStart(25, '0')}`, create_time: base + Math.floor(k / 5) };
      made.push(t);
      await tasks.store.insert({
        ...t,
        task_name: 'SELECT',
        table_schema: null,
        command: 'select 1',
        creator_id: 'dave',
        connection_id: 0,
        output_format: 'csv',
        client_token: null,
        hints: '{}',
        node: 'zz', // another node's: never run here
      });
    }
    const expected = made
      .sort((x, y) => y.create_time - x.create_time || (x.id < y.id ? 1 : -1))
      .map((t) => t.id);
    const res = await call('GET', '/v1/tasks?limit=600', 'dave');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await json(res)).tasks.map((t: { id: string }) => t.id)).toEqual(expected);
    const page1 = (await json(await call('GET', '/v1/tasks?limit=250', 'dave'))).tasks.map(
      (t: { id: string }) => t.id,
    );
    const page2 = (
      await json(await call('GET', `/v1/tasks?limit=250&after=${page1.at(-1)}`, 'dave'))
    ).tasks.map((t: { id: string }) => t.id);
    const page3 = (
      await json(await call('GET', `/v1/tasks?limit=250&after=${page2.at(-1)}`, 'dave'))
    ).tasks.map((t: { id: string }) => t.id);
    expect([...page1, ...page2, ...page3]).toEqual(expected);
    expect(page3).toHaveLength(100);
    // after= must name a task the caller may see.
    expect((await call('GET', '/v1/tasks?after=qnope', 'dave')).status).toBe(404);
    expect((await call('GET', `/v1/tasks?after=${expected[0]}`, 'erin')).status).toBe(404);
    expect((await call('GET', `/v1/tasks?after=${'x'.repeat(65)}`, 'dave')).status).toBe(400);
    expect((await json(await call('GET', '/v1/tasks?limit=5', 'nobody'))).tasks).toEqual([]);
  });

  it('bad input - bad hints, duplicate hints, bad status: 400 with a code', async () => {
    let r = await call('POST', '/v1/tasks', 'alice', { sql: 'rows 1', hints: { colour: 'red' } });
    expect(r.status).toBe(400);
    expect((await json(r)).code).toBe('LC_HINT_UNKNOWN');
    r = await call('POST', '/v1/tasks', 'alice', {
      sql: '/*+ output-format=csv */ rows 1',
      hints: { output_format: 'json' },
    });
    expect((await json(r)).code).toBe('LC_HINT_INVALID');
    r = await call('GET', '/v1/tasks?status=DONE', 'alice');
    expect(r.status).toBe(400);
    r = await call('POST', '/v1/tasks', 'alice', { sql: '' });
    expect(r.status).toBe(400);
    // A misspelt field is an error, not dropped: `hint` would otherwise run the task without its hints.
    const before = (await json(await call('GET', '/v1/tasks?limit=100', 'alice'))).tasks.length;
    r = await call('POST', '/v1/tasks', 'alice', { sql: 'rows 1', hint: { 'query-timeout': 5 } });
    expect(r.status).toBe(400);
    expect((await json(await call('GET', '/v1/tasks?limit=100', 'alice'))).tasks).toHaveLength(before);
    r = await call('GET', '/v1/tasks?limt=5', 'alice');
    expect(r.status).toBe(400);
  });

  it('Idempotency-Key - a retried POST gets the same task; it is the client-token hint, checked as one', async () => {
    const post = (user: string, body: unknown, key: string) =>
      fetch(`${base}/v1/tasks`, {
        method: 'POST',
        headers: { 'x-user': user, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    const first = await post('alice', { sql: 'rows 2' }, 'order-2026-12-04.1');
    expect(first.status).toBe(202);
    const { id, client_token } = await json(first);
    expect(client_token).toBe('order-2026-12-04.1');
    // The retry (bare or as a structured-field string) and the same token as a hint: the same task.
    expect((await json(await post('alice', { sql: 'rows 2' }, 'order-2026-12-04.1'))).id).toBe(id);
    expect((await json(await post('alice', { sql: 'rows 2' }, '"order-2026-12-04.1"'))).id).toBe(id);
    const same = await post(
      'alice',
      { sql: 'rows 2', hints: { 'client-token': 'order-2026-12-04.1' } },
      'order-2026-12-04.1',
    );
    expect((await json(same)).id).toBe(id);
    // Another user's key is theirs alone.
    expect((await json(await post('bob', { sql: 'rows 2' }, 'order-2026-12-04.1'))).id).not.toBe(id);
    // The key reused for another statement, or beside a different client-token: refused.
    const reused = await post('alice', { sql: 'rows 3' }, 'order-2026-12-04.1');
    expect(reused.status).toBe(409);
    expect((await json(reused)).code).toBe('LC_TASK_TOKEN_REUSED');
    const differ = await post(
      'alice',
      { sql: 'rows 2', hints: { 'client-token': 'other' } },
      'order-2026-12-04.1',
    );
    expect(differ.status).toBe(400);
    expect((await json(differ)).code).toBe('LC_HINT_INVALID');
    // Malformed keys: 400 naming the rule, nothing submitted.
    const before = (await tasks.list({ name: 'alice', admin: false })).length;
    for (const key of ['', '""', 'has space', 'k'.repeat(129), 'semi;colon', '"unterminated', 'cl\u00e9']) {
      const r = await post('alice', { sql: 'rows 1' }, key);
      expect(r.status, key).toBe(400);
      expect((await json(r)).code, key).toBe('LC_HINT_INVALID');
    }
    expect((await tasks.list({ name: 'alice', admin: false })).length).toBe(before);
  });

  it('SSE events and cancel - progress is pushed, cancel ends the stream', async () => {
    const { id } = await json(await call('POST', '/v1/tasks', 'alice', { sql: 'slow 1000' }));
    const res = await call('GET', `/v1/tasks/${id}/events`, 'alice');
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('event: progress')) text += decoder.decode((await reader.read()).value);
    const c = await call('POST', `/v1/tasks/${id}/cancel`, 'alice');
    expect((await json(c)).status).toBe('CANCELLED');
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toMatch(/^event: task\ndata: \{/);
    expect(text).toContain('event: cancelled');
    expect((await call('POST', `/v1/tasks/${id}/cancel`, 'alice')).status).toBe(409);
    // A finished task's stream sends the row and ends.
    const again = await (await call('GET', `/v1/tasks/${id}/events`, 'alice')).text();
    expect(again).toMatch(/^event: task\n/);
    expect((await call('GET', `/v1/tasks/${id}/result`, 'alice')).status).toBe(409);
  });
});
