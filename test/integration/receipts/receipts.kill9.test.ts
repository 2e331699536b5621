import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { receiptMessageId } from '../../../src/receipts/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { startHarness, startReceiver } from './harness.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'receipts-child.ts');

it('kill -9 between the tasks ends and their delivery - every receipt delivered exactly once after restart, never again', async () => {
  const { dir, cleanup } = tempDir('lakecast-rcpt-kill9-');
  const rx = await startReceiver();
  rx.script('/hang', 'hang', 'hang', 'hang');
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, rx.url('/hang')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ids = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      proc.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    // Two receipts are in flight (the receiver holds them), the third waits for a free slot.
    for (let i = 0; i < 500 && rx.received.filter((r) => r.path === '/hang').length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(rx.received.filter((r) => r.path === '/hang')).toHaveLength(2);
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;

    const h = await startHarness(
      { channels: [{ name: 'hook', type: 'webhook', url: rx.url('/ok') }] },
      { dir, keepDir: true },
    );
    try {
      for (const id of ids) {
        const t = await h.waitMq(id, ['SUCCESS', 'FAILURE']);
        expect(t).toMatchObject({
          status: 'SUCCESS',
          mq_status: 'SUCCESS',
          mq_message_id: receiptMessageId(id),
        });
      }
      expect(rx.acceptedIds('/ok').sort()).toEqual(ids.map(receiptMessageId).sort());
    } finally {
      await h.close();
    }
    // A confirmed receipt is never sent again: restart once more and watch.
    const h2 = await startHarness(
      { channels: [{ name: 'hook', type: 'webhook', url: rx.url('/ok') }] },
      { dir, keepDir: true },
    );
    await new Promise((r) => setTimeout(r, 700));
    await h2.close();
    expect(rx.acceptedIds('/ok')).toHaveLength(3);
  } finally {
    await rx.close();
    cleanup();
  }
});
