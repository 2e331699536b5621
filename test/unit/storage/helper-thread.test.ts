import { describe, expect, it } from 'vitest';
import { HelperThread } from '../../../src/storage/local/helper-thread.js';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, req }) => {
  if (req === 'die') process.exit(3);
  parentPort.postMessage({ id, res: 'echo:' + req });
});
`;

describe('HelperThread', () => {
  it('helper - answers requests in order, each with its own answer', async () => {
    const t = new HelperThread<string, string>(SOURCE, 'test-helper', (m) => `failed:${m}`);
    expect(await Promise.all(['a', 'b', 'c'].map((r) => t.call(r)))).toEqual(['echo:a', 'echo:b', 'echo:c']);
    expect(t.pending).toBe(0);
  });

  it('helper - a thread that dies fails the waiting request, and the next call starts a new one', async () => {
    const t = new HelperThread<string, string>(SOURCE, 'test-helper', (m) => `failed:${m}`);
    expect(await t.call('x')).toBe('echo:x');
    expect(await t.call('die')).toMatch(/^failed:test-helper exited with 3/);
    expect(await t.call('y')).toBe('echo:y');
  });

  it('helper - source that does not compile: every call gets the failure answer', async () => {
    const t = new HelperThread<string, string>('this is not javascript', 'test-helper', (m) => `failed:${m}`);
    expect(await t.call('x')).toMatch(/^failed:/);
  });
});
