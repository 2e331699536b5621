import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalObjectStore, type ObjectStore, openObjectStore } from '../../../src/storage/index.js';
import { ResultLinkSigner, type TaskService } from '../../../src/tasks/index.js';
import { startS3 } from '../../helpers/s3-server.js';
import { sigV4QueryProblem } from '../../helpers/sigv4.js';
import { tempDir } from '../../helpers/tmp.js';
import { startFakeTasksOverHttp } from './http-app.js';

type Started = { tasks: TaskService; base: string; close: () => Promise<void> };

/**
 * A task service over `store` (ttl: tasks.resultUrlTtlSeconds; signer: links signed by the server) and its routes,
 * the result-link route included, on an app of their own.
 */
function serve(store: ObjectStore, ttl?: number, linkSigner?: ResultLinkSigner): Promise<Started> {
  return startFakeTasksOverHttp(
    { progressWriteMs: 0, ...(ttl === undefined ? {} : { resultUrlTtlSeconds: ttl }) },
    { resultStore: store, linkSigner },
    { links: true },
  );
}

const get = (s: Started, path: string, user: string, init: RequestInit = {}) =>
  fetch(s.base + path, { ...init, headers: { 'x-user': user } });

/**
 * Fetches a result link with no credentials and checks it against the owner's download of task `id`: 200, the
 * download name, the same bytes, and a byte range of them (206). Returns the link's headers and body.
 */
async function expectLinkServesResult(s: Started, url: string, id: string) {
  const direct = await fetch(url);
  expect(direct.status).toBe(200);
  expect(direct.headers.get('content-disposition')).toBe(`attachment; filename="${id}.csv"`);
  const body = await direct.text();
  expect(body).toBe(await (await get(s, `/v1/tasks/${id}/result`, 'alice')).text());
  const part = await fetch(url, { headers: { range: 'bytes=1-4' } });
  expect(part.status).toBe(206);
  expect(await part.text()).toBe(body.slice(1, 5));
  return { headers: direct.headers, body };
}

/** A link made just now with the default TTL expires 15 minutes ahead (to the second). */
function expectDefaultExpiry(expiresAt: string): void {
  const expiresIn = Date.parse(expiresAt) - Date.now();
  expect(expiresIn).toBeGreaterThan(890_000);
  expect(expiresIn).toBeLessThanOrEqual(900_000);
}

