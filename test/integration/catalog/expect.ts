import { expect } from 'vitest';
import { LakecastError } from '../../../src/shared/errors.js';

/** Awaits `p` and asserts it rejects with a LakecastError of `code` (and `errno` when given). */
export async function expectLakecastError(
  p: Promise<unknown> | (() => Promise<unknown>),
  code: string,
  errno?: number,
): Promise<LakecastError> {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(LakecastError);
  const e = caught as LakecastError;
  expect(e.code).toBe(code);
  if (errno !== undefined) expect(e.errno).toBe(errno);
  return e;
}
