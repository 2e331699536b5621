import type { Catalog } from '../../../src/catalog/index.js';
import { createReceipts, type Receipts } from '../../../src/receipts/index.js';
import { createTaskService, type TaskService } from '../../../src/tasks/index.js';
import { fakeEngine, MemoryStore } from '../../unit/tasks/fakes.js';

/**
 * The real task service over the scripted fake engine, with receipts wired to it as the server wires them
 * (src/server/start.ts: receipt hints checked at submit, outbox row in the task's terminal transaction, events
 * attached), both started.
 */
export async function startTasksWithReceipts(
  catalog: Catalog,
  receiptsDeps: Omit<Parameters<typeof createReceipts>[0], 'catalog'>,
  taskConfig?: Parameters<typeof createTaskService>[0]['config'],
  /** False: no submit-time check, as for a task submitted before its channel was dropped or the allowlist changed. */
  checkAtSubmit = true,
): Promise<{ receipts: Receipts; tasks: TaskService }> {
  const receipts = createReceipts({ catalog, ...receiptsDeps });
  const tasks = createTaskService({
    catalog,
    engine: fakeEngine(),
    prepare: async (_ctx, sql) => ({ engineSql: sql.trim() }),
    resultStore: new MemoryStore(),
    onFinishInTx: receipts.onFinishInTx,
    ...(checkAtSubmit ? { checkHints: (hints) => receipts.checkHints(hints) } : {}),
    ...(taskConfig === undefined ? {} : { config: taskConfig }),
  });
  receipts.attach(tasks.events);
  await tasks.start();
  await receipts.start();
  return { receipts, tasks };
}
