/**
 * A minimal MySQL client for benchmarks: it authenticates with mysql_native_password, sends COM_QUERY and
 * only frames the packets of the answer (no row decoding), so it measures what the server can send.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';

const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_TRANSACTIONS = 0x2000;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;
const CLIENT_DEPRECATE_EOF = 0x1000000;

function sha1(...parts: Buffer[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

function nativeToken(password: string, scramble: Buffer): Buffer {
  if (!password) return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password));
  const stage2 = sha1(stage1);
  const mix = sha1(scramble, stage2);
  for (let i = 0; i < mix.length; i++) mix[i] ^= stage1[i];
  return mix;
}

/** A connection that reads whole packets. */
export class MiniMysql {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private waiter: (() => void) | null = null;
  private ended = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered.push(chunk);
      this.bufferedBytes += chunk.length;
      this.waiter?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  /** Connects and authenticates. */
  static async connect(options: {
    host: string;
    port: number;
    user: string;
    password: string;
  }): Promise<MiniMysql> {
    const socket = net.connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new MiniMysql(socket);
    const hello = await client.readPacket();
    // Handshake v10: protocol(1) version(NUL) thread(4) scramble1(8) filler(1) caps(2) charset(1) status(2) caps(2) len(1) reserved(10) scramble2
    let pos = 1;
    while (hello[pos] !== 0) pos++;
    pos += 1 + 4;
    const part1 = hello.subarray(pos, pos + 8);
    pos += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
    const part2 = hello.subarray(pos, pos + 12);
    const scramble = Buffer.concat([part1, part2]);
    const caps =
      CLIENT_LONG_PASSWORD |
      CLIENT_PROTOCOL_41 |
      CLIENT_TRANSACTIONS |
      CLIENT_SECURE_CONNECTION |
      CLIENT_PLUGIN_AUTH |
      CLIENT_DEPRECATE_EOF;
    const token = nativeToken(options.password, scramble);
    const head = Buffer.alloc(32);
    head.writeUInt32LE(caps >>> 0, 0);
    head.writeUInt32LE(16 * 1024 * 1024, 4);
    head[8] = 45;
    const payload = Buffer.concat([
      head,
      Buffer.from(`${options.user}\0`),
      Buffer.from([token.length]),
      token,
      Buffer.from('mysql_native_password\0'),
    ]);
    client.writePacket(payload, 1);
    const answer = await client.readPacket();
    if (answer[0] !== 0x00) throw new Error(`authentication failed: ${answer.subarray(9).toString()}`);
    return client;
  }

  private writePacket(payload: Buffer, seq: number): void {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    header[3] = seq;
    this.socket.write(Buffer.concat([header, payload]));
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length ? [rest] : [];
    this.bufferedBytes = rest.length;
    return out;
  }

  private async need(n: number): Promise<void> {
    while (this.bufferedBytes < n) {
      if (this.ended) throw new Error('connection closed');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = null;
    }
  }

  /** Reads one packet's payload. */
  async readPacket(): Promise<Buffer> {
    await this.need(4);
    const header = this.take(4);
    const length = header.readUIntLE(0, 3);
    await this.need(length);
    return this.take(length);
  }

  /**
   * Runs a query and counts the rows of its result by framing packets only (rows are not decoded).
   * Frames straight from the receive buffers, so the client costs as little as possible.
   */
  async countRows(sql: string): Promise<{ rows: number; bytes: number }> {
    this.writePacket(Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]), 0);
    const first = await this.readPacket();
    if (first[0] === 0xff) throw new Error(`query failed: ${first.subarray(9).toString()}`);
    if (first[0] === 0x00) return { rows: 0, bytes: 0 };
    const columns = first[0];
    for (let i = 0; i < columns; i++) await this.readPacket();
    let rows = 0;
    let bytes = 0;
    for (;;) {
      await this.need(4);
      // Frame every complete packet in the buffered data at once.
      const all = this.take(this.bufferedBytes);
      let pos = 0;
      while (all.length - pos >= 4) {
        const length = all[pos] | (all[pos + 1] << 8) | (all[pos + 2] << 16);
        if (all.length - pos - 4 < length) break;
        const marker = all[pos + 4];
        if (marker === 0xff)
          throw new Error(`query failed: ${all.subarray(pos + 13, pos + 4 + length).toString()}`);
        // EOF, or OK with the 0xFE header under CLIENT_DEPRECATE_EOF: a row starting with 0xFE is >= 16 MB.
        if (marker === 0xfe && length < 0xffffff) {
          const rest = all.subarray(pos + 4 + length);
          this.buffered = rest.length ? [rest] : [];
          this.bufferedBytes = rest.length;
          return { rows, bytes };
        }
        rows++;
        bytes += length;
        pos += 4 + length;
      }
      const rest = all.subarray(pos);
      this.buffered = rest.length ? [rest] : [];
      this.bufferedBytes = rest.length;
      const wanted = rest.length >= 4 ? 4 + (rest[0] | (rest[1] << 8) | (rest[2] << 16)) : 4;
      await this.need(Math.min(wanted, rest.length + 1));
    }
  }

  /** Sends COM_QUIT and closes. */
  close(): void {
    this.writePacket(Buffer.from([0x01]), 0);
    this.socket.end();
  }
}
