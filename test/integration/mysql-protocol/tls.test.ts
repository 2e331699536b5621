import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrambleNativePassword } from '../../../src/mysql-protocol/auth/native-password.js';
import { PacketFramer } from '../../../src/mysql-protocol/codec/framer.js';
import { PacketWriter } from '../../../src/mysql-protocol/codec/packet-writer.js';
import { Capability } from '../../../src/mysql-protocol/constants.js';
import type { MysqlServer } from '../../../src/mysql-protocol/index.js';
import { writeHandshakeResponse41 } from '../../../src/mysql-protocol/packets/handshake-response41.js';
import { decodeHandshakeV10 } from '../../../src/mysql-protocol/packets/handshake-v10.js';
import { writeSslRequest } from '../../../src/mysql-protocol/packets/ssl-request.js';
import { selfSignedCert } from '../../helpers/tls.js';
import { tempDir } from '../../helpers/tmp.js';
import { ROOT_PASSWORD, startServer } from './fake-session.js';
import { CLIENT_CAPS } from './raw-client.js';

let server: MysqlServer;
let port: number;
const tmp = tempDir('lakecast-mysql-tls2-');

beforeAll(async () => {
  ({ server, port } = await startServer({ tls: selfSignedCert(tmp.dir) }));
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

/**
 * A duplex over a TCP socket that sends `prefix` glued to the first bytes TLS writes, so the SSLRequest and
 * the ClientHello reach the server in one segment (the case where the server must hand buffered bytes to TLS).
 */
function gluedTransport(socket: net.Socket, prefix: Buffer): Duplex {
  let first = true;
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      socket.write(first ? Buffer.concat([prefix, chunk]) : chunk, cb);
      first = false;
    },
  });
  socket.on('data', (d) => duplex.push(d));
  socket.on('end', () => duplex.push(null));
  return duplex;
}

describe('TLS upgrade', () => {
  it('SSLRequest and ClientHello in the same TCP segment; handshake response and queries over TLS', async () => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const greeting = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
    const g = decodeHandshakeV10(greeting.subarray(4));
    expect(g.capabilities & Capability.SSL).toBe(Capability.SSL);
    socket.pause();
    socket.removeAllListeners('data');
    const w = new PacketWriter();
    w.seq = 1;
    writeSslRequest(w, CLIENT_CAPS);
    const secure = tls.connect({
      socket: gluedTransport(socket, w.take()) as net.Socket,
      rejectUnauthorized: false,
    });
    socket.resume();
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    const packets: Buffer[] = [];
    let wake: (() => void) | null = null;
    const framer = new PacketFramer(
      (p) => {
        packets.push(Buffer.from(p));
        wake?.();
        return true;
      },
      () => {},
      1 << 30,
    );
    secure.on('data', (d: Buffer) => framer.push(d));
    const next = async (): Promise<Buffer> => {
      while (packets.length === 0) await new Promise<void>((r) => (wake = r));
      return packets.shift()!;
    };
    const r = new PacketWriter();
    r.seq = 2;
    writeHandshakeResponse41(r, {
      capabilities: CLIENT_CAPS | Capability.SSL,
      maxPacketSize: 1 << 24,
      charset: 45,
      user: 'root',
      authData: scrambleNativePassword(ROOT_PASSWORD, g.scramble),
      database: null,
      authPluginName: 'mysql_native_password',
      attributes: {},
    });
    secure.write(r.take());
    expect((await next())[0]).toBe(0x00);
    expect(server.connections()).toEqual([expect.objectContaining({ tls: true, user: 'root' })]);
    const q = Buffer.from([0, 0, 0, 0, 0x03, ...Buffer.from('select 2')]);
    q.writeUIntLE(q.length - 4, 0, 3);
    secure.write(q);
    const first = await next();
    expect(first[0]).toBe(5); // column count
    secure.destroy();
  });
});