/** Submits `sql` as `user` and waits for the task to end; returns its id. */
async function finished(s: Started, user: string, sql: string): Promise<string> {
  const res = await fetch(`${s.base}/v1/tasks`, {
    method: 'POST',
    headers: { 'x-user': user, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  const { id } = (await res.json()) as { id: string };
  for (let i = 0; i < 500; i++) {
    const t = await s.tasks.store.get(id);
    if (t && !['QUEUED', 'RUNNING'].includes(t.status)) return id;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`task ${id} did not end`);
}

describe('tasks HTTP API - result links (presigned S3 URLs, s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let s: Started;
  let shortLived: Started;
  let viaPublicEndpoint: Started;

  beforeAll(async () => {
    s3 = await startS3(['results']);
    s = await serve(openObjectStore('s3://results/lc/', { s3: s3.settings }));
    shortLived = await serve(openObjectStore('s3://results/short/', { s3: s3.settings }), 1);
    // The server reaches the storage at 127.0.0.1, clients at localhost: links are signed for the latter.
    const publicEndpoint = s3.settings.endpoint?.replace('127.0.0.1', 'localhost');
    viaPublicEndpoint = await serve(
      openObjectStore('s3://results/public/', { s3: { ...s3.settings, publicEndpoint } }),
    );
  }, 60_000);
  afterAll(async () => {
    for (const x of [s, shortLived, viaPublicEndpoint]) await x?.close();
    await s3?.stop();
  });

  it('GET /result-url - a link that fetches the file without credentials, with its type and name', async () => {
    const id = await finished(s, 'alice', 'rows 5');
    const res = await get(s, `/v1/tasks/${id}/result-url`, 'alice');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const link = (await res.json()) as Record<string, string | number>;
    expect(link).toMatchObject({
      id,
      file_name: `${id}.csv`,
      content_type: expect.stringMatching(/^text\/csv/),
    });
    expect(link.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/results\/lc\/\d{4}\/\d\d\/\d\d\/q\w+\/result\.csv\?/,
    );
    expect(sigV4QueryProblem(String(link.url), s3.settings.secretAccessKey ?? '')).toBeNull();
    expectDefaultExpiry(String(link.expires_at));
    const { headers, body } = await expectLinkServesResult(s, String(link.url), id); // no S3 credentials
    expect(headers.get('content-type')).toMatch(/^text\/csv/);
    expect(link.size).toBe(Buffer.byteLength(body));
  });

  it('GET /result?redirect=true - 307 to the link; a client that follows it gets the file', async () => {
    const id = await finished(s, 'alice', 'rows 3');
    const res = await get(s, `/v1/tasks/${id}/result?redirect=true`, 'alice', { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = res.headers.get('location') ?? '';
    expect(location).toContain('X-Amz-Signature=');
    const followed = await get(s, `/v1/tasks/${id}/result?redirect=1`, 'alice');
    expect(followed.status).toBe(200);
    expect(followed.url).toContain('X-Amz-Signature=');
    expect(await followed.text()).toBe(await (await fetch(location)).text());
  });

  it("another user's task - 404 LC_TASK_NOT_FOUND for the link and the redirect; an admin gets it", async () => {
    const id = await finished(s, 'alice', 'rows 2');
    for (const path of [`/v1/tasks/${id}/result-url`, `/v1/tasks/${id}/result?redirect=true`]) {
      const res = await get(s, path, 'bob', { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('LC_TASK_NOT_FOUND');
    }
    expect((await get(s, `/v1/tasks/${id}/result-url`, 'root')).status).toBe(200);
  });

  it('a task without a result file - 409 LC_TASK_NO_RESULT, no link', async () => {
    const id = await finished(s, 'alice', 'fail boom');
    const res = await get(s, `/v1/tasks/${id}/result-url`, 'alice');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('LC_TASK_NO_RESULT');
    const redirect = await get(s, `/v1/tasks/${id}/result?redirect=true`, 'alice', { redirect: 'manual' });
    expect(redirect.status).toBe(409);
  });

  it('a link stops working when it expires, and a tampered one never works (SigV4 checked by the test)', async () => {
    const id = await finished(shortLived, 'alice', 'rows 2');
    const { url } = (await (await get(shortLived, `/v1/tasks/${id}/result-url`, 'alice')).json()) as {
      url: string;
    };
    const secret = s3.settings.secretAccessKey ?? '';
    expect(sigV4QueryProblem(url, secret)).toBeNull();
    expect((await fetch(url)).status).toBe(200);
    // s3rver does not verify V4 signatures: what S3 would refuse is checked against the specification here.
    expect(sigV4QueryProblem(url.replace('/result.csv?', '/other.csv?'), secret)).toBe(
      'signature does not match',
    );
    expect(sigV4QueryProblem(url.replace('X-Amz-Expires=1', 'X-Amz-Expires=9'), secret)).toBe(
      'signature does not match',
    );
    expect(sigV4QueryProblem(url, 'another-secret')).toBe('signature does not match');
    await new Promise((r) => setTimeout(r, 2200)); // X-Amz-Date has second resolution
    expect(sigV4QueryProblem(url, secret)).toBe('expired');
    const expired = await fetch(url); // s3rver does check the expiry
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/i);
  });

  it('s3.publicEndpoint - links are signed for the host clients use', async () => {
    const id = await finished(viaPublicEndpoint, 'alice', 'rows 4');
    const { url } = (await (await get(viaPublicEndpoint, `/v1/tasks/${id}/result-url`, 'alice')).json()) as {
      url: string;
    };
    expect(url).toMatch(/^http:\/\/localhost:\d+\/results\/public\//);
    expect(sigV4QueryProblem(url, s3.settings.secretAccessKey ?? '')).toBeNull();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect((await res.text()).split('\r\n')[0]).toBe('id,name');
  });

  it('bad input - a redirect value that is not a boolean, an over-long id: 400 (414 past the router limit)', async () => {
    const id = await finished(s, 'alice', 'rows 1');
    expect((await get(s, `/v1/tasks/${id}/result?redirect=maybe`, 'alice')).status).toBe(400);
    expect((await get(s, `/v1/tasks/${id}/result?redirect=`, 'alice')).status).toBe(400);
    // An id is only ever a lookup key: a path in it finds no task.
    expect((await get(s, '/v1/tasks/..%2F..%2Fetc/result-url', 'alice')).status).toBe(404);
    expect((await get(s, `/v1/tasks/${'q'.repeat(80)}/result-url`, 'alice')).status).toBe(400);
    expect((await get(s, `/v1/tasks/${'q'.repeat(5000)}/result-url`, 'alice')).status).toBe(414);
  });
});

describe('tasks HTTP API - result links where none can be made', () => {
  const { dir, cleanup } = tempDir('lakecast-links-');
  let local: Started;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let linksOff: Started;

  beforeAll(async () => {
    local = await serve(new LocalObjectStore(dir));
    s3 = await startS3(['results']);
    linksOff = await serve(openObjectStore('s3://results/off/', { s3: s3.settings }), 0);
  }, 60_000);
  afterAll(async () => {
    await local?.close();
    await linksOff?.close();
    await s3?.stop();
    cleanup();
  });

  it('a local results root and no link key - 501 LC_TASK_RESULT_URL_UNAVAILABLE; redirect=true sends the file itself', async () => {
    const id = await finished(local, 'alice', 'rows 3');
    const res = await get(local, `/v1/tasks/${id}/result-url`, 'alice');
    expect(res.status).toBe(501);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('LC_TASK_RESULT_URL_UNAVAILABLE');
    expect(body.message).toMatch(/cannot presign and the server has no link key/);
    const redirect = await get(local, `/v1/tasks/${id}/result?redirect=true`, 'alice', {
      redirect: 'manual',
    });
    expect(redirect.status).toBe(200);
    expect((await redirect.text()).split('\r\n').length).toBe(5); // header, 3 rows, final CRLF
  });

  it('tasks.resultUrlTtlSeconds = 0 - links are off on an S3 root too', async () => {
    const id = await finished(linksOff, 'alice', 'rows 1');
    const res = await get(linksOff, `/v1/tasks/${id}/result-url`, 'alice');
    expect(res.status).toBe(501);
    expect(((await res.json()) as { message: string }).message).toMatch(/resultUrlTtlSeconds is 0/);
    const redirect = await get(linksOff, `/v1/tasks/${id}/result?redirect=true`, 'alice', {
      redirect: 'manual',
    });
    expect(redirect.status).toBe(200);
  });
});

describe('tasks HTTP API - result links signed by the server (a local results root)', () => {
  const { dir, cleanup } = tempDir('lakecast-server-links-');
  const signer = new ResultLinkSigner(Buffer.alloc(32, 3));
  let s: Started;
  let shortLived: Started;
  let off: Started;

  beforeAll(async () => {
    s = await serve(new LocalObjectStore(path.join(dir, 'a')), undefined, signer);
    shortLived = await serve(new LocalObjectStore(path.join(dir, 'b')), 1, signer);
    off = await serve(new LocalObjectStore(path.join(dir, 'c')), 0, signer);
  });
  afterAll(async () => {
    for (const x of [s, shortLived, off]) await x?.close();
    cleanup();
  });

  const linkOf = async (x: Started, id: string) =>
    (
      (await (await get(x, `/v1/tasks/${id}/result-url`, 'alice')).json()) as {
        url: string;
        expires_at: string;
      }
    ).url;

  it('result-url - a link to this server that downloads the file with no credentials, ranges included', async () => {
    const id = await finished(s, 'alice', 'rows 20');
    const res = await get(s, `/v1/tasks/${id}/result-url`, 'alice');
    expect(res.status).toBe(200);
    const link = (await res.json()) as { url: string; expires_at: string };
    expect(link.url).toMatch(new RegExp(`^${s.base}/v1/result-links/${id}\\.\\d+\\.[\\w-]{43}$`));
    expectDefaultExpiry(link.expires_at);
    const { headers } = await expectLinkServesResult(s, link.url, id);
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('redirect=true - 307 to the link on this server; a client that follows it gets the file', async () => {
    const id = await finished(s, 'alice', 'rows 3');
    const res = await get(s, `/v1/tasks/${id}/result?redirect=true`, 'alice', { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/v1/result-links/${id}\\.`));
    const followed = await get(s, `/v1/tasks/${id}/result?redirect=true`, 'alice');
    expect(followed.status).toBe(200);
    expect(followed.url).toContain('/v1/result-links/');
    expect((await followed.text()).split('\r\n')).toHaveLength(5);
  });

  it('an altered or expired link, or one once links are off - 403 LC_TASK_LINK_INVALID; a deleted result - 409', async () => {
    const id = await finished(s, 'alice', 'rows 2');
    const url = await linkOf(s, id);
    const tampered = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      code: 'LC_TASK_LINK_INVALID',
      message: 'this result link is not valid',
    });
    // Another task's id with this link's signature.
    const other = await finished(s, 'bob', 'rows 2');
    expect((await fetch(url.replace(id, other))).status).toBe(403);

    const shortId = await finished(shortLived, 'alice', 'rows 2');
    const short = await linkOf(shortLived, shortId);
    expect((await fetch(short)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2100)); // expiry has second resolution
    const expired = await fetch(short);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { message: string }).message).toBe('this result link has expired');

    // The same key, but links off on this server: a link signed before is refused.
    const offId = await finished(off, 'alice', 'rows 1');
    const token = signer.sign(offId, Date.now() + 60_000);
    expect((await fetch(`${off.base}/v1/result-links/${token}`)).status).toBe(403);

    expect((await get(s, `/v1/tasks/${id}/result`, 'alice', { method: 'DELETE' })).status).toBe(200);
    const gone = await fetch(url);
    expect(gone.status).toBe(409);
    expect(((await gone.json()) as { code: string }).code).toBe('LC_TASK_NO_RESULT');
  });

  it('bad input - an over-long or empty token', async () => {
    expect((await fetch(`${s.base}/v1/result-links/${'a'.repeat(161)}`)).status).toBe(414);
    expect((await fetch(`${s.base}/v1/result-links/${'a'.repeat(90)}`)).status).toBe(403);
    expect((await fetch(`${s.base}/v1/result-links/..%2F..%2Fetc%2Fpasswd`)).status).toBe(403);
    expect((await fetch(`${s.base}/v1/result-links/`)).status).toBe(400);
  });
});
