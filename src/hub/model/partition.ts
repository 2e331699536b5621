/**
 * Partition-key hashing. A key maps to `fnv1a32(utf8(key)) mod shardCount`, where fnv1a32 is 32-bit FNV-1a
 * (offset basis 0x811c9dc5, prime 0x01000193, http://www.isthe.com/chongo/tech/comp/fnv/). The same function is
 * used by every back-end and client so a key lands on the same shard everywhere. Raising the shard count
 * re-maps keys (old records stay where they are).
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The shard a partition key belongs to among `shardCount` shards. */
export function shardForKey(key: string, shardCount: number): number {
  return fnv1a32(key) % shardCount;
}
