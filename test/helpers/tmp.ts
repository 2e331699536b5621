import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh temporary directory, removed by the returned cleanup function (retried: a store's background
 * spare-inode refill may still be adding entries while it runs).
 */
export function tempDir(prefix = 'lakecast-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }) };
}
