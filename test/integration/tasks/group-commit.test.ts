import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../../src/tasks/store/group-commit.js';
import { createTaskStore } from '../../../src/tasks/store/index.js';
import { openTasksDb } from './db.js';

describe('group commit', () => {
  let opened: Awaited<ReturnType<typeof openTasksDb>>;
  beforeAll(async () => {
    opened = await openTasksDb('sqlite');
  });
  afterAll(() => opened.cleanup());

  it('concurrent writes share transactions; a failing one affects only its caller', async () => {
    const gc = new GroupCommitter(opened.db);
    let transactions = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        gc.run(async (tx) => {
          transactions++;
          if (i === 7) throw new Error('bad op');
          await sql`select ${i}`.execute(tx);
          return i;
        }),
      ),
    );
    expect(
      results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value),
    ).toEqual([...Array(20).keys()].filter((i) => i !== 7));
    expect(results[7]).toMatchObject({ status: 'rejected', reason: new Error('bad op') });
    // first op alone, then the other 19 in a group that fails and is retried one by one
    expect(transactions).toBeGreaterThan(20);
  });

  it('a duplicate client token in a group does not lose the other inserts', async () => {
    const store = createTaskStore(opened.db);
    const base = {
      task_name: 'SELECT',
      table_schema: null,
      command: 'select 1',
      creator_id: 'u',
      create_time: 1,
      connection_id: null,
      output_format: 'csv',
      hints: '{}',
      node: 'lc',
    };
    const r = await Promise.allSettled([
      store.insert({ ...base, id: 'g1', client_token: 'same' }),
      store.insert({ ...base, id: 'g2', client_token: 'same' }),
      store.insert({ ...base, id: 'g3', client_token: null }),
      store.insert({ ...base, id: 'g4', client_token: null }),
    ]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(
      (await store.list({ creator: 'u', orderBy: [{ column: 'id', direction: 'asc' }] })).map((t) => t.id),
    ).toEqual(['g1', 'g3', 'g4']);
  });
});
