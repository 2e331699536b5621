import { LakecastError } from '../shared/index.js';
import { StorageErrors } from './errors.js';

/**
 * Checks an object key: relative, `/`-separated, no empty, `.` or `..` segments, no backslash or NUL, and
 * no trailing `/`. Returns it unchanged; throws LC_STORAGE_BAD_KEY otherwise. Such keys can never name a
 * file outside a store's root.
 */
export function checkKey(key: string): string {
  if (!isSafeKey(key))
    throw new LakecastError(StorageErrors.STORAGE_BAD_KEY, `invalid object key ${JSON.stringify(key)}`);
  return key;
}

/** {@link checkKey} as a predicate. */
export function isSafeKey(key: string): boolean {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) return false;
  if (key.includes('\0') || key.includes('\\') || key.startsWith('/') || key.endsWith('/')) return false;
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}

/** Checks a list prefix: empty, or a key prefix whose complete segments are safe (it may end with `/`). */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (!isSafeKey(trimmed)) {
    throw new LakecastError(StorageErrors.STORAGE_BAD_KEY, `invalid key prefix ${JSON.stringify(prefix)}`);
  }
  return prefix;
}
