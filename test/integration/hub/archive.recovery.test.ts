import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPartFiles } from '../../../src/hub/archive/files.js';
import { tempDir } from '../../helpers/tmp.js';
import { startArchiveStack, waitArchived } from './archive-stack.js';

const rowsOf = async (stack: Awaited<ReturnType<typeof startArchiveStack>>, sql: string) => {
  const res = await stack.engine.query(sql);
  const out: unknown[][] = [];
  for await (const b of res.batches) out.push(...b);
  return out.map((r) => r.map(Number));
};

describe('hub archive - recovery of files past the committed offset', () => {
  it('recovery - an orphan that does not continue the offset is deleted, one that does is adopted', async () => {
    const tmp = tempDir('lakecast-archive-rec-');
    const stack = await startArchiveStack(tmp.dir, 'pw', { mysql: false });
    try {
      const { hub, archiver, engine } = stack;
      await hub.createProject({ name: 'p' });
      await hub.createTopic('p', { name: 't', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
      await archiver.addArchive({ project: 'p', topic: 't', schema: 'arc', flushIntervalMs: 100 });
      const append = (n: number) =>
        hub.appendRecords(
          'p',
          't',
          Array.from({ length: n }, () => ({ data: Buffer.from('x') })),
        );
      await append(10);
      await waitArchived(stack, 'p', 't');
      await archiver.stop();

      // Plant what a crash could leave: 10..14 complete (adoptable), then 17..19 after a gap (must go).
      const [existing] = await scanPartFiles(path.join(stack.lakeDir, 'arc', 't'));
      const dir = path.dirname(existing.path);
      const plant = (first: number, last: number) =>
        engine.exec(
          `COPY (SELECT data, shard_id, "sequence" + ${first} AS "sequence", system_time, partition_key, "attributes"
                   FROM read_parquet('${existing.path}') WHERE "sequence" <= ${last - first})
             TO '${dir}/part-0-${first}-${last}.parquet' (FORMAT parquet)`,
        );
      await plant(10, 14);
      await plant(17, 19);
      await append(10); // sequences 10..19 in the hub
      await archiver.start();
      await waitArchived(stack, 'p', 't');
      await archiver.flushAll();

      expect(existsSync(path.join(dir, 'part-0-10-14.parquet'))).toBe(true);
      expect(existsSync(path.join(dir, 'part-0-17-19.parquet'))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
      const glob = path.join(stack.lakeDir, 'arc', 't', '**', '*.parquet');
      expect(
        await rowsOf(
          stack,
          `SELECT count(*), count(DISTINCT "sequence"), min("sequence"), max("sequence") FROM read_parquet('${glob}')`,
        ),
      ).toEqual([[20, 20, 0, 19]]);
    } finally {
      await stack.close();
      tmp.cleanup();
    }
  });
});
