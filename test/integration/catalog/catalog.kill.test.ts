import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './backends.js';

const all = await backends();
const writer = fileURLToPath(new URL('./fixtures/ack-writer.ts', import.meta.url));

/** Runs the writer until it has acknowledged `atLeast` creates, kills it with SIGKILL, returns the acked ids. */
function runAndKill(spec: string, dataDir: string, atLeast: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, spec, dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d) => {
      buffer += d;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) acked.push(Number(line.split(' ')[1]));
      if (acked.length >= atLeast) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited without being killed: ${stderr}`));
    });
  });
}

describe.each(all)('catalog kill -9 on $name', (backend) => {
  afterAll(() => backend.teardown());

  it.skipIf(!backend.available)(
    'kill -9 - every create acknowledged before the kill is there after reopening',
    async () => {
      const location = backend.newLocation();
      // Open once so the location exists (schema / directory) and obtain the spec the child should use.
      const first = await backend.open(location);
      await first.close();
      const spec = backend.spec(location);
      const acked = await runAndKill(spec, location, 30);
      expect(acked.length).toBeGreaterThanOrEqual(30);
      const catalog = await backend.open(location);
      try {
        const names = new Set((await catalog.listSchemas()).map((s) => s.name));
        for (const i of acked) expect(names.has(`s${i}`), `s${i} was acknowledged`).toBe(true);
      } finally {
        await catalog.close();
      }
    },
  );
});
