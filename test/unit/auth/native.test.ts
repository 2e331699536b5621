import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  formatGrants,
  generatePassword,
  generateScramble,
  generateToken,
  hashToken,
  isTokenShaped,
  nativePasswordHash,
  verifyNativeScramble,
  verifyPassword,
} from '../../../src/auth/index.js';

// mysql2's own client-side implementation (lib/auth_41.js is not in its package exports, so load it by path).
const require = createRequire(import.meta.url);
const auth41 = require(path.join(path.dirname(require.resolve('mysql2')), 'lib', 'auth_41.js')) as {
  calculateToken(password: string, scramble1: Buffer, scramble2: Buffer): Buffer;
};
const clientToken = (password: string, scramble: Buffer) =>
  auth41.calculateToken(password, scramble.subarray(0, 8), scramble.subarray(8));

const SCRAMBLE = Buffer.from('0102030405060708090a0b0c0d0e0f1011121314', 'hex');

describe('mysql_native_password', () => {
  it("hash - SHA1(SHA1(pw)) matches MySQL PASSWORD('password')", () => {
    expect(nativePasswordHash('password').toString('hex').toUpperCase()).toBe(
      '2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19',
    );
    expect(nativePasswordHash('')).toHaveLength(0);
  });

  it('scramble - a known vector computed by mysql2 verifies', () => {
    const response = clientToken('secret', SCRAMBLE);
    // Fixed vector: documents the exact bytes, so a change in either side is caught.
    const sha1 = (...b: Buffer[]) => b.reduce((h, x) => h.update(x), createHash('sha1')).digest();
    const stage1 = sha1(Buffer.from('secret'));
    const mask = sha1(SCRAMBLE, sha1(stage1));
    expect(response.equals(Buffer.from(stage1.map((b, i) => b ^ mask[i])))).toBe(true);
    expect(verifyNativeScramble(nativePasswordHash('secret'), SCRAMBLE, response)).toBe(true);
  });

  it('scramble - round trips with random scrambles and unicode passwords', () => {
    for (const pw of ['a', 'pässwörd', '密码🔑', 'x'.repeat(256), "' or 1=1 --"]) {
      const scramble = generateScramble();
      expect(verifyNativeScramble(nativePasswordHash(pw), scramble, clientToken(pw, scramble))).toBe(true);
    }
  });

  it('scramble - wrong password, other scramble, tampered or short responses fail', () => {
    const stored = nativePasswordHash('secret');
    const good = clientToken('secret', SCRAMBLE);
    expect(verifyNativeScramble(stored, SCRAMBLE, clientToken('Secret', SCRAMBLE))).toBe(false);
    expect(verifyNativeScramble(stored, generateScramble(), good)).toBe(false);
    const tampered = Buffer.from(good);
    tampered[0] ^= 1;
    expect(verifyNativeScramble(stored, SCRAMBLE, tampered)).toBe(false);
    expect(verifyNativeScramble(stored, SCRAMBLE, good.subarray(0, 19))).toBe(false);
    expect(verifyNativeScramble(stored, SCRAMBLE, Buffer.alloc(0))).toBe(false);
    expect(verifyNativeScramble(stored, SCRAMBLE.subarray(0, 8), good)).toBe(false);
    // A trailing NUL after the 20-byte scramble (as on the wire) is ignored.
    expect(verifyNativeScramble(stored, Buffer.concat([SCRAMBLE, Buffer.alloc(1)]), good)).toBe(true);
  });

  it('scramble - an account without password accepts only the empty response', () => {
    expect(verifyNativeScramble(Buffer.alloc(0), SCRAMBLE, clientToken('', SCRAMBLE))).toBe(true);
    expect(verifyNativeScramble(Buffer.alloc(0), SCRAMBLE, clientToken('x', SCRAMBLE))).toBe(false);
  });

  it('generateScramble - 20 bytes, no NUL, 7-bit', () => {
    for (let i = 0; i < 50; i++) {
      const s = generateScramble();
      expect(s).toHaveLength(20);
      expect(s.every((b) => b >= 1 && b <= 127)).toBe(true);
    }
  });

  it('verifyPassword - clear password against the stored hash', () => {
    expect(verifyPassword(nativePasswordHash('pw'), 'pw')).toBe(true);
    expect(verifyPassword(nativePasswordHash('pw'), 'PW')).toBe(false);
    expect(verifyPassword(nativePasswordHash('pw'), '')).toBe(false);
    expect(verifyPassword(Buffer.alloc(0), '')).toBe(true);
    expect(verifyPassword(Buffer.alloc(0), 'pw')).toBe(false);
  });
});

describe('passwords and tokens', () => {
  it('policy - empty refused unless allowed, 256 characters max', () => {
    expect(() => checkPassword('')).toThrow(
      expect.objectContaining({ code: 'LC_AUTH_INVALID_PASSWORD', errno: 1819 }),
    );
    expect(checkPassword('', { allowEmpty: true })).toBe('');
    expect(checkPassword('🔑'.repeat(256))).toHaveLength(512);
    expect(() => checkPassword('x'.repeat(257))).toThrow(/longer than 256/);
    expect(() => checkPassword(42)).toThrow(/must be a string/);
  });

  it('generatePassword - 24 URL-safe characters, different each time', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });

  it('tokens - lc_ + 43 base64url characters; hash is SHA-256 hex', () => {
    const t = generateToken();
    expect(t).toMatch(/^lc_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t.slice(3), 'base64url')).toHaveLength(32);
    expect(isTokenShaped(t)).toBe(true);
    expect(isTokenShaped(`${t}x`)).toBe(false);
    expect(isTokenShaped("lc_' or 1=1 --")).toBe(false);
    expect(hashToken(t)).toBe(createHash('sha256').update(t).digest('hex'));
  });
});

describe('formatGrants', () => {
  it('SHOW GRANTS - admin, usage only, per schema, global and ALL', () => {
    expect(formatGrants('root', true, [])).toEqual([
      "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION",
    ]);
    expect(formatGrants('u', false, [])).toEqual(["GRANT USAGE ON *.* TO 'u'@'%'"]);
    expect(
      formatGrants('u', false, [
        { user: 'u', schema: 'sales', privilege: 'ALL' },
        { user: 'u', schema: 'demo', privilege: 'DROP' },
        { user: 'u', schema: 'demo', privilege: 'SELECT' },
        { user: 'u', schema: '*', privilege: 'SELECT' },
      ]),
    ).toEqual([
      "GRANT SELECT ON *.* TO 'u'@'%'",
      "GRANT SELECT, DROP ON `demo`.* TO 'u'@'%'",
      "GRANT ALL PRIVILEGES ON `sales`.* TO 'u'@'%'",
    ]);
  });
});
