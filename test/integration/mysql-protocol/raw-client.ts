import net from 'node:net';
import { scrambleNativePassword } from '../../../src/mysql-protocol/auth/native-password.js';
import { PacketFramer } from '../../../src/mysql-protocol/codec/framer.js';
import { PacketWriter } from '../../../src/mysql-protocol/codec/packet-writer.js';
import { Capability } from '../../../src/mysql-protocol/constants.js';
import { isEof } from '../../../src/mysql-protocol/packets/eof.js';
import { decodeErr, type ErrPacket } from '../../../src/mysql-protocol/packets/err.js';
import { writeHandshakeResponse41 } from '../../../src/mysql-protocol/packets/handshake-response41.js';
import { decodeHandshakeV10, type HandshakeV10 } from '../../../src/mysql-protocol/packets/handshake-v10.js';

/** Capabilities of the raw test client. */
export const CLIENT_CAPS =
  Capability.LONG_PASSWORD |
  Capability.PROTOCOL_41 |
  Capability.SECURE_CONNECTION |
  Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.TRANSACTIONS |
  Capability.MULTI_RESULTS;

/** A minimal MySQL client over a raw socket, for hostile-input tests and the benchmark. */
export class RawClient {
  readonly socket: net.Socket;
  private queue: { payload: Buffer; seq: number }[] = [];
  private waiters: ((p: { payload: Buffer; seq: number } | null) => void)[] = [];
  closed = false;
  greeting: HandshakeV10 | null = null;
  private framer = new PacketFramer(
    (payload, seq) => {
      const p = { payload: Buffer.from(payload), seq };
      const w = this.waiters.shift();
      if (w) w(p);
      else this.queue.push(p);
      return true;
    },
    () => {},
    1 << 30,
  );

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => this.framer.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Next packet, or null when the server closed the connection. */
  read(timeoutMs = 5000): Promise<{ payload: Buffer; seq: number } | null> {
    const p = this.queue.shift();
    if (p) return Promise.resolve(p);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('raw client read timeout')), timeoutMs);
      this.waiters.push((v) => {
        clearTimeout(t);
        resolve(v);
      });
    });
  }

  /** Resolves when the server closed the socket. */
  waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('socket not closed')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Sends one packet with the given payload and sequence id. */
  send(payload: Buffer, seq = 0): void {
    const w = new PacketWriter(payload.length + 16);
    w.seq = seq;
    w.begin();
    w.bytes(payload);
    w.end();
    this.socket.write(w.take());
  }

  /** Reads the greeting and authenticates; returns the server's answer (OK or ERR payload). */
  async login(user: string, password: string, extraCaps = 0): Promise<Buffer> {
    const g = await this.read();
    if (!g) throw new Error('no greeting');
    this.greeting = decodeHandshakeV10(g.payload);
    const w = new PacketWriter();
    w.seq = 1;
    writeHandshakeResponse41(w, {
      capabilities: CLIENT_CAPS | extraCaps,
      maxPacketSize: 1 << 24,
      charset: 45,
      user,
      authData: scrambleNativePassword(password, this.greeting.scramble),
      database: null,
      authPluginName: 'mysql_native_password',
      attributes: {},
    });
    this.socket.write(w.take());
    const answer = await this.read();
    if (!answer) throw new Error('closed during login');
    return answer.payload;
  }

  /** Reads packets until the end of a result set; returns the row payloads or the ERR. */
  async readResult(
    deprecateEof = false,
  ): Promise<{ columns: number; rows: Buffer[]; err?: ErrPacket; ok?: Buffer }> {
    const first = await this.read();
    if (!first) throw new Error('closed');
    if (first.payload[0] === 0xff) return { columns: 0, rows: [], err: decodeErr(first.payload) };
    if (first.payload[0] === 0x00) return { columns: 0, rows: [], ok: first.payload };
    const columns = first.payload[0];
    for (let i = 0; i < columns; i++) await this.read();
    if (!deprecateEof) await this.read();
    const rows: Buffer[] = [];
    for (;;) {
      const p = await this.read();
      if (!p) throw new Error('closed mid-result');
      if (p.payload[0] === 0xff) return { columns, rows, err: decodeErr(p.payload) };
      if (isEof(p.payload) || (deprecateEof && p.payload[0] === 0xfe && p.payload.length < 0xffffff))
        return { columns, rows, ok: p.payload };
      rows.push(p.payload);
    }
  }

  /** COM_QUERY. */
  query(sql: string): void {
    this.send(Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, 'utf8')]));
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Counts result rows as fast as possible (headers only, no decoding): the "minimal client" of the
 * throughput benchmark. Resolves with the row count once the terminating EOF arrives.
 */
export function countRows(socket: net.Socket): Promise<number> {
  return new Promise((resolve) => {
    let phase = 0; // 0 column count, 1 columns, 2 rows
    let columnsLeft = 0;
    let rows = 0;
    let skip = 0;
    let header = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      let off = 0;
      while (off < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - off);
          skip -= n;
          off += n;
          continue;
        }
        let len: number;
        let first: number;
        if (header.length === 0 && chunk.length - off >= 5) {
          len = chunk[off] | (chunk[off + 1] << 8) | (chunk[off + 2] << 16);
          first = chunk[off + 4];
          off += 5;
        } else {
          if (header.length + chunk.length - off < 5) {
            header = Buffer.concat([header, chunk.subarray(off)]);
            return;
          }
          const h = Buffer.concat([header, chunk.subarray(off, off + 5 - header.length)]);
          off += 5 - header.length;
          header = Buffer.alloc(0);
          len = h.readUIntLE(0, 3);
          first = h[4];
        }
        skip = len - 1;
        if (phase === 0) {
          columnsLeft = first + 1; // definitions + EOF
          phase = 1;
        } else if (phase === 1) {
          if (--columnsLeft === 0) phase = 2;
        } else if (first === 0xfe && len < 9) {
          socket.removeListener('data', onData);
          resolve(rows);
          return;
        } else rows++;
      }
    };
    socket.on('data', onData);
  });
}
