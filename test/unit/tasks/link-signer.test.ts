import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINK_KEY_PATH, loadOrCreateLinkKey, ResultLinkSigner } from '../../../src/tasks/link-signer.js';
import { tempDir } from '../../helpers/tmp.js';

const ID = 'q202612041500lc0abcdefghijklmno';
const NOW = Date.UTC(2026, 11, 4, 15, 0, 0);

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
  return null;
};

describe('result link signer', () => {
  const signer = new ResultLinkSigner(Buffer.alloc(32, 7));

  it('a token names its task until it expires (to the second)', () => {
    const token = signer.sign(ID, NOW + 60_000);
    expect(token).toMatch(new RegExp(`^${ID}\\.\\d+\\.[A-Za-z0-9_-]{43}$`));
    expect(signer.verify(token, NOW)).toBe(ID);
    expect(signer.verify(token, NOW + 59_999)).toBe(ID);
    expect(codeOf(() => signer.verify(token, NOW + 60_000))).toBe(
      'LC_TASK_LINK_INVALID: this result link has expired',
    );
  });

  it('an altered id, expiry or signature, another key, or a malformed token is not valid — one answer for all', () => {
    const token = signer.sign(ID, NOW + 60_000);
    const [id, expires, mac] = token.split('.') as [string, string, string];
    const other = new ResultLinkSigner(Buffer.alloc(32, 8));
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const bad = [
      `${id.replace(/o$/, 'p')}.${expires}.${mac}`,
      `${id}.${Number(expires) + 3600}.${mac}`,
      `${id}.${expires}.${flip(mac)}`,
      other.sign(ID, NOW + 60_000),
      '',
      'x',
      `${id}.${expires}`,
      `${id}.${expires}.${mac}.extra`,
      `../../etc/passwd.${expires}.${mac}`,
      `${id}.${expires}.${mac.slice(1)}`,
      `${'q'.repeat(65)}.${expires}.${mac}`,
      `${id}.1e9.${mac}`,
      // The last character's two spare bits: the same bytes, another text.
      `${id}.${expires}.${mac.slice(0, -1)}${'AEIMQUYcgkosw048'.includes(mac.slice(-1)) ? String.fromCharCode(mac.charCodeAt(42) + 1) : mac.slice(-1)}`,
    ];
    for (const t of bad)
      expect(
        codeOf(() => signer.verify(t, NOW)),
        t,
      ).toBe('LC_TASK_LINK_INVALID: this result link is not valid');
  });

  it('the key is made once (0600 in a 0700 folder), read back after that, and a damaged one is refused', () => {
    const { dir, cleanup } = tempDir('lakecast-linkkey-');
    try {
      const key = loadOrCreateLinkKey(dir);
      expect(key).toHaveLength(32);
      const file = path.join(dir, LINK_KEY_PATH);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(loadOrCreateLinkKey(dir).equals(key)).toBe(true); // links survive a restart
      writeFileSync(file, 'short');
      expect(() => loadOrCreateLinkKey(dir)).toThrow(/is not a 32-byte key; delete it/);
    } finally {
      cleanup();
    }
  });
});
