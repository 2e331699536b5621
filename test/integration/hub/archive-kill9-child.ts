/**
 * Child of archive.kill9.test.ts: runs the archiver over the test's data dir (archive `k.events` created by
 * the parent) while appending more records, and gets killed with SIGKILL: by itself at a fault point
 * (`CRASH_AT=after-rename:<n>` or `after-commit:<n>`, the n-th time the point is reached) or by the parent.
 */
import { startArchiveStack } from './archive-stack.js';

const [dir, password] = process.argv.slice(2);
const [point, nth] = (process.env.CRASH_AT ?? '').split(':');
let hits = 0;
const crash = (at: string) => {
  if (at === point && ++hits >= Number(nth)) process.kill(process.pid, 'SIGKILL');
};
const stack = await startArchiveStack(dir, password, {
  mysql: false,
  faults: { afterRename: () => crash('after-rename'), afterCommit: () => crash('after-commit') },
});
process.stdout.write('READY\n');
let i = 0;
for (;;) {
  const records = Array.from({ length: 200 }, () => ({ data: { n: i++, pid: String(process.pid) } }));
  const r = await stack.hub.appendRecords('k', 'events', records);
  if (r.failedCount > 0) process.stdout.write(`ERR ${JSON.stringify(r.results.find((x) => !x.ok))}\n`);
  await new Promise((res) => setTimeout(res, 20));
}
