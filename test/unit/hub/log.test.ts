import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CursorCodec } from '../../../src/hub/cursor.js';
import { openEmbeddedHub } from '../../../src/hub/index.js';
import { crc32c } from '../../../src/hub/log/crc32c.js';
import { FdPool } from '../../../src/hub/log/fd-pool.js';
import { encodeFrame } from '../../../src/hub/log/frame.js';
import { ShardLog, type ShardLogOptions } from '../../../src/hub/log/shard-log.js';
import { fnv1a32, shardForKey } from '../../../src/hub/model/partition.js';
import { tempDir } from '../../helpers/tmp.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(): string {
  const t = tempDir('lakecast-hublog-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function shardOpts(dir: string, extra: Partial<ShardLogOptions> = {}): ShardLogOptions {
  return {
    dir,
    pool: new FdPool(8),
    durability: { mode: 'batch' },
    segmentBytes: 1 << 20,
    segmentMs: 3_600_000,
    indexIntervalBytes: 256,
    clock: Date.now,
    verifyOnOpen: 'tail',
    ...extra,
  };
}

const rec = (s: string) => ({ data: enc.encode(s) });

describe('hub log - checksums and hashing', () => {
  it('crc32c - matches the RFC 3720 check value and is incremental', () => {
    expect(crc32c(enc.encode('123456789'))).toBe(0xe3069283);
    const buf = enc.encode('hello, world: some longer text to exercise the 8-byte loop');
    expect(crc32c(buf, 10, buf.length, crc32c(buf, 0, 10))).toBe(crc32c(buf));
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('crc32c - the word-at-a-time path equals a bytewise reference at any alignment and length', () => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    const ref = (b: Uint8Array, s: number, e: number) => {
      let c = ~0 >>> 0;
      for (let i = s; i < e; i++) c = table[(c ^ b[i]) & 0xff] ^ (c >>> 8);
      return ~c >>> 0;
    };
    const big = new Uint8Array(3000).map((_, i) => (i * 7919 + 13) & 0xff);
    for (let off = 0; off < 9; off++) {
      const view = big.subarray(off);
      for (const [s, e] of [
        [0, 0],
        [1, 63],
        [0, 64],
        [3, 200],
        [5, 2990 - off],
      ]) {
        expect(crc32c(view, s, e)).toBe(ref(view, s, e));
      }
    }
  });

  it('partition keys - FNV-1a 32 (documented reference values) mod shard count', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(shardForKey('foobar', 7)).toBe(0xbf9cf968 % 7);
  });

  it('cursors - round trip; tampering, other topics and other secrets are refused', () => {
    const c = new CursorCodec(Buffer.alloc(32, 1));
    const tok = c.encode('00112233aabbccdd', 3, 12345);
    expect(c.decode(tok, '00112233aabbccdd', 3)).toEqual({ shardId: 3, sequence: 12345 });
    expect(() => c.decode(tok, '00112233aabbccde', 3)).toThrow(/another topic/);
    expect(() => c.decode(tok, '00112233aabbccdd', 2)).toThrow(/shard 3/);
    expect(() => new CursorCodec(Buffer.alloc(32, 2)).decode(tok, '00112233aabbccdd', 3)).toThrow(
      /signature/,
    );
    expect(() => c.decode(`${tok}A`, '00112233aabbccdd', 3)).toThrow(/malformed/);
  });
});

