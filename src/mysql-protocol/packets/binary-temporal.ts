import type { PacketWriter } from '../codec/packet-writer.js';

const DATETIME_RE = /^(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?)?/;
const TIME_RE = /^(-)?(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?/;

const micros = (frac: string | undefined): number => (frac ? Number(frac.slice(0, 6).padEnd(6, '0')) : 0);

/** Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` (a trailing zone offset is ignored) into its parts. */
export function parseDateTime(s: string): number[] | null {
  const m = DATETIME_RE.exec(s);
  if (!m) return null;
  return [+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), micros(m[7])];
}

/** Binary DATE: length 4, year(2) month day; unparsable or out-of-range values are sent as 0000-00-00. */
export function writeBinaryDate(w: PacketWriter, s: string): void {
  const p = parseDateTime(s);
  w.ensure(5);
  if (!p) {
    w.buf[w.pos++] = 0;
    return;
  }
  w.buf[w.pos] = 4;
  w.buf.writeUInt16LE(p[0], w.pos + 1);
  w.buf[w.pos + 3] = p[1];
  w.buf[w.pos + 4] = p[2];
  w.pos += 5;
}

/** Binary DATETIME: length 0, 4, 7 or 11 (with microseconds). */
export function writeBinaryDateTime(w: PacketWriter, s: string): void {
  const p = parseDateTime(s);
  w.ensure(12);
  if (!p) {
    w.buf[w.pos++] = 0;
    return;
  }
  const len = p[6] ? 11 : p[3] || p[4] || p[5] ? 7 : 4;
  const b = w.buf;
  const o = w.pos;
  b[o] = len;
  b.writeUInt16LE(p[0], o + 1);
  b[o + 3] = p[1];
  b[o + 4] = p[2];
  if (len >= 7) {
    b[o + 5] = p[3];
    b[o + 6] = p[4];
    b[o + 7] = p[5];
  }
  if (len === 11) b.writeUInt32LE(p[6], o + 8);
  w.pos = o + 1 + len;
}

/** Binary TIME: length 0, 8 or 12: negative flag, days(4), hours, minutes, seconds[, microseconds(4)]. */
export function writeBinaryTime(w: PacketWriter, s: string): void {
  const m = TIME_RE.exec(s);
  w.ensure(13);
  if (!m) {
    w.buf[w.pos++] = 0;
    return;
  }
  const hours = +m[2];
  const us = micros(m[5]);
  const zero = hours === 0 && +m[3] === 0 && +m[4] === 0 && us === 0;
  if (zero) {
    w.buf[w.pos++] = 0;
    return;
  }
  const len = us ? 12 : 8;
  const b = w.buf;
  const o = w.pos;
  b[o] = len;
  b[o + 1] = m[1] ? 1 : 0;
  b.writeUInt32LE(Math.floor(hours / 24), o + 2);
  b[o + 6] = hours % 24;
  b[o + 7] = +m[3];
  b[o + 8] = +m[4];
  if (len === 12) b.writeUInt32LE(us, o + 9);
  w.pos = o + 1 + len;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Decodes a binary DATE/DATETIME/TIMESTAMP value body (after its length byte) into text. */
export function decodeBinaryDateTime(b: Buffer, dateOnly: boolean): string {
  if (b.length === 0) return dateOnly ? '0000-00-00' : '0000-00-00 00:00:00';
  const date = `${pad(b.readUInt16LE(0), 4)}-${pad(b[2])}-${pad(b[3])}`;
  if (dateOnly) return date;
  const time = b.length >= 7 ? `${pad(b[4])}:${pad(b[5])}:${pad(b[6])}` : '00:00:00';
  const us = b.length >= 11 ? b.readUInt32LE(7) : 0;
  return `${date} ${time}${us ? `.${pad(us, 6)}` : ''}`;
}

/** Decodes a binary TIME value body (after its length byte) into `[-]HH:MM:SS[.ffffff]`. */
export function decodeBinaryTime(b: Buffer): string {
  if (b.length === 0) return '00:00:00';
  const hours = b.readUInt32LE(1) * 24 + b[5];
  const us = b.length >= 12 ? b.readUInt32LE(8) : 0;
  const frac = us ? `.${pad(us, 6)}` : '';
  return `${b[0] ? '-' : ''}${pad(hours)}:${pad(b[6])}:${pad(b[7])}${frac}`;
}
