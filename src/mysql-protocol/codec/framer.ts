import { MAX_PACKET_PAYLOAD } from '../constants.js';

/**
 * Splits an incoming byte stream into packet payloads and reassembles multi-packet payloads (parts of
 * exactly 0xFFFFFF bytes followed by a shorter one). Small packets are delivered as zero-copy views of the
 * received chunk; a large packet is copied once into a buffer of its announced size as it arrives.
 *
 * When the (reassembled) payload would exceed `maxPayload`, `onTooLarge` is called as soon as the header
 * announcing it arrives and the framer stops: nothing more is buffered.
 */
export class PacketFramer {
  private header = Buffer.alloc(4);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  private bodySeq = 0;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private stopped = false;
  /** Bytes of the current chunk left unread after {@link stop} (e.g. a TLS ClientHello). */
  remainder: Buffer = Buffer.alloc(0);

  constructor(
    /** Called per complete payload with the sequence id of its last physical packet. Return false to stop. */
    private readonly onPacket: (payload: Buffer, seq: number) => boolean | undefined,
    private readonly onTooLarge: (seq: number) => void,
    public maxPayload: number,
  ) {}

  /** Stops framing; unread bytes of the current chunk are kept in {@link remainder}. */
  stop(): void {
    this.stopped = true;
  }

  /** Feeds received bytes. */
  push(chunk: Buffer): void {
    let off = 0;
    const n = chunk.length;
    while (off < n && !this.stopped) {
      if (this.body !== null) {
        const take = Math.min(this.body.length - this.bodyFill, n - off);
        chunk.copy(this.body, this.bodyFill, off, off + take);
        this.bodyFill += take;
        off += take;
        if (this.bodyFill === this.body.length) {
          const b = this.body;
          this.body = null;
          this.complete(b, this.bodySeq);
        }
        continue;
      }
      let len: number;
      let seq: number;
      if (this.headerFill === 0 && n - off >= 4) {
        len = chunk[off] | (chunk[off + 1] << 8) | (chunk[off + 2] << 16);
        seq = chunk[off + 3];
        off += 4;
      } else {
        while (this.headerFill < 4 && off < n) this.header[this.headerFill++] = chunk[off++];
        if (this.headerFill < 4) break;
        this.headerFill = 0;
        len = this.header.readUIntLE(0, 3);
        seq = this.header[3];
      }
      if (this.partsLength + len > this.maxPayload) {
        this.stopped = true;
        this.onTooLarge(seq);
        return;
      }
      if (n - off >= len) {
        this.complete(chunk.subarray(off, off + len), seq);
        off += len;
      } else {
        this.body = Buffer.allocUnsafe(len);
        this.bodyFill = 0;
        this.bodySeq = seq;
      }
    }
    if (this.stopped && off < n) this.remainder = chunk.subarray(off);
  }

  private complete(payload: Buffer, seq: number): void {
    if (payload.length === MAX_PACKET_PAYLOAD) {
      this.parts.push(payload);
      this.partsLength += payload.length;
      return;
    }
    let full = payload;
    if (this.parts.length > 0) {
      full = Buffer.concat([...this.parts, payload], this.partsLength + payload.length);
      this.parts = [];
      this.partsLength = 0;
    }
    if (this.onPacket(full, seq) === false) this.stopped = true;
  }
}
