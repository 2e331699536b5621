import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { CommonErrors, LakecastError } from '../shared/index.js';
import { PacketWriter } from './codec/packet-writer.js';
import { dispatchCommand } from './commands/dispatch.js';
import { Connection, type ConnectionContext } from './connection.js';
import { MysqlProtocolErrors } from './errors.js';
import type { MysqlServerEvents } from './events.js';
import { runHandshake } from './handshake.js';
import { type ResolvedMysqlServerOptions, resolveOptions } from './options.js';
import { writeErr } from './packets/err.js';
import type { ConnectionState, MysqlServerOptions } from './types.js';

/** A MySQL-protocol listener. Emits the typed events of {@link MysqlServerEvents}. */
export interface MysqlServer {
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<{ port: number }>;
  /** Stops accepting, aborts running statements, closes every connection; resolves when all are gone. */
  close(): Promise<void>;
  /** Authenticated connections, for SHOW PROCESSLIST. */
  connections(): ConnectionState[];
  /**
   * KILL QUERY (`queryOnly: true`): aborts the running statement's signal; the client gets ERR 1317.
   * KILL CONNECTION (`queryOnly: false`): also closes the connection. Returns false for an unknown id.
   */
  kill(connectionId: number, options: { queryOnly: boolean }): boolean;
  on<K extends keyof MysqlServerEvents>(event: K, listener: (payload: MysqlServerEvents[K]) => void): this;
  off<K extends keyof MysqlServerEvents>(event: K, listener: (payload: MysqlServerEvents[K]) => void): this;
  once<K extends keyof MysqlServerEvents>(event: K, listener: (payload: MysqlServerEvents[K]) => void): this;
}

class MysqlServerImpl extends EventEmitter implements MysqlServer {
  private readonly options: ResolvedMysqlServerOptions;
  private readonly secureContext: tls.SecureContext | null;
  private readonly server: net.Server;
  private readonly live = new Map<number, Connection>();
  private nextId = 1;
  private closing = false;

  constructor(options: MysqlServerOptions) {
    super();
    this.options = resolveOptions(options);
    this.secureContext = options.tls
      ? tls.createSecureContext({ cert: options.tls.cert, key: options.tls.key })
      : null;
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.on('error', () => {});
  }

  listen(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.removeListener('error', onError);
        resolve({ port: (this.server.address() as net.AddressInfo).port });
      });
    });
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => {});
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.live.size >= this.options.maxConnections) {
      // Refused before the greeting, as MySQL does: a lone ERR with sequence id 0.
      const w = new PacketWriter(256);
      writeErr(w, new LakecastError(CommonErrors.TOO_MANY_CONNECTIONS, 'Too many connections'));
      socket.end(w.take());
      this.emit('connection:rejected', { remoteAddress: socket.remoteAddress ?? 'unknown' });
      return;
    }
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const ctx: ConnectionContext = {
      options: this.options,
      secureContext: this.secureContext,
      emit: (event, payload) => {
        this.emit(event, payload);
      },
      closed: (conn) => {
        if (this.live.get(conn.id) === conn) {
          this.live.delete(conn.id);
          this.emit('connection:closed', { connectionId: conn.id });
        }
      },
    };
    const conn = new Connection(id, socket, ctx);
    this.live.set(id, conn);
    this.emit('connection:opened', { connectionId: id, remoteAddress: conn.remoteAddress });
    this.run(conn).catch(() => conn.destroy());
  }

  private async run(conn: Connection): Promise<void> {
    try {
      if (!(await runHandshake(conn))) return;
      const idle = {
        ms: this.options.waitTimeoutSeconds * 1000,
        error: new LakecastError(
          MysqlProtocolErrors.MYSQL_IDLE_TIMEOUT,
          'The client was disconnected by the server because of inactivity.',
        ),
      };
      while (!conn.closed && !conn.closeAfterCommand) {
        const packet = await conn.nextPacket(idle);
        if (!packet) break;
        // Every command starts a new sequence: the client's packet is 0, our first answer 1.
        conn.writer.seq = (packet.seq + 1) & 0xff;
        conn.writer.pos = 0;
        if ((await dispatchCommand(conn, packet.payload)) === 'close') break;
      }
    } finally {
      if (!conn.closed) {
        conn.socket.end();
        // Give the FIN (and any final ERR) a moment, then release everything.
        setTimeout(() => conn.destroy(), 50).unref();
      }
    }
  }

  connections(): ConnectionState[] {
    const out: ConnectionState[] = [];
    for (const conn of this.live.values()) {
      const s = conn.state();
      if (s) out.push(s);
    }
    return out;
  }

  kill(connectionId: number, options: { queryOnly: boolean }): boolean {
    const conn = this.live.get(connectionId);
    if (!conn) return false;
    conn.kill(options.queryOnly);
    return true;
  }

  close(): Promise<void> {
    this.closing = true;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.live.values()) {
      conn.abortStatement(new LakecastError(CommonErrors.UNAVAILABLE, 'Server shutdown in progress'));
      conn.destroy();
    }
    return serverClosed;
  }
}

/**
 * Creates a MySQL-protocol server (not yet listening). Defaults: maxConnections 151, maxPacketBytes 64 MiB,
 * serverVersion '8.0.36-Lakecast-0.1.0', waitTimeoutSeconds 28800; TLS only when `tls` is given.
 */
export function createMysqlServer(options: MysqlServerOptions): MysqlServer {
  return new MysqlServerImpl(options);
}
