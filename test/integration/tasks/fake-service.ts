import type { ObjectStore } from '../../../src/storage/index.js';
import { createTaskService, type ResultLinkSigner, type TaskService } from '../../../src/tasks/index.js';
import { fakeEngine, MemoryStore } from '../../unit/tasks/fakes.js';
import { openTasksDb } from './db.js';

type Config = Parameters<typeof createTaskService>[0]['config'];

/**
 * A started task service over a fresh in-memory SQLite catalog, with the fake engine and an in-memory result
 * store (statements run as written; or the store given): for the HTTP and CLI tests. `close` stops it and drops the database.
 */
export async function startFakeTaskService(
  config?: Config,
  options: { resultStore?: ObjectStore; linkSigner?: ResultLinkSigner } = {},
): Promise<{ tasks: TaskService; close: () => Promise<void> }> {
  const opened = await openTasksDb('sqlite');
  const tasks = createTaskService({
    catalog: { db: opened.db },
    engine: fakeEngine(),
    prepare: async (_c, sql) => ({ engineSql: sql }),
    resultStore: options.resultStore ?? new MemoryStore(),
    linkSigner: options.linkSigner,
    ...(config === undefined ? {} : { config }),
  });
  await tasks.start();
  return {
    tasks,
    close: async () => {
      await tasks.close(0);
      await opened.cleanup();
    },
  };
}
