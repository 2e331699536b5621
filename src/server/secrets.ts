import path from 'node:path';
import { ConfigErrors } from '../config/index.js';
import { LakecastError, loadOrCreateKeyFile, SecretBox } from '../shared/index.js';

/** Where the key sealing secrets in the catalog lives under the data dir, when LAKECAST_SECRETS_KEY is not set. */
export const CATALOG_SECRETS_KEY_PATH = path.join('secrets', 'catalog-secrets.key');

/**
 * The box that seals secrets kept in the catalog (notification channels' passwords and tokens). Its key is
 * LAKECAST_SECRETS_KEY (32 bytes in base64: `openssl rand -base64 32`) — the same on every server sharing a catalog
 * — or else `<dataDir>/secrets/catalog-secrets.key`, made on first start (0600). A key of another length stops
 * the start with LC_CONFIG_INVALID; the key itself is never logged.
 */
export function catalogSecretBox(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretBox {
  const text = env.LAKECAST_SECRETS_KEY?.trim();
  if (text) {
    const key = Buffer.from(text, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
      throw new LakecastError(
        ConfigErrors.CONFIG_INVALID,
        `invalid configuration: LAKECAST_SECRETS_KEY must be 32 bytes in base64 (openssl rand -base64 32), got ${key.length}`,
      );
    }
    return new SecretBox(key);
  }
  return new SecretBox(loadOrCreateKeyFile(path.join(dataDir, CATALOG_SECRETS_KEY_PATH)));
}
