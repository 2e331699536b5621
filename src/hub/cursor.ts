import { createHmac, timingSafeEqual } from 'node:crypto';
import { hubError } from './errors.js';

/**
 * Opaque read cursors: base64url of `v1 | topic uid (16 hex chars → 8 bytes) | shard u32 | sequence f64`
 * followed by the first 12 bytes of HMAC-SHA256 over those bytes with a per-hub secret. A cursor altered,
 * forged, or taken from another topic incarnation is refused with LC_HUB_CURSOR_INVALID.
 */
const VERSION = 1;
const BODY = 1 + 8 + 4 + 8;
const MAC = 12;

export interface CursorPosition {
  readonly shardId: number;
  readonly sequence: number;
}

export class CursorCodec {
  constructor(private readonly secret: Uint8Array) {
    if (secret.byteLength < 16) throw new Error('cursor secret must be at least 16 bytes');
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, MAC);
  }

  encode(topicUid: string, shardId: number, sequence: number): string {
    const buf = Buffer.allocUnsafe(BODY + MAC);
    buf.writeUInt8(VERSION, 0);
    Buffer.from(topicUid.padStart(16, '0').slice(-16), 'hex').copy(buf, 1);
    buf.writeUInt32LE(shardId, 9);
    buf.writeDoubleLE(sequence, 13);
    this.mac(buf.subarray(0, BODY)).copy(buf, BODY);
    return buf.toString('base64url');
  }

  /** Checks the signature and that the cursor belongs to this topic and shard. */
  decode(token: unknown, topicUid: string, shardId: number): CursorPosition {
    if (typeof token !== 'string' || token.length === 0 || token.length > 64) {
      throw hubError('HUB_CURSOR_INVALID', 'cursor missing or malformed');
    }
    const buf = Buffer.from(token, 'base64url');
    if (buf.length !== BODY + MAC || buf.readUInt8(0) !== VERSION || buf.toString('base64url') !== token) {
      throw hubError('HUB_CURSOR_INVALID', 'cursor malformed');
    }
    if (!timingSafeEqual(buf.subarray(BODY), this.mac(buf.subarray(0, BODY)))) {
      throw hubError('HUB_CURSOR_INVALID', 'cursor signature does not match (forged or from another hub)');
    }
    const uid = buf.subarray(1, 9).toString('hex');
    const shard = buf.readUInt32LE(9);
    const sequence = buf.readDoubleLE(13);
    if (uid !== topicUid.padStart(16, '0').slice(-16)) {
      throw hubError(
        'HUB_CURSOR_INVALID',
        'cursor belongs to another topic (or a deleted and re-created one)',
      );
    }
    if (shard !== shardId)
      throw hubError('HUB_CURSOR_INVALID', `cursor is for shard ${shard}, not ${shardId}`);
    if (!Number.isSafeInteger(sequence) || sequence < 0)
      throw hubError('HUB_CURSOR_INVALID', 'cursor malformed');
    return { shardId: shard, sequence };
  }
}
