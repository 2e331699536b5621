import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliResult, runProcess } from './cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the `lakecast` CLI from source (`node --import tsx src/cli/main.ts …args`), asynchronously. */
export function lakecast(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runProcess(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
}
