import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh temporary directory, removed by the returned cleanup function. The removal is retried: a local
 * store's spare-inode maker thread may still be adding entries to a temp folder while it runs (it stops
 * once the folder is gone).
 */
export function tempDir(prefix = 'lakecast-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const cleanup = () => {
    for (let attempt = 0; ; attempt++) {
      try {
        rmSync(dir, { recursive: true, force: true });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 20) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
      }
    }
  };
  return { dir, cleanup };
}
