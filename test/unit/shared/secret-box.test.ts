import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_SECRETS_KEY_PATH, catalogSecretBox } from '../../../src/server/secrets.js';
import { SecretBox } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

describe('SecretBox - secrets sealed for the catalog', () => {
  const box = new SecretBox(randomBytes(32));

  it('seals with a fresh iv each time and opens for the same context; plain values from before pass through', () => {
    const a = box.seal('{"password":"hunter2"}', 'ctx');
    const b = box.seal('{"password":"hunter2"}', 'ctx');
    expect(a).toMatch(/^lcsealed1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(box.open(a, 'ctx')).toBe('{"password":"hunter2"}');
    expect(box.open('{"plain":1}', 'ctx')).toBe('{"plain":1}');
    expect(box.open(box.seal('', 'ctx'), 'ctx')).toBe('');
  });

  it('never answers a wrong plaintext: another context, another key, changed or truncated bytes all throw', () => {
    const sealed = box.seal('token-123', 'notification_channels.secrets\na');
    expect(() => box.open(sealed, 'notification_channels.secrets\nb')).toThrow(/does not open/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'notification_channels.secrets\na')).toThrow(
      /does not open/,
    );
    const raw = Buffer.from(sealed.slice('lcsealed1:'.length), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() =>
      box.open(`lcsealed1:${raw.toString('base64url')}`, 'notification_channels.secrets\na'),
    ).toThrow();
    expect(() => box.open('lcsealed1:AAAA', 'x')).toThrow(/truncated/);
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32-byte/);
  });

  it('the server key: LAKECAST_SECRETS_KEY when set (32 bytes base64), else a 0600 file made once in the data dir', () => {
    const { dir, cleanup } = tempDir('lakecast-secrets-');
    try {
      const sealed = catalogSecretBox(dir, {}).seal('x', 'c');
      const file = path.join(dir, CATALOG_SECRETS_KEY_PATH);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(catalogSecretBox(dir, {}).open(sealed, 'c')).toBe('x'); // the same key on the next start
      const key = randomBytes(32).toString('base64');
      const fromEnv = catalogSecretBox(dir, { LAKECAST_SECRETS_KEY: key }).seal('y', 'c');
      expect(catalogSecretBox('/nonexistent', { LAKECAST_SECRETS_KEY: ` ${key}\n` }).open(fromEnv, 'c')).toBe(
        'y',
      );
      for (const bad of ['short', randomBytes(31).toString('base64'), `${key}!`]) {
        expect(() => catalogSecretBox(dir, { LAKECAST_SECRETS_KEY: bad })).toThrow(
          expect.objectContaining({ code: 'LC_CONFIG_INVALID' }),
        );
      }
    } finally {
      cleanup();
    }
  });
});
