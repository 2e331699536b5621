import { afterEach, describe, expect, it } from 'vitest';
import { alice, bob, closeServices, ctxOf, setupService as setup, waitDone } from './service-harness.js';

afterEach(closeServices);

describe('tasks - limits on what one user can make the server hold', () => {
  it('queue cap - a user with maxQueuedPerUser tasks waiting gets LC_TASK_QUEUE_FULL; others are not held', async () => {
    const { tasks } = await setup({ concurrency: 1, maxQueuedPerUser: 2 });
    const running = await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 2000');
    // Two waiting, submitted at once (both pass the check while the other's insert is in flight: still counted).
    const burst = await Promise.allSettled(
      [1, 2, 3].map(() => tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1')),
    );
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = burst.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'LC_TASK_QUEUE_FULL', errno: 1226 });
    expect(refused.reason.message).toMatch(
      /User 'alice' has exceeded the 'max_queued_tasks' resource \(current value: 2\)/,
    );
    // Another user still queues.
    expect(await tasks.submit(ctxOf(bob), '/*+ run-async=true */ rows 1')).toMatch(/^q/);
    await tasks.cancel(running, alice);
    // Once the waiting tasks have started, the user may queue again.
    for (let i = 0; i < 300 && tasks.stats().queued > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(tasks.stats().queued).toBe(0);
    expect(await tasks.submit(ctxOf(), '/*+ run-async=true */ rows 1')).toMatch(/^q/);
  });

  it("maxRunningPerUser - one user's long tasks leave slots for another; hers start as her own end", async () => {
    const { tasks } = await setup({ concurrency: 3, maxRunningPerUser: 2 });
    const hers = [];
    for (let i = 0; i < 4; i++) hers.push(await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 2000'));
    const status = async (id: string) => (await tasks.store.get(id))?.status;
    for (let i = 0; i < 100 && (await status(hers[1]!)) !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await Promise.all(hers.map(status))).toEqual(['RUNNING', 'RUNNING', 'QUEUED', 'QUEUED']);
    expect(tasks.stats()).toMatchObject({ running: 2, queued: 2 });
    // A free slot stays free for others: bob starts at once, past alice's waiting tasks.
    const his = await tasks.submit(ctxOf(bob), '/*+ run-async=true */ rows 1');
    expect((await waitDone(tasks, his)).status).toBe('SUCCESS');
    expect(await status(hers[2]!)).toBe('QUEUED');
    // One of hers ends: the next of hers takes its place, still two at once.
    await tasks.cancel(hers[0]!, alice);
    for (let i = 0; i < 100 && (await status(hers[2]!)) !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await Promise.all(hers.map(status))).toEqual(['CANCELLED', 'RUNNING', 'RUNNING', 'QUEUED']);
    for (const id of hers.slice(1)) await tasks.cancel(id, alice);
  });

  it('long statements - a waiting task keeps at most 8 KiB of its text in memory and runs the full text from the catalog', async () => {
    const { tasks, engine } = await setup({ concurrency: 1 });
    const blocker = await tasks.submit(ctxOf(), '/*+ run-async=true */ slow 2000');
    const pad = (n: number) => ` -- ${'x'.repeat(n)}`;
    const long = `rows 3${pad(512 * 1024)}`;
    const short = `rows 2${pad(100)}`;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await tasks.submit(ctxOf(), `/*+ run-async=true */ ${long}`));
    ids.push(await tasks.submit(ctxOf(), `/*+ run-async=true */ ${short}`));
    // 20 × 512 KiB waiting, but only the short text is held.
    expect(tasks.stats().queued).toBe(21);
    expect(tasks.stats().queuedTextChars).toBe(short.length);
    // Cancelling a waiting task gives its share back.
    await tasks.cancel(ids.pop()!, alice);
    expect(tasks.stats().queuedTextChars).toBe(0);
    await tasks.cancel(blocker, alice);
    for (const id of ids) {
      const t = await waitDone(tasks, id);
      expect(t.status).toBe('SUCCESS');
      expect(t.row_count).toBe(3);
      expect(t.command).toBe(`/*+ run-async=true */ ${long}`);
    }
    expect(engine.ran.filter((q) => q === long)).toHaveLength(20);
    expect(tasks.stats()).toEqual({ queued: 0, running: 0, queuedTextChars: 0 });
  });

  it('oversized statement - more than 1 MiB of SQL text is LC_TASK_SQL_TOO_LONG, nothing stored or queued', async () => {
    const { tasks } = await setup();
    const pad = (n: number) => `/*+ run-async=true */ rows 1 -- ${'é'.repeat(n)}`;
    const base = Buffer.byteLength(pad(0));
    const fits = pad(Math.floor((1024 * 1024 - base) / 2)); // é is 2 bytes in UTF-8
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(1024 * 1024);
    expect(await tasks.submit(ctxOf(), fits)).toMatch(/^q/);
    const tooLong = `${fits}éé`;
    const before = (await tasks.list(alice, { limit: 10_000 })).length;
    await expect(tasks.submit(ctxOf(), tooLong)).rejects.toMatchObject({ code: 'LC_TASK_SQL_TOO_LONG' });
    expect((await tasks.list(alice, { limit: 10_000 })).length).toBe(before);
  });
});
