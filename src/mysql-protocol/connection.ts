import { getEventListeners } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import { CommonErrors, LakecastError, toLakecastError } from '../shared/index.js';
import { PacketFramer } from './codec/framer.js';
import { PacketWriter } from './codec/packet-writer.js';
import type { ConnectionContext, Packet, PreparedStatement } from './connection-types.js';
import { Capability, ServerStatus } from './constants.js';
import { MysqlProtocolErrors } from './errors.js';
import { writeEof } from './packets/eof.js';
import { writeErr } from './packets/err.js';
import { writeOk } from './packets/ok.js';
import { isSslRequest } from './packets/ssl-request.js';
import type { ConnectionInfo, ConnectionState, ProtocolSession } from './types.js';

/** Inbox length above which the socket is paused (a client flooding commands cannot grow memory). */
const INBOX_HIGH_WATER = 32;

/**
 * What {@link Connection.write} and {@link Connection.flush} answer when there is nothing to wait for (the
 * socket took the bytes): callers that would race the wait against an abort may skip it.
 */
export const WRITTEN: Promise<void> = Promise.resolve();

/**
 * The transport half of one client connection: framing, sequence ids, buffered writes with backpressure,
 * TLS upgrade, statement abort and lifecycle. The connection phase lives in handshake.ts, commands in
 * commands/*.ts.
 */
export class Connection {
  socket: net.Socket;
  readonly writer = new PacketWriter();
  framer: PacketFramer;
  clientCapabilities = 0;
  statusFlags: number = ServerStatus.AUTOCOMMIT;
  phase: 'handshake' | 'command' = 'handshake';
  closed = false;
  tls = false;
  info: ConnectionInfo | null = null;
  /** Scramble of the greeting (COM_CHANGE_USER responses are computed with it). */
  scramble: Buffer = Buffer.alloc(20);
  session: ProtocolSession | null = null;
  readonly statements = new Map<number, PreparedStatement>();
  nextStatementId = 1;
  command: ConnectionState['command'] = 'Sleep';
  currentSql: string | null = null;
  readonly startedAt = new Date();
  commandStartedAt = new Date();
  /** Set by kill(queryOnly: false) while a statement runs: close once it has answered. */
  closeAfterCommand = false;
  readonly remoteAddress: string;
  private inbox: Packet[] = [];
  private waiter: ((p: Packet | null) => void) | null = null;
  private current: AbortController | null = null;
  /** The last statement's controller, unused and never aborted (see {@link endStatement}). */
  private spare: AbortController | null = null;

  constructor(
    readonly id: number,
    readonly raw: net.Socket,
    readonly ctx: ConnectionContext,
  ) {
    this.socket = raw;
    this.remoteAddress = (raw.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    this.framer = this.newFramer();
    raw.setNoDelay(true);
    raw.on('data', this.onData);
    raw.on('error', () => this.destroy());
    raw.on('close', () => this.destroy());
  }

  /** True when the client asked for OK packets instead of EOF packets (CLIENT_DEPRECATE_EOF). */
  get deprecateEof(): boolean {
    return (this.clientCapabilities & Capability.DEPRECATE_EOF) !== 0;
  }

  private newFramer(): PacketFramer {
    const limit =
      this.phase === 'handshake' ? Math.min(64 * 1024, this.ctx.options.maxPacketBytes) : undefined;
    return new PacketFramer(
      (payload, seq) => this.onPacket(payload, seq),
      (seq) => this.onTooLarge(seq),
      limit ?? this.ctx.options.maxPacketBytes,
    );
  }

  private tlsRequested = false;

  private onData = (chunk: Buffer): void => {
    this.framer.push(chunk);
    if (this.tlsRequested && !this.tls && this.ctx.secureContext) this.upgradeTls(this.ctx.secureContext);
  };

  private onPacket(payload: Buffer, seq: number): boolean {
    if (this.phase === 'handshake' && !this.tls && this.ctx.secureContext && isSslRequest(payload)) {
      this.clientCapabilities = payload.readUInt32LE(0);
      this.tlsRequested = true;
      return false;
    }
    const packet = { payload, seq };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(packet);
    } else {
      this.inbox.push(packet);
      if (this.inbox.length >= INBOX_HIGH_WATER) this.socket.pause();
    }
    return true;
  }

  // After SSLRequest the client starts a TLS handshake on the same socket; bytes already received after the
  // request (the ClientHello) are unshifted so the TLS layer reads them first.
  private upgradeTls(secureContext: tls.SecureContext): void {
    const rest = this.framer.remainder;
    this.raw.removeListener('data', this.onData);
    this.raw.pause();
    if (rest.length > 0) this.raw.unshift(rest);
    const secure = new tls.TLSSocket(this.raw, { isServer: true, secureContext });
    secure.on('error', () => this.destroy());
    secure.on('close', () => this.destroy());
    this.tls = true;
    this.socket = secure;
    this.framer = this.newFramer();
    secure.on('data', this.onData);
  }

  /** Raises the packet limit from the pre-auth 64 KiB to maxPacketBytes. */
  enterCommandPhase(): void {
    this.phase = 'command';
    this.framer.maxPayload = this.ctx.options.maxPacketBytes;
  }

  private onTooLarge(seq: number): void {
    const err = new LakecastError(
      MysqlProtocolErrors.MYSQL_PACKET_TOO_LARGE,
      "Got a packet bigger than 'max_allowed_packet' bytes",
    );
    if (this.current) {
      this.abortStatement(err);
      this.destroy();
      return;
    }
    this.writer.pos = 0;
    this.writer.seq = (seq + 1) & 0xff;
    this.sendErrorAndClose(err);
  }

