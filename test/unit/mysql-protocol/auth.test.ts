import { describe, expect, it } from 'vitest';
import {
  generateScramble,
  nativePasswordHash,
  scrambleNativePassword,
  verifyNativePassword,
} from '../../../src/mysql-protocol/auth/native-password.js';

describe('mysql_native_password', () => {
  it('stored hash is SHA1(SHA1(password)) - known vector', () => {
    expect(nativePasswordHash('password').toString('hex')).toBe('2470c0c06dee42fd1618bb99005adca2ec9d1e19');
  });

  it('accepts the right password and rejects a wrong one', () => {
    const scramble = generateScramble();
    const stored = nativePasswordHash('s3cret');
    expect(verifyNativePassword(scrambleNativePassword('s3cret', scramble), scramble, stored)).toBe(true);
    expect(verifyNativePassword(scrambleNativePassword('s3creT', scramble), scramble, stored)).toBe(false);
    expect(verifyNativePassword(scrambleNativePassword('s3cret', generateScramble()), scramble, stored)).toBe(
      false,
    );
    expect(verifyNativePassword(Buffer.alloc(19), scramble, stored)).toBe(false);
  });

  it('empty response matches only accounts without password', () => {
    const scramble = generateScramble();
    expect(verifyNativePassword(Buffer.alloc(0), scramble, Buffer.alloc(0))).toBe(true);
    expect(verifyNativePassword(Buffer.alloc(0), scramble, nativePasswordHash(''))).toBe(true);
    expect(verifyNativePassword(Buffer.alloc(0), scramble, nativePasswordHash('x'))).toBe(false);
    expect(verifyNativePassword(scrambleNativePassword('x', scramble), scramble, Buffer.alloc(0))).toBe(
      false,
    );
  });

  it('scramble is 20 bytes without NUL or $', () => {
    for (let i = 0; i < 50; i++) {
      const s = generateScramble();
      expect(s.length).toBe(20);
      expect(s.includes(0)).toBe(false);
      expect(s.includes(0x24)).toBe(false);
    }
  });
});
