import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret key kept in `file`: read when it exists, else made (`bytes` random bytes, written with mode 0600 in a
 * 0700 folder and fsynced before use, so whatever it protects survives a restart). A file of another size is
 * refused rather than trusted. Two processes making it at the same moment both end with the one that won.
 */
export function loadOrCreateKeyFile(file: string, bytes = 32): Buffer {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const key = readFileSync(file);
    if (key.length !== bytes)
      throw new Error(`${file} is not a ${bytes}-byte key; delete it to make a new one`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(bytes);
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKeyFile(file, bytes);
    throw err;
  }
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return key;
}
