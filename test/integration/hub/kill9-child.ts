/**
 * Child of hub.kill9.test.ts: appends batches to an embedded hub with the per-batch fsync policy and prints
 * one line per acknowledged record, `<shard> <sequence> <payload>`, only after the append resolved.
 */
import { openEmbeddedHub } from '../../../src/hub/index.js';

const dir = process.argv[2];
const hub = await openEmbeddedHub({
  dir,
  durability: { mode: 'batch' },
  segmentBytes: 64 * 1024,
  retentionCheckMs: 0,
});
try {
  await hub.createProject({ name: 'k' });
  await hub.createTopic('k', { name: 't', shardCount: 2, lifecycleDays: 1, recordType: 'BLOB' });
} catch {
  // exists from an earlier run
}
const enc = new TextEncoder();
let n = 0;
const writer = async (shard: number) => {
  for (;;) {
    const size = 1 + (n % 17);
    const batch = Array.from({ length: size }, () => {
      const payload = `${shard}-${process.pid}-${n++}-${'x'.repeat(n % 50)}`;
      return { data: enc.encode(payload), shardId: shard, payload };
    });
    const res = await hub.appendRecords('k', 't', batch);
    const lines = res.results.map((r, i) =>
      r.ok ? `${r.shardId} ${r.sequence} ${batch[i].payload}` : `ERR ${r.error.code}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
};
process.stdout.write('READY\n');
await Promise.all([writer(0), writer(1), writer(0)]);
