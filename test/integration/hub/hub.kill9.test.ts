import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openEmbeddedHub } from '../../../src/hub/index.js';
import { tempDir } from '../../helpers/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dec = new TextDecoder();

/** Runs the writer child until it has acknowledged `acks` records (or `ms` passed), then SIGKILLs it. */
function runAndKill(dir: string, acks: number, ms: number): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'kill9-child.ts'), dir], {
      cwd: path.resolve(here, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, string>();
    let buf = '';
    let err = '';
    let ready = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'READY') {
          ready = true;
          timer = setTimeout(kill, ms);
          continue;
        }
        if (line.startsWith('ERR')) return reject(new Error(line));
        const [shard, seq, payload] = line.split(' ');
        const key = `${shard}/${seq}`;
        if (acked.has(key)) return reject(new Error(`sequence acknowledged twice: ${key}`));
        acked.set(key, payload);
      }
      if (acked.size >= acks) kill();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited on its own (ready=${ready}): ${err}`));
      resolve(acked);
    });
  });
}

describe('hub durability - kill -9', () => {
  it('kill -9 mid-stream - every acknowledged record is readable after restart, in order, exactly once', async () => {
    const tmp = tempDir('lakecast-hub-kill9-');
    try {
      const all = new Map<string, string>();
      // Two rounds: the second appends after a recovery, then is killed too.
      for (const acks of [3000, 2000]) {
        const acked = await runAndKill(tmp.dir, acks, 8000);
        expect(acked.size).toBeGreaterThan(100);
        for (const [k, v] of acked) all.set(k, v);
        const hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0 });
        try {
          for (const shard of [0, 1]) {
            let { cursor } = await hub.getCursor('k', 't', shard, { type: 'OLDEST' });
            let expectSeq = 0;
            const seen = new Set<string>();
            for (;;) {
              const r = await hub.getRecords('k', 't', shard, { cursor, limit: 1000 });
              if (r.records.length === 0) break;
              for (const rec of r.records) {
                expect(rec.sequence).toBe(expectSeq++); // in order, no gaps, no repeats
                const payload = dec.decode(rec.data as Uint8Array);
                expect(seen.has(payload)).toBe(false);
                seen.add(payload);
                const want = all.get(`${shard}/${rec.sequence}`);
                if (want !== undefined) expect(payload).toBe(want);
              }
              cursor = r.nextCursor;
            }
            for (const [k, v] of all) {
              if (k.startsWith(`${shard}/`)) expect(seen.has(v), `acknowledged ${k} lost`).toBe(true);
            }
          }
        } finally {
          await hub.close();
        }
      }
    } finally {
      tmp.cleanup();
    }
  });
});
