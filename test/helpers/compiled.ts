/**
 * Makes sure `dist/` (what `npm start` runs) is compiled from the current sources, so that a benchmark of the
 * server as users run it does not measure stale code: runs `npm run build` when a file under `src/` is newer
 * than `dist/cli/main.js`, or when it is missing.
 */
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles the server if `dist/` is missing or older than `src/`. */
export function ensureCompiled(): void {
  let built = 0;
  try {
    built = statSync(path.join(root, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= newestMtime(path.join(root, 'src'))) return;
  console.log('compiling the server (npm run build) …');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
