import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { threadIds } from '../../../src/shared/index.js';
import { EXECUTOR_THREAD_NICE, startThreadExecutor, type ThreadExecutor } from '../../../src/tasks/index.js';
import { tempDir } from '../../helpers/tmp.js';

/** The nice value of one of this process's threads (field 19 of /proc/self/task/<tid>/stat). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('task executor thread - priority', () => {
  const tmp = tempDir('lakecast-thread-nice-');
  let executor: ThreadExecutor | undefined;
  afterAll(async () => {
    await executor?.close();
    tmp.cleanup();
  });

  it.runIf(process.platform === 'linux')(
    "every thread the executor starts runs at its lower priority, DuckDB's workers included",
    async () => {
      await stat(tmp.dir); // libuv's pool exists before we look (it starts with its first job)
      const before = threadIds();
      executor = await startThreadExecutor({
        dataDir: tmp.dir,
        memoryLimit: '256MiB',
        threads: 2, // one DuckDB worker thread besides the caller
        allowedDirectories: [],
        resultsUri: `${pathToFileURL(path.join(tmp.dir, 'results')).href}/`,
        logLevel: 'silent',
      });
      const started = [...threadIds()].filter((tid) => !before.has(tid));
      // The executor thread and DuckDB's worker at least.
      expect(started.length).toBeGreaterThanOrEqual(2);
      expect(started.map((tid) => [tid, niceOf(tid)])).toEqual(
        started.map((tid) => [tid, EXECUTOR_THREAD_NICE]),
      );
    },
  );
});