  /** Writes an ERR packet (with the writer's current sequence id) and ends the connection. */
  sendErrorAndClose(err: LakecastError): void {
    writeErr(this.writer, err);
    if (!this.closed) this.socket.end(this.writer.take());
    this.inbox = [];
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
  }

  /**
   * Next packet from the client, or null once the connection is closed. With `timeout`, a client silent for
   * `timeout.ms` gets `timeout.error` as ERR packet and is disconnected (wait_timeout, connect_timeout).
   */
  nextPacket(timeout?: { ms: number; error: LakecastError }): Promise<Packet | null> {
    const p = this.inbox.shift();
    if (p) {
      if (this.inbox.length < INBOX_HIGH_WATER / 2 && this.socket.isPaused()) this.socket.resume();
      return Promise.resolve(p);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeout && timeout.ms > 0) {
        timer = setTimeout(() => {
          this.waiter = null;
          this.writer.pos = 0;
          this.writer.seq = 0;
          this.sendErrorAndClose(timeout.error);
          resolve(null);
        }, timeout.ms);
        timer.unref?.();
      }
      this.waiter = (packet) => {
        if (timer) clearTimeout(timer);
        resolve(packet);
      };
    });
  }

  /** The socket is corked until the end of the current tick (see {@link write}). */
  private corked = false;

  /**
   * Writes bytes; resolves when the socket can take more (after 'drain') or the connection closed.
   *
   * Writes issued before the current tick ends (the continuations of one command's promise chain: a result
   * set's rows, then its terminator) go out together in one syscall: the socket is corked at the first write
   * and uncorked on `process.nextTick`, which runs once the microtask queue has drained. A result that waits
   * for I/O between writes (an engine batch) is still sent at once, as the tick ends while it waits; the
   * socket's own high-water mark still applies while corked (write answers false → wait for 'drain').
   */
  write(buf: Buffer): Promise<void> {
    if (this.closed || buf.length === 0) return WRITTEN;
    if (!this.corked) {
      this.corked = true;
      const socket = this.socket;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    if (this.socket.write(buf)) return WRITTEN;
    return new Promise((resolve) => {
      const socket = this.socket;
      // net_write_timeout: a client that stops reading for this long is disconnected.
      const timer = setTimeout(() => this.destroy(), this.ctx.options.netWriteTimeoutSeconds * 1000);
      timer.unref?.();
      const done = (): void => {
        clearTimeout(timer);
        socket.removeListener('drain', done);
        socket.removeListener('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /** Sends everything encoded in the writer. */
  flush(): Promise<void> {
    if (this.writer.length === 0) return WRITTEN;
    return this.write(this.writer.take());
  }

  /** Encodes an ERR packet for any error (non-Lakecast errors become 1105 'internal error'). */
  writeError(err: unknown): void {
    writeErr(this.writer, toLakecastError(err));
  }

  /** Encodes an OK packet with the connection's status flags. */
  writeOk(
    fields: { affectedRows?: number; lastInsertId?: number; warnings?: number; info?: string } = {},
  ): void {
    writeOk(this.writer, { ...fields, statusFlags: this.statusFlags });
  }

  /** Encodes the end of a result set: EOF, or OK with header 0xFE under CLIENT_DEPRECATE_EOF. */
  writeResultTerminator(): void {
    if (this.deprecateEof) writeOk(this.writer, { statusFlags: this.statusFlags }, 0xfe);
    else writeEof(this.writer, this.statusFlags);
  }

  /** Marks a statement as running; its signal aborts on kill or disconnect. */
  beginStatement(command: ConnectionState['command'], sql: string): AbortSignal {
    this.current = this.spare ?? new AbortController();
    this.spare = null;
    this.command = command;
    this.currentSql = sql;
    this.commandStartedAt = new Date();
    return this.current.signal;
  }

  endStatement(): void {
    const c = this.current;
    // Creating an AbortSignal costs several µs (an EventTarget); the next statement reuses this one when nothing
    // can hear it any more: not aborted and no 'abort' listener left (a producer still being stopped keeps
    // its listener, and then the next statement gets a fresh controller).
    this.spare = c && !c.signal.aborted && getEventListeners(c.signal, 'abort').length === 0 ? c : null;
    this.current = null;
    this.command = 'Sleep';
    this.currentSql = null;
    this.commandStartedAt = new Date();
  }

  /** Aborts the running statement, if any. */
  abortStatement(reason: unknown): boolean {
    if (!this.current || this.current.signal.aborted) return false;
    this.current.abort(reason);
    return true;
  }

  /** KILL [QUERY]: aborts the running statement (ERR 1317); without queryOnly also closes the connection. */
  kill(queryOnly: boolean): void {
    const running = this.abortStatement(
      new LakecastError(CommonErrors.CANCELLED, 'Query execution was interrupted'),
    );
    if (queryOnly) return;
    if (running) {
      this.closeAfterCommand = true;
      setTimeout(() => this.destroy(), 1000).unref();
    } else this.socket.end();
  }

  /** Tears the connection down once: aborts the statement, wakes waiters, closes the session. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.abortStatement(new LakecastError(CommonErrors.CANCELLED, 'client disconnected'));
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
    this.inbox = [];
    this.socket.destroy();
    if (this.socket !== this.raw) this.raw.destroy();
    const session = this.session;
    this.session = null;
    if (session) session.close().catch(() => {});
    this.ctx.closed(this);
  }

  /** Snapshot for SHOW PROCESSLIST. */
  state(): ConnectionState | null {
    if (!this.info) return null;
    return {
      ...this.info,
      command: this.command,
      currentSql: this.currentSql,
      startedAt: this.startedAt,
      commandStartedAt: this.commandStartedAt,
    };
  }
}

export type { ConnectionContext, Packet, PreparedStatement } from './connection-types.js';