describe('hub log - segments', () => {
  it('append and read - sequences from 0, across many segments, from any position', async () => {
    const dir = tmp();
    const log = await ShardLog.open(shardOpts(dir, { segmentBytes: 4096 }));
    for (let b = 0; b < 50; b++) {
      const base = await log.append(Array.from({ length: 20 }, (_, i) => rec(`r${b * 20 + i}`)));
      expect(base).toBe(b * 20);
    }
    expect(log.segmentCount).toBeGreaterThan(3);
    expect(log.nextSequence).toBe(1000);
    for (const from of [0, 1, 19, 20, 333, 999]) {
      const got = await log.read(from, 100);
      expect(got[0].sequence).toBe(from);
      expect(dec.decode(got[0].data)).toBe(`r${from}`);
      expect(got.map((r) => r.sequence)).toEqual(
        Array.from({ length: Math.min(100, 1000 - from) }, (_, i) => from + i),
      );
    }
    await log.close();
    // Reopen: sealed segments come back from their index files, the tail from a scan.
    const again = await ShardLog.open(shardOpts(dir, { segmentBytes: 4096 }));
    expect(again.nextSequence).toBe(1000);
    expect(dec.decode((await again.read(777, 1))[0].data)).toBe('r777');
    expect(await again.append([rec('next')])).toBe(1000);
    await again.close();
  });

  it('recovery - a torn tail (segment cut mid-batch) is truncated to the last whole batch', async () => {
    const dir = tmp();
    const log = await ShardLog.open(shardOpts(dir));
    await log.append([rec('a'), rec('b')]);
    await log.append([rec('c'), rec('d'), rec('e')]);
    await log.close();
    const file = path.join(dir, `${'0'.padStart(20, '0')}.log`);
    const size = (await fsp.stat(file)).size;
    await fsp.truncate(file, size - 5);
    const seen: number[] = [];
    const again = await ShardLog.open(
      shardOpts(dir, { onRecover: (i) => seen.push(i.validSize, i.fileSize) }),
    );
    expect(again.nextSequence).toBe(2);
    expect(seen[1]).toBe(size - 5);
    expect((await again.read(0, 10)).map((r) => dec.decode(r.data))).toEqual(['a', 'b']);
    expect(await again.append([rec('f')])).toBe(2);
    expect((await again.read(0, 10)).map((r) => dec.decode(r.data))).toEqual(['a', 'b', 'f']);
    await again.close();
  });

  it('recovery - a batch with a bad CRC at the tail is dropped, garbage after it too', async () => {
    const dir = tmp();
    const log = await ShardLog.open(shardOpts(dir));
    await log.append([rec('keep')]);
    await log.append([rec('flip')]);
    await log.close();
    const file = path.join(dir, `${'0'.padStart(20, '0')}.log`);
    const buf = await fsp.readFile(file);
    buf[buf.length - 8] ^= 0xff; // inside the second batch's payload
    await fsp.writeFile(file, Buffer.concat([buf, Buffer.from('garbage')]));
    const again = await ShardLog.open(shardOpts(dir));
    expect(again.nextSequence).toBe(1);
    expect((await again.read(0, 10)).map((r) => dec.decode(r.data))).toEqual(['keep']);
    await again.close();
  });

  it('reading - corruption inside a sealed segment is reported as LC_HUB_CORRUPT, not returned', async () => {
    const dir = tmp();
    const log = await ShardLog.open(shardOpts(dir, { segmentBytes: 4096 }));
    for (let i = 0; i < 100; i++) await log.append([rec(`payload-${i}`.padEnd(100, '.'))]);
    expect(log.segmentCount).toBeGreaterThan(1);
    await log.close();
    const file = path.join(dir, `${'0'.padStart(20, '0')}.log`);
    const buf = await fsp.readFile(file);
    buf[200] ^= 0xff;
    await fsp.writeFile(file, buf);
    const fresh = await ShardLog.open(shardOpts(dir, { segmentBytes: 4096 }));
    await expect(fresh.read(0, 10)).rejects.toMatchObject({ code: 'LC_HUB_CORRUPT' });
    await fresh.close();
    // verifyOnOpen 'all' finds it at start: corruption in the middle of a sealed segment refuses to open.
    await expect(
      ShardLog.open(shardOpts(dir, { segmentBytes: 4096, verifyOnOpen: 'all' })),
    ).rejects.toMatchObject({
      code: 'LC_HUB_CORRUPT',
    });
  });

  it('frames - encoding is deterministic and CRC-protected', () => {
    const f = encodeFrame([{ data: enc.encode('x'), partitionKey: 'k', attributes: '{"a":"b"}' }], 5, 1000);
    expect(f.readUInt32LE(0)).toBe(f.length);
    expect(f.readUInt32LE(4)).toBe(crc32c(f, 8, f.length));
  });

  it('retention - deletes whole segments older than the lifecycle, keeps numbering (controllable clock)', async () => {
    const dir = tmp();
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    const hub = await openEmbeddedHub({ dir, clock, retentionCheckMs: 0, segmentMs: 3_600_000 });
    cleanups.push(() => hub.close());
    await hub.createProject({ name: 'p' });
    await hub.createTopic('p', { name: 't', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
    const day = 86_400_000;
    for (let h = 0; h < 30; h++) {
      await hub.appendRecords('p', 't', [{ data: enc.encode(`h${h}`), shardId: 0 }]);
      now += 3_600_000;
    }
    const oldCursor = await hub.getCursor('p', 't', 0, { type: 'OLDEST' });
    expect(oldCursor.sequence).toBe(0);
    // now = start + 30 h; records older than 24 h (hours 0..5) go, segment by segment.
    expect(await hub.runRetention()).toBe(6);
    const stats = (await hub.getTopic('p', 't')).shards?.[0];
    expect(stats).toMatchObject({ firstSequence: 6, nextSequence: 30, records: 24 });
    await expect(hub.getRecords('p', 't', 0, { cursor: oldCursor.cursor })).rejects.toMatchObject({
      code: 'LC_HUB_CURSOR_EXPIRED',
    });
    await expect(hub.getCursor('p', 't', 0, { type: 'SEQUENCE', parameter: 2 })).rejects.toMatchObject({
      code: 'LC_HUB_CURSOR_EXPIRED',
    });
    const oldest = await hub.getCursor('p', 't', 0, { type: 'OLDEST' });
    const r = await hub.getRecords('p', 't', 0, { cursor: oldest.cursor, limit: 2 });
    expect(r.records.map((x) => dec.decode(x.data as Uint8Array))).toEqual(['h6', 'h7']);
    // Everything expires: the shard is empty but the next sequence continues.
    now += 10 * day;
    await hub.runRetention();
    expect((await hub.getTopic('p', 't')).shards?.[0]).toMatchObject({
      firstSequence: 30,
      nextSequence: 30,
      records: 0,
    });
    const res = await hub.appendRecords('p', 't', [{ data: enc.encode('later'), shardId: 0 }]);
    expect(res.results[0]).toMatchObject({ ok: true, sequence: 30 });
  });

  it('directory lock - a second opener is refused; a lock left by a dead process is taken over', async () => {
    const dir = tmp();
    const hub = await openEmbeddedHub({ dir, retentionCheckMs: 0 });
    await expect(openEmbeddedHub({ dir, retentionCheckMs: 0 })).rejects.toMatchObject({
      code: 'LC_HUB_BACKEND_UNAVAILABLE',
    });
    await hub.close();
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await fsp.writeFile(path.join(dir, 'hub.lock'), String(dead)); // an older version's lock: pid only
    const again = await openEmbeddedHub({ dir, retentionCheckMs: 0 });
    expect(await fsp.readFile(path.join(dir, 'hub.lock'), 'utf8')).toBe(`${process.pid} ${os.hostname()}`);
    await again.close();
    await expect(fsp.stat(path.join(dir, 'hub.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    await fsp.writeFile(path.join(dir, 'hub.lock'), `${dead} ${os.hostname()}`);
    await (await openEmbeddedHub({ dir, retentionCheckMs: 0 })).close();
  });

  it('directory lock - a lock of another host is never taken over, whatever its pid', async () => {
    const dir = tmp();
    await (await openEmbeddedHub({ dir, retentionCheckMs: 0 })).close();
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await fsp.writeFile(path.join(dir, 'hub.lock'), `${dead} some-other-host`);
    const err = await openEmbeddedHub({ dir, retentionCheckMs: 0 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'LC_HUB_BACKEND_UNAVAILABLE' });
    expect(String(err.message)).toContain('on host some-other-host');
    expect(await fsp.readFile(path.join(dir, 'hub.lock'), 'utf8')).toBe(`${dead} some-other-host`);
  });

  it('file descriptors - many topics × shards stay under the open-file bound', async () => {
    const dir = tmp();
    const hub = await openEmbeddedHub({
      dir,
      maxOpenFiles: 8,
      retentionCheckMs: 0,
      durability: { mode: 'interval', intervalMs: 1000 },
    });
    cleanups.push(() => hub.close());
    await hub.createProject({ name: 'p' });
    for (let t = 0; t < 10; t++) {
      await hub.createTopic('p', { name: `t${t}`, shardCount: 8, lifecycleDays: 1, recordType: 'BLOB' });
      await hub.appendRecords(
        'p',
        `t${t}`,
        Array.from({ length: 8 }, (_, s) => ({ data: enc.encode(`${t}/${s}`), shardId: s })),
      );
      expect(hub.openFiles).toBeLessThanOrEqual(8);
    }
    for (let t = 0; t < 10; t++) {
      for (let s = 0; s < 8; s++) {
        const c = await hub.getCursor('p', `t${t}`, s, { type: 'OLDEST' });
        const r = await hub.getRecords('p', `t${t}`, s, { cursor: c.cursor });
        expect(dec.decode(r.records[0].data as Uint8Array)).toBe(`${t}/${s}`);
      }
    }
    expect(hub.openFiles).toBeLessThanOrEqual(8);
  });
});
