import { randomFillSync } from 'node:crypto';

/** Bytes drawn from the CSPRNG at once for {@link randomHex}. */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolPos = POOL_BYTES;

/**
 * `bytes` random bytes as hex, for names that must not collide (temp files, query ids), never for secrets
 * (tokens and passwords use `randomBytes` directly). Drawn from a pooled CSPRNG buffer: one `randomBytes` call
 * per name costs several times more than the name is worth on hot paths (one per task).
 */
export function randomHex(bytes: number): string {
  if (bytes > POOL_BYTES) throw new RangeError(`randomHex: at most ${POOL_BYTES} bytes`);
  if (poolPos + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const s = pool.toString('hex', poolPos, poolPos + bytes);
  poolPos += bytes;
  return s;
}
