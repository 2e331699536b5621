/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slice-by-8 tables. Used per segment batch.
 * Node 20 has no zlib.crc32 (Node 22+) and that one is CRC-32/ISO-HDLC anyway; CRC-32C is what Kafka record
 * batches use. Check value: crc32c("123456789") = 0xE3069283 (RFC 3720 appendix B.4).
 */
const TABLES: Uint32Array[] = (() => {
  const t: Uint32Array[] = [];
  for (let k = 0; k < 8; k++) t.push(new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let i = 0; i < 8; i++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0][n];
    for (let k = 1; k < 8; k++) {
      c = t[0][c & 0xff] ^ (c >>> 8);
      t[k][n] = c >>> 0;
    }
  }
  return t;
})();

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** CRC-32C of `buf[start, end)`, continuing from `crc` (default: a fresh CRC). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = ~crc >>> 0;
  let i = start;
  // Bytes up to a 4-byte boundary of the underlying memory, then 8 bytes a step read as two 32-bit words
  // (one typed-array load each instead of four byte loads; little-endian hosts only).
  if (LITTLE_ENDIAN && end - i >= 64) {
    while ((buf.byteOffset + i) & 3) c = t0[(c ^ buf[i++]) & 0xff] ^ (c >>> 8);
    const words = (end - i) >>> 3;
    const u32 = new Uint32Array(buf.buffer, buf.byteOffset + i, words * 2);
    for (let k = 0; k < words * 2; k += 2) {
      const a = c ^ u32[k];
      const b = u32[k + 1];
      c =
        t7[a & 0xff] ^
        t6[(a >>> 8) & 0xff] ^
        t5[(a >>> 16) & 0xff] ^
        t4[a >>> 24] ^
        t3[b & 0xff] ^
        t2[(b >>> 8) & 0xff] ^
        t1[(b >>> 16) & 0xff] ^
        t0[b >>> 24];
    }
    i += words * 8;
  } else {
    const fast = end - ((end - i) & 7);
    for (; i < fast; i += 8) {
      const a = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
      c =
        t7[a & 0xff] ^
        t6[(a >>> 8) & 0xff] ^
        t5[(a >>> 16) & 0xff] ^
        t4[a >>> 24] ^
        t3[buf[i + 4]] ^
        t2[buf[i + 5]] ^
        t1[buf[i + 6]] ^
        t0[buf[i + 7]];
    }
  }
  for (; i < end; i++) c = t0[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
