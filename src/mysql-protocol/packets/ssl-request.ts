import type { PacketWriter } from '../codec/packet-writer.js';
import { Capability } from '../constants.js';

/** Length of an SSLRequest payload: the first 32 bytes of a HandshakeResponse41. */
export const SSL_REQUEST_LENGTH = 32;

/**
 * True when a connection-phase payload is an SSLRequest (a truncated handshake response with CLIENT_SSL).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_ssl_request.html
 */
export function isSslRequest(payload: Buffer): boolean {
  return payload.length === SSL_REQUEST_LENGTH && (payload.readUInt32LE(0) & Capability.SSL) !== 0;
}

/** Client capabilities announced in an SSLRequest. */
export function decodeSslRequest(payload: Buffer): {
  capabilities: number;
  maxPacketSize: number;
  charset: number;
} {
  return {
    capabilities: payload.readUInt32LE(0),
    maxPacketSize: payload.readUInt32LE(4),
    charset: payload[8],
  };
}

/** Writes an SSLRequest (test clients). */
export function writeSslRequest(w: PacketWriter, capabilities: number, charset = 45): void {
  w.begin();
  w.u32(capabilities | Capability.SSL);
  w.u32(0x1000000);
  w.u8(charset);
  w.zeros(23);
  w.end();
}
