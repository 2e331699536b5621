import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanPartFiles } from '../../../src/hub/archive/files.js';
import { openEmbeddedHub } from '../../../src/hub/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { startArchiveStack, waitArchived } from './archive-stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'kill9-pw';

/** Runs the archiving child; it SIGKILLs itself at `crashAt`, else the parent does after `ms` once READY. */
function runChild(dir: string, crashAt: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'archive-kill9-child.ts'), dir, PASSWORD],
      {
        cwd: path.resolve(here, '../../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CRASH_AT: crashAt },
      },
    );
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ERR')) reject(new Error(out));
      if (!timer && out.includes('READY')) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own: ${out} ${err}`));
      else resolve();
    });
  });
}

describe('hub archive - kill -9', () => {
  it('kill -9 mid-archive - after restart every record is in the lake exactly once, no gaps', async () => {
    const tmp = tempDir('lakecast-archive-k9-');
    try {
      // Set up: a topic with records over three hours and an archive flushing every 16 KiB.
      let now = Date.UTC(2026, 10, 22, 10, 0);
      let stack = await startArchiveStack(tmp.dir, PASSWORD, { mysql: false, clock: () => now });
      await stack.archiver.stop(); // the parent only prepares; the children archive
      await stack.hub.createProject({ name: 'k' });
      await stack.hub.createTopic('k', {
        name: 'events',
        shardCount: 2,
        lifecycleDays: 7,
        recordType: 'TUPLE',
        schema: [
          { name: 'n', type: 'BIGINT' },
          { name: 'pid', type: 'STRING' },
        ],
      });
      for (let h = 0; h < 3; h++) {
        now += 3_600_000;
        for (let b = 0; b < 5; b++) {
          const records = Array.from({ length: 1000 }, (_, i) => ({
            data: { n: h * 10_000 + b * 1000 + i, pid: 'p' },
          }));
          expect((await stack.hub.appendRecords('k', 'events', records)).failedCount).toBe(0);
        }
      }
      await stack.archiver.addArchive({
        project: 'k',
        topic: 'events',
        schema: 'hubarchive',
        flushIntervalMs: 150,
        flushBytes: 16 * 1024,
      });
      await stack.close();

      // Crashes at the worst moments (files renamed, offsets not committed), then at random moments.
      await runChild(tmp.dir, 'after-rename:3', 20_000);
      // The crash left part files past the committed offsets (what the next start must adopt or delete).
      const hub = await openEmbeddedHub({ dir: path.join(tmp.dir, 'hub'), retentionCheckMs: 0 });
      const [sub] = await hub.listSubscriptions('k', 'events');
      const offsets = await hub.getOffsets('k', 'events', sub.id);
      await hub.close();
      const files = await scanPartFiles(path.join(tmp.dir, 'lake', 'hubarchive', 'events'));
      const committed = (s: number) => offsets.find((o) => o.shardId === s)?.nextSequence ?? 0;
      expect(files.filter((f) => f.firstSeq >= committed(f.shardId)).length).toBeGreaterThan(0);
      await runChild(tmp.dir, 'after-rename:1', 20_000);
      await runChild(tmp.dir, 'after-commit:2', 20_000);
      for (const ms of [700, 1300, 450]) await runChild(tmp.dir, '', ms);

      // Restart in process, let it catch up, and check the lake against the hub.
      stack = await startArchiveStack(tmp.dir, PASSWORD, { mysql: false });
      await waitArchived(stack, 'k', 'events', 60_000);
      const topic = await stack.hub.getTopic('k', 'events');
      const glob = path.join(stack.lakeDir, 'hubarchive', 'events', '**', '*.parquet');
      const res = await stack.engine.query(
        `SELECT shard_id, count(*) AS n, count(DISTINCT "sequence") AS d, min("sequence") AS lo, max("sequence") AS hi
           FROM read_parquet('${glob}') GROUP BY shard_id ORDER BY shard_id`,
      );
      const rows: unknown[][] = [];
      for await (const b of res.batches) rows.push(...b);
      const expected = (topic.shards ?? []).map((s) => [
        s.shardId,
        s.nextSequence,
        s.nextSequence,
        0,
        s.nextSequence - 1,
      ]);
      expect(rows.map((r) => r.map(Number))).toEqual(expected);
      expect(expected.reduce((a, s) => a + s[1], 0)).toBeGreaterThan(15_000); // children appended too
      await stack.close();
    } finally {
      tmp.cleanup();
    }
  }, 240_000);
});
