import type { TaskListOptions, TaskStore } from './store.js';
import type { TaskRecord } from './types.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads what `options` selects (offset, limit, `after` and all) in pages of at most `pageSize` tasks, the event
 * loop turning between pages: catalog reads are synchronous on SQLite, so one long listing never holds up the
 * other clients. In the default order each page continues by keyset after the last task read, so it costs what it
 * returns (OFFSET pages re-read every row they skip). Under an `orderBy` of the caller's, often not indexed, the
 * ids of the remaining tasks are read sorted once and the tasks follow by id (OFFSET pages sorted everything again
 * for each page). Yields only non-empty pages.
 */
export async function* readInPages(
  store: TaskStore,
  options: TaskListOptions,
  pageSize: number,
): AsyncGenerator<TaskRecord[]> {
  const limit = options.limit;
  let sent = 0;
  const nextSize = () => (limit === undefined ? pageSize : Math.min(pageSize, limit - sent));
  let size = nextSize();
  let page = await store.list({ ...options, limit: size });
  for (;;) {
    if (page.length > 0) yield page;
    sent += page.length;
    if (page.length < size || (limit !== undefined && sent >= limit)) return;
    await turn();
    if (options.orderBy !== undefined) {
      const ids = await store.listIds({
        ...options,
        offset: (options.offset ?? 0) + sent,
        limit: limit === undefined ? undefined : limit - sent,
      });
      for (let i = 0; i < ids.length; i += pageSize) {
        if (i > 0) await turn();
        const chunk = ids.slice(i, i + pageSize);
        const byId = new Map((await store.getMany(chunk)).map((t) => [t.id, t]));
        const tasks = chunk.flatMap((id) => byId.get(id) ?? []);
        if (tasks.length > 0) yield tasks;
      }
      return;
    }
    const last = page[page.length - 1]!;
    size = nextSize();
    page = await store.list({
      ...options,
      offset: undefined,
      after: { create_time: last.create_time, id: last.id },
      limit: size,
    });
  }
}
