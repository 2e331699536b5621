import { expect, it } from 'vitest';
import {
  createReceipts,
  type DeliveryOutcome,
  defineChannel,
  receiptMessageId,
} from '../../../src/receipts/index.js';
import { createTaskStore } from '../../../src/tasks/index.js';
import { serviceAvailable } from '../../helpers/services.js';
import { openTasksDb } from '../tasks/db.js';
import { startReceiver } from './harness.js';

const up = await serviceAvailable('postgres');

it.skipIf(!up)(
  'PostgreSQL - two servers share the outbox: FOR UPDATE SKIP LOCKED claims, every receipt delivered exactly once',
  async () => {
    const { db, cleanup } = await openTasksDb('postgres');
    const rx = await startReceiver();
    const outcomes: DeliveryOutcome[] = [];
    const mk = (node: string) =>
      createReceipts({
        catalog: { db, dialect: 'postgres' },
        nodeCode: node,
        config: {
          channels: [{ name: 'hook', type: 'webhook', url: rx.url('/pg') }],
          concurrency: 4,
          pollMs: 100,
        },
        onOutcome: (o) => outcomes.push(o),
      });
    const a = mk('a1');
    const b = mk('b2');
    try {
      const store = createTaskStore(db);
      const ids: string[] = [];
      const now = Date.now();
      for (let i = 0; i < 60; i++) {
        const id = `q${String(now).slice(0, 12)}pg${String(i).padStart(16, '0')}`;
        ids.push(id);
        await store.insert({
          id,
          task_name: 'SELECT',
          table_schema: null,
          command: 'select 1',
          creator_id: 'alice',
          create_time: now,
          connection_id: 1,
          output_format: 'csv',
          client_token: null,
          hints: JSON.stringify({ 'run-async': 'true', 'mq-notify-by': 'hook' }),
          node: 'lc',
        });
        await store.finish(id, 'SUCCESS', { row_count: 1, elapse_time: 5 }, now + 10, a.onFinishInTx);
      }
      await Promise.all([a.start(), b.start()]);
      for (let i = 0; i < 1000; i++) {
        const done = await db
          .selectFrom('query_tasks')
          .select('id')
          .where('id', 'in', ids)
          .where('mq_status', '=', 'SUCCESS')
          .execute();
        if (done.length === ids.length) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const accepted = rx.acceptedIds('/pg');
      expect(accepted.sort()).toEqual(ids.map(receiptMessageId).sort());
      const succeeded = outcomes.filter((o) => o.status === 'SUCCESS');
      expect(succeeded).toHaveLength(60);
    } finally {
      await a.close(100);
      await b.close(100);
      await rx.close();
      await cleanup();
    }
  },
);

it.skipIf(!up)(
  'PostgreSQL - CREATE OR REPLACE of a channel is one upsert: created, then replaced',
  async () => {
    const { db, cleanup } = await openTasksDb('postgres');
    const receipts = createReceipts({ catalog: { db, dialect: 'postgres' }, nodeCode: 'pg', config: {} });
    try {
      const def = (url: string) => defineChannel('ops', 'webhook', { url }, 'sql', 'root');
      await receipts.registry.replace(def('https://hooks.example.com/one'), 'root');
      await receipts.registry.replace(def('https://hooks.example.com/two'), 'root');
      const got = await receipts.registry.get('ops');
      expect(got?.settings.url).toBe('https://hooks.example.com/two');
      expect(got?.createdBy).toBe('root');
    } finally {
      await receipts.close();
      await cleanup();
    }
  },
);
