import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';
import { startArchiveStack, waitArchived } from './archive-stack.js';
import { natsFactory } from './factories.js';

const up = await serviceAvailable('nats');

describe.skipIf(!up)('hub archive - NATS JetStream back-end', () => {
  it('archive on NATS - sparse sequences; a failure after a rename is recovered without duplicates', async () => {
    const tmp = tempDir('lakecast-archive-nats-');
    const handle = await natsFactory('nats').open();
    let failures = 0;
    const stack = await startArchiveStack(tmp.dir, 'pw', {
      mysql: false,
      hub: handle.hub,
      // The second part file written fails the flush after its rename: its offsets are never committed.
      faults: {
        afterRename: () => {
          if (++failures === 2) throw new Error('injected failure after rename');
        },
      },
    });
    try {
      const { hub, archiver, engine } = stack;
      await hub.createProject({ name: 'p' });
      await hub.createTopic('p', {
        name: 't',
        shardCount: 2,
        lifecycleDays: 1,
        recordType: 'TUPLE',
        schema: [{ name: 'n', type: 'BIGINT' }],
      });
      await archiver.addArchive({ project: 'p', topic: 't', schema: 'arc', flushIntervalMs: 100 });
      const sent: number[] = [];
      for (let b = 0; b < 6; b++) {
        const records = Array.from({ length: 50 }, (_, i) => ({ data: { n: b * 50 + i } }));
        expect((await hub.appendRecords('p', 't', records)).failedCount).toBe(0);
        sent.push(...records.map((r) => r.data.n));
        await new Promise((r) => setTimeout(r, 150));
      }
      await waitArchived(stack, 'p', 't', 60_000);
      expect(failures).toBeGreaterThan(2);
      const glob = path.join(stack.lakeDir, 'arc', 't', '**', '*.parquet');
      const res = await engine.query(
        `SELECT count(*), count(DISTINCT n), count(DISTINCT (shard_id, "sequence")), min(n), max(n) FROM read_parquet('${glob}')`,
      );
      const rows: unknown[][] = [];
      for await (const b of res.batches) rows.push(...b);
      expect(rows.map((r) => r.map(Number))).toEqual([[300, 300, 300, 0, 299]]);
    } finally {
      await stack.close();
      await handle.cleanup();
      tmp.cleanup();
    }
  }, 120_000);
});
