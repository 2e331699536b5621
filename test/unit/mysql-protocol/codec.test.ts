import { describe, expect, it } from 'vitest';
import { PacketFramer } from '../../../src/mysql-protocol/codec/framer.js';
import { PacketWriter } from '../../../src/mysql-protocol/codec/packet-writer.js';
import { PayloadReader } from '../../../src/mysql-protocol/codec/payload-reader.js';

const MAX = 0xffffff;

function packet(payload: Buffer, seq: number): Buffer {
  const w = new PacketWriter(payload.length + 64);
  w.seq = seq;
  w.begin();
  w.bytes(payload);
  w.end();
  return w.take();
}

function collect(max = 1 << 30) {
  const got: { payload: Buffer; seq: number }[] = [];
  let tooLarge = -1;
  const framer = new PacketFramer(
    (payload, seq) => {
      got.push({ payload: Buffer.from(payload), seq });
      return true;
    },
    (seq) => {
      tooLarge = seq;
    },
    max,
  );
  return { framer, got, tooLarge: () => tooLarge };
}

describe('PacketWriter', () => {
  it('length-encoded integers - golden', () => {
    const w = new PacketWriter(8);
    for (const v of [0, 250, 251, 65535, 65536, 0xffffff, 0x1000000]) w.lenenc(v);
    expect(w.take().toString('hex')).toBe(
      '00' + 'fa' + 'fcfb00' + 'fcffff' + 'fd000001' + 'fdffffff' + 'fe0000000100000000',
    );
  });

  it('sequence ids wrap at 255', () => {
    const w = new PacketWriter(8);
    w.seq = 255;
    w.begin();
    w.end();
    w.begin();
    w.end();
    expect(w.take().toString('hex')).toBe('000000ff' + '00000000');
  });

  it('payload of exactly 0xFFFFFF bytes → full packet + trailing empty packet', () => {
    const w = new PacketWriter(16);
    w.seq = 1;
    w.begin();
    w.zeros(MAX);
    w.end();
    const out = w.take();
    expect(out.length).toBe(MAX + 8);
    expect(out.subarray(0, 4).toString('hex')).toBe('ffffff01');
    expect(out.subarray(MAX + 4).toString('hex')).toBe('00000002');
    expect(w.seq).toBe(3);
  });

  it('payload above 0xFFFFFF → split and reassembled by the framer', () => {
    const payload = Buffer.alloc(MAX + 10);
    for (let i = 0; i < payload.length; i += 4096) payload[i] = i & 0xff;
    const bytes = packet(payload, 3);
    expect(bytes.subarray(MAX + 4, MAX + 8).toString('hex')).toBe('0a000004');
    const { framer, got } = collect();
    for (let off = 0; off < bytes.length; off += 65_521) framer.push(bytes.subarray(off, off + 65_521));
    expect(got).toHaveLength(1);
    expect(got[0].seq).toBe(4);
    expect(got[0].payload.equals(payload)).toBe(true);
  });

  it('abort() drops a half-written packet', () => {
    const w = new PacketWriter(8);
    w.begin();
    w.u8(1);
    w.end();
    w.begin();
    w.u32(5);
    w.abort();
    expect(w.take().toString('hex')).toBe('0100000001');
  });
});

describe('PacketFramer', () => {
  it('splits packets across arbitrary chunk boundaries (byte by byte)', () => {
    const bytes = Buffer.concat([
      packet(Buffer.from('abc'), 0),
      packet(Buffer.alloc(0), 1),
      packet(Buffer.from('de'), 2),
    ]);
    const { framer, got } = collect();
    for (const b of bytes) framer.push(Buffer.from([b]));
    expect(got.map((p) => [p.payload.toString(), p.seq])).toEqual([
      ['abc', 0],
      ['', 1],
      ['de', 2],
    ]);
  });

  it('a header announcing more than the limit is refused at once, nothing buffered', () => {
    const { framer, got, tooLarge } = collect(1024);
    framer.push(Buffer.from('ffffff00', 'hex'));
    expect(tooLarge()).toBe(0);
    framer.push(Buffer.alloc(100));
    expect(got).toHaveLength(0);
  });

  it('stop() keeps the unread remainder (TLS ClientHello after SSLRequest)', () => {
    const bytes = Buffer.concat([packet(Buffer.from('x'), 1), Buffer.from('16030100', 'hex')]);
    const framer = new PacketFramer(
      () => false,
      () => {},
      1024,
    );
    framer.push(bytes);
    expect(framer.remainder.toString('hex')).toBe('16030100');
  });
});

describe('PayloadReader', () => {
  it('reads past the end → ER_MALFORMED_PACKET', () => {
    const r = new PayloadReader(Buffer.from([0xfc, 0x01]));
    expect(() => r.lenenc()).toThrow(expect.objectContaining({ errno: 1835 }));
  });
});
