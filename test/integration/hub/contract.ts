/**
 * The hub contract: one suite run against every back-end (embedded log under both durability policies, NATS
 * JetStream, and the HTTP client in front of each). Tests assert what the Hub interface promises and nothing
 * back-end specific: sequences are increasing per shard but not necessarily contiguous (NATS).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, HUB_LIMITS, type Hub, type HubRecord, shardForKey } from '../../../src/hub/index.js';
import { LakecastError } from '../../../src/shared/errors.js';

export interface HubHandle {
  readonly hub: Hub;
  /** Closes the hub and opens it again on the same storage (persistence checks). */
  reopen(): Promise<Hub>;
  cleanup(): Promise<void>;
}

export interface HubFactory {
  readonly name: string;
  /** Contiguous sequences from 0 per shard (embedded); NATS uses stream sequences. */
  readonly contiguous: boolean;
  open(): Promise<HubHandle>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function uniq(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

async function readAll(hub: Hub, p: string, t: string, shard: number): Promise<HubRecord[]> {
  let { cursor } = await hub.getCursor(p, t, shard, { type: 'OLDEST' });
  const out: HubRecord[] = [];
  for (;;) {
    const r = await hub.getRecords(p, t, shard, { cursor, limit: 1000 });
    out.push(...r.records);
    if (r.records.length === 0) return out;
    cursor = r.nextCursor;
  }
}

export function hubContract(factory: HubFactory): void {
  describe(`hub contract on ${factory.name}`, () => {
    let h: HubHandle;
    let hub: Hub;
    let project: string;

    beforeAll(async () => {
      h = await factory.open();
      hub = h.hub;
      project = uniq('p');
      await hub.createProject({ name: project, comment: 'contract' });
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it('projects - create, get, list, refuse duplicates and bad names, delete only when empty', async () => {
      const p = uniq('proj');
      const info = await hub.createProject({ name: p });
      expect(info.name).toBe(p);
      expect((await hub.getProject(p)).name).toBe(p);
      expect((await hub.listProjects()).map((x) => x.name)).toContain(p);
      await expect(hub.createProject({ name: p })).rejects.toMatchObject({ code: 'LC_HUB_PROJECT_EXISTS' });
      await expect(hub.createProject({ name: '1bad-name' })).rejects.toMatchObject({
        code: 'LC_HUB_INVALID_NAME',
      });
      await hub.createTopic(p, { name: 't', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
      await expect(hub.deleteProject(p)).rejects.toMatchObject({ code: 'LC_HUB_PROJECT_NOT_EMPTY' });
      await hub.deleteTopic(p, 't');
      await hub.deleteProject(p);
      await expect(hub.getProject(p)).rejects.toMatchObject({ code: 'LC_HUB_PROJECT_NOT_FOUND' });
    });

    it('topics - schema validation, shard stats, raise shard count, unknown names', async () => {
      await expect(
        hub.createTopic(project, { name: 'bad', shardCount: 1, lifecycleDays: 1, recordType: 'TUPLE' }),
      ).rejects.toMatchObject({ code: 'LC_HUB_INVALID_SCHEMA' });
      await expect(
        hub.createTopic(project, {
          name: 'bad',
          shardCount: 1,
          lifecycleDays: 1,
          recordType: 'TUPLE',
          schema: [{ name: 'a', type: 'INT' as 'BIGINT' }],
        }),
      ).rejects.toMatchObject({ code: 'LC_HUB_INVALID_SCHEMA' });
      await expect(
        hub.createTopic(project, { name: 'bad', shardCount: 0, lifecycleDays: 1, recordType: 'BLOB' }),
      ).rejects.toMatchObject({ code: 'LC_HUB_INVALID_SHARD_COUNT' });
      await expect(
        hub.createTopic(uniq('nope'), { name: 'x', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' }),
      ).rejects.toMatchObject({
        code: 'LC_HUB_PROJECT_NOT_FOUND',
      });
      const t = uniq('t');
      await hub.createTopic(project, {
        name: t,
        shardCount: 2,
        lifecycleDays: 3,
        recordType: 'BLOB',
        comment: 'c',
      });
      await expect(
        hub.createTopic(project, { name: t, shardCount: 2, lifecycleDays: 3, recordType: 'BLOB' }),
      ).rejects.toMatchObject({
        code: 'LC_HUB_TOPIC_EXISTS',
      });
      const info = await hub.getTopic(project, t);
      expect(info).toMatchObject({
        name: t,
        shardCount: 2,
        lifecycleDays: 3,
        recordType: 'BLOB',
        comment: 'c',
      });
      expect(info.shards).toHaveLength(2);
      expect(info.shards?.[0]).toMatchObject({ shardId: 0, records: 0 });
      expect((await hub.listTopics(project)).map((x) => x.name)).toContain(t);

      await hub.appendRecords(project, t, [{ data: enc.encode('old'), shardId: 1 }]);
      await expect(hub.updateTopic(project, t, { shardCount: 1 })).rejects.toMatchObject({
        code: 'LC_HUB_INVALID_SHARD_COUNT',
      });
      const up = await hub.updateTopic(project, t, { shardCount: 4 });
      expect(up.shardCount).toBe(4);
      const r = await hub.appendRecords(project, t, [{ data: enc.encode('new'), shardId: 3 }]);
      expect(r.results[0]).toMatchObject({ ok: true, shardId: 3 });
      // Old records stay readable after the resize.
      expect((await readAll(hub, project, t, 1)).map((x) => dec.decode(x.data as Uint8Array))).toEqual([
        'old',
      ]);
      expect((await readAll(hub, project, t, 3)).map((x) => dec.decode(x.data as Uint8Array))).toEqual([
        'new',
      ]);
      const stats = (await hub.getTopic(project, t)).shards ?? [];
      expect(stats.map((s) => s.records)).toEqual([0, 1, 0, 1]);
      expect(stats[0].lastSequence).toBeUndefined();
      expect(stats[3].lastSequence).toBe(r.results[0].ok ? r.results[0].sequence : -1);
      expect(stats[1].bytes).toBeGreaterThan(0);

      await expect(hub.getTopic(project, uniq('none'))).rejects.toMatchObject({
        code: 'LC_HUB_TOPIC_NOT_FOUND',
      });
      await expect(hub.getCursor(project, t, 9, { type: 'OLDEST' })).rejects.toMatchObject({
        code: 'LC_HUB_SHARD_NOT_FOUND',
      });
      await hub.deleteTopic(project, t);
      await expect(hub.getTopic(project, t)).rejects.toMatchObject({ code: 'LC_HUB_TOPIC_NOT_FOUND' });
    });

    it('records - TUPLE round trip with every type, attributes, keys and per-record errors', async () => {
      const t = uniq('tuple');
      await hub.createTopic(project, {
        name: t,
        shardCount: 3,
        lifecycleDays: 1,
        recordType: 'TUPLE',
        schema: [
          { name: 'id', type: 'BIGINT', nullable: false },
          { name: 'score', type: 'DOUBLE' },
          { name: 'ok', type: 'BOOLEAN' },
          { name: 'name', type: 'STRING' },
          { name: 'at', type: 'TIMESTAMP' },
          { name: 'price', type: 'DECIMAL' },
        ],
      });
      const res = await hub.appendRecords(project, t, [
        {
          data: ['9007199254740993', 1.5, true, 'ä', 1_700_000_000_000_000, '12.345'],
          partitionKey: 'user-1',
          attributes: { src: 'a' },
        },
        { data: { id: 2, name: 'two', at: '2024-01-02T03:04:05.006Z' }, shardId: 2 },
        { data: [null, 1, true, 'x', 1, '1'] },
        { data: { id: 'abc' } },
        { data: { id: 1, extra: 1 } },
        { data: enc.encode('bytes') },
      ]);
      expect(res.failedCount).toBe(4);
      expect(res.results.map((r) => r.ok)).toEqual([true, true, false, false, false, false]);
      const r0 = res.results[0];
      if (!r0.ok) throw new Error('unreachable');
      expect(r0.shardId).toBe(shardForKey('user-1', 3));
      const e2 = res.results[2];
      expect(e2.ok === false && e2.error.code).toBe('LC_HUB_RECORD_INVALID');

      const recs = await readAll(hub, project, t, r0.shardId);
      expect(recs).toHaveLength(1);
      expect(recs[0]).toMatchObject({
        shardId: r0.shardId,
        sequence: r0.sequence,
        partitionKey: 'user-1',
        attributes: { src: 'a' },
        data: {
          id: '9007199254740993',
          score: 1.5,
          ok: true,
          name: 'ä',
          at: 1_700_000_000_000_000,
          price: '12.345',
        },
      });
      expect(Math.abs(recs[0].systemTime - Date.now())).toBeLessThan(60_000);
      const two = await readAll(hub, project, t, 2);
      expect(two.at(-1)?.data).toEqual({
        id: '2',
        score: null,
        ok: null,
        name: 'two',
        at: 1704164645006000,
        price: null,
      });
    });

    it('records - limits: batch over 10,000 and request over 4 MiB write nothing; a record over 1 MiB fails alone', async () => {
      const t = uniq('lim');
      await hub.createTopic(project, { name: t, shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
      const small = { data: enc.encode('x'), shardId: 0 };
      await expect(
        hub.appendRecords(
          project,
          t,
          Array.from({ length: HUB_LIMITS.maxBatchRecords + 1 }, () => small),
        ),
      ).rejects.toMatchObject({ code: 'LC_HUB_BATCH_TOO_LARGE' });
      const mib = new Uint8Array(1024 * 1024 - 100);
      await expect(
        hub.appendRecords(
          project,
          t,
          Array.from({ length: 5 }, () => ({ data: mib, shardId: 0 })),
        ),
      ).rejects.toMatchObject({
        code: 'LC_HUB_REQUEST_TOO_LARGE',
      });
      const res = await hub.appendRecords(project, t, [
        small,
        { data: new Uint8Array(1024 * 1024 + 1), shardId: 0 },
        small,
      ]);
      expect(res.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
        'ok',
        'LC_HUB_RECORD_TOO_LARGE',
        'ok',
      ]);
      const recs = await readAll(hub, project, t, 0);
      expect(recs).toHaveLength(2);
      expect((await hub.getTopic(project, t)).shards?.[0].records).toBe(2);
    });

    it('reading - pages of at most 1,000 in order, exactly once, with next cursors', async () => {
      const t = uniq('pages');
      await hub.createTopic(project, { name: t, shardCount: 2, lifecycleDays: 1, recordType: 'BLOB' });
      const seqs: number[] = [];
      for (let b = 0; b < 3; b++) {
        const res = await hub.appendRecords(
          project,
          t,
          Array.from({ length: 900 }, (_, i) => ({ data: enc.encode(String(b * 900 + i)), shardId: 1 })),
        );
        for (const r of res.results) if (r.ok) seqs.push(r.sequence);
        await hub.appendRecords(project, t, [{ data: enc.encode('other'), shardId: 0 }]);
      }
      expect(seqs).toHaveLength(2700);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
      if (factory.contiguous) expect(seqs[0]).toBe(0);
      let { cursor } = await hub.getCursor(project, t, 1, { type: 'OLDEST' });
      const pages: number[] = [];
      const got: string[] = [];
      for (;;) {
        const r = await hub.getRecords(project, t, 1, { cursor, limit: 1000 });
        if (r.records.length === 0) break;
        pages.push(r.records.length);
        for (const rec of r.records) got.push(dec.decode(rec.data as Uint8Array));
        cursor = r.nextCursor;
      }
      expect(Math.max(...pages)).toBeLessThanOrEqual(1000);
      expect(got).toEqual(Array.from({ length: 2700 }, (_, i) => String(i)));
      await expect(hub.getRecords(project, t, 1, { cursor, limit: 1001 })).rejects.toMatchObject({
        code: 'LC_HUB_BAD_REQUEST',
      });
    });

    it('cursors - OLDEST, LATEST, SEQUENCE, SYSTEM_TIME; forged or foreign cursors are refused', async () => {
      const t = uniq('cur');
      await hub.createTopic(project, { name: t, shardCount: 2, lifecycleDays: 1, recordType: 'BLOB' });
      const empty = await hub.getCursor(project, t, 0, { type: 'LATEST' });
      expect((await hub.getRecords(project, t, 0, { cursor: empty.cursor })).records).toEqual([]);
      const a = await hub.appendRecords(
        project,
        t,
        [0, 1, 2].map((i) => ({ data: enc.encode(`a${i}`), shardId: 0 })),
      );
      await new Promise((r) => setTimeout(r, 30));
      const middle = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      const b = await hub.appendRecords(
        project,
        t,
        [0, 1].map((i) => ({ data: enc.encode(`b${i}`), shardId: 0 })),
      );
      const seqA = a.results.map((r) => (r.ok ? r.sequence : -1));
      const seqB = b.results.map((r) => (r.ok ? r.sequence : -1));

      const oldest = await hub.getCursor(project, t, 0, { type: 'OLDEST' });
      expect(oldest.sequence).toBe(seqA[0]);
      const latest = await hub.getCursor(project, t, 0, { type: 'LATEST' });
      expect(latest.sequence).toBe(seqB[1]);
      const lr = await hub.getRecords(project, t, 0, { cursor: latest.cursor });
      expect(lr.records.map((r) => dec.decode(r.data as Uint8Array))).toEqual(['b1']);
      const bySeq = await hub.getCursor(project, t, 0, { type: 'SEQUENCE', parameter: seqA[2] });
      const sr = await hub.getRecords(project, t, 0, { cursor: bySeq.cursor, limit: 2 });
      expect(sr.records.map((r) => dec.decode(r.data as Uint8Array))).toEqual(['a2', 'b0']);
      const byTime = await hub.getCursor(project, t, 0, { type: 'SYSTEM_TIME', parameter: middle });
      expect(byTime.sequence).toBe(seqB[0]);
      const future = await hub.getCursor(project, t, 0, {
        type: 'SYSTEM_TIME',
        parameter: Date.now() + 3_600_000,
      });
      expect((await hub.getRecords(project, t, 0, { cursor: future.cursor })).records).toEqual([]);

      await expect(hub.getCursor(project, t, 0, { type: 'SEQUENCE' })).rejects.toMatchObject({
        code: 'LC_HUB_BAD_REQUEST',
      });
      await expect(
        hub.getCursor(project, t, 0, { type: 'SEQUENCE', parameter: seqB[1] + 1000 }),
      ).rejects.toMatchObject({
        code: 'LC_HUB_CURSOR_INVALID',
      });
      await expect(hub.getCursor(project, t, 0, { type: 'NEWEST' as 'LATEST' })).rejects.toMatchObject({
        code: 'LC_HUB_BAD_REQUEST',
      });
      const raw = Buffer.from(oldest.cursor, 'base64url');
      raw[14] ^= 1;
      await expect(
        hub.getRecords(project, t, 0, { cursor: raw.toString('base64url') }),
      ).rejects.toMatchObject({
        code: 'LC_HUB_CURSOR_INVALID',
      });
      await expect(hub.getRecords(project, t, 0, { cursor: 'not-a-cursor' })).rejects.toMatchObject({
        code: 'LC_HUB_CURSOR_INVALID',
      });
      await expect(hub.getRecords(project, t, 1, { cursor: oldest.cursor })).rejects.toMatchObject({
        code: 'LC_HUB_CURSOR_INVALID',
      });
    });

    it('reading - a long poll returns as soon as a record arrives', async () => {
      const t = uniq('poll');
      await hub.createTopic(project, { name: t, shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
      const { cursor } = await hub.getCursor(project, t, 0, { type: 'LATEST' });
      const started = Date.now();
      const pending = hub.getRecords(project, t, 0, { cursor, waitMs: 10_000 });
      setTimeout(() => void hub.appendRecords(project, t, [{ data: enc.encode('wake'), shardId: 0 }]), 200);
      const r = await pending;
      expect(r.records.map((x) => dec.decode(x.data as Uint8Array))).toEqual(['wake']);
      expect(Date.now() - started).toBeLessThan(5000);
      const idle = Date.now();
      const none = await hub.getRecords(project, t, 0, { cursor: r.nextCursor, waitMs: 300 });
      expect(none.records).toEqual([]);
      expect(Date.now() - idle).toBeGreaterThanOrEqual(250);
    });

    it('subscriptions - commit, read back, survive a restart, refuse bad shards', async () => {
      const t = uniq('sub');
      await hub.createTopic(project, { name: t, shardCount: 2, lifecycleDays: 1, recordType: 'BLOB' });
      const sub = await hub.createSubscription(project, t, { name: 'app' });
      await expect(hub.createSubscription(project, t, { name: 'app' })).rejects.toMatchObject({
        code: 'LC_HUB_SUBSCRIPTION_EXISTS',
      });
      expect(await hub.getOffsets(project, t, sub.id)).toEqual([]);
      await hub.commitOffsets(project, t, sub.id, { offsets: [{ shardId: 1, nextSequence: 7 }] });
      await hub.commitOffsets(project, t, sub.id, { offsets: [{ shardId: 0, nextSequence: 3 }] });
      await expect(
        hub.commitOffsets(project, t, sub.id, { offsets: [{ shardId: 5, nextSequence: 3 }] }),
      ).rejects.toMatchObject({
        code: 'LC_HUB_SHARD_NOT_FOUND',
      });
      await expect(hub.getOffsets(project, t, 'nope')).rejects.toMatchObject({
        code: 'LC_HUB_SUBSCRIPTION_NOT_FOUND',
      });
      hub = await h.reopen();
      const offs = await hub.getOffsets(project, t, sub.id);
      expect(offs.map((o) => [o.shardId, o.nextSequence])).toEqual([
        [0, 3],
        [1, 7],
      ]);
      expect((await hub.listSubscriptions(project, t)).map((s) => s.name)).toEqual(['app']);
      await hub.deleteSubscription(project, t, sub.id);
      expect(await hub.listSubscriptions(project, t)).toEqual([]);
    });

    it('consume - group members resume from committed offsets and together read every new record', async () => {
      const t = uniq('cons');
      await hub.createTopic(project, { name: t, shardCount: 3, lifecycleDays: 1, recordType: 'BLOB' });
      const sub = await hub.createSubscription(project, t, { name: 'c' });
      const put = (from: number, n: number) =>
        hub.appendRecords(
          project,
          t,
          Array.from({ length: n }, (_, i) => ({
            data: enc.encode(String(from + i)),
            partitionKey: `k${from + i}`,
          })),
        );
      await put(0, 300);
      const first = new Set<string>();
      const ac1 = new AbortController();
      for await (const b of consume(hub, project, t, sub.id, {
        consumerId: 'solo',
        sessionTimeoutMs: 2000,
        waitMs: 100,
        signal: ac1.signal,
      })) {
        for (const r of b.records) first.add(dec.decode(r.data as Uint8Array));
        await b.commit();
        if (first.size === 300) ac1.abort();
      }
      expect(first.size).toBe(300);

      await put(300, 90);
      const seen: string[] = [];
      const ac = new AbortController();
      const stop = setTimeout(() => ac.abort(), 20_000);
      const run = async (id: string) => {
        for await (const b of consume(hub, project, t, sub.id, {
          consumerId: id,
          sessionTimeoutMs: 2000,
          waitMs: 100,
          signal: ac.signal,
        })) {
          for (const r of b.records) seen.push(dec.decode(r.data as Uint8Array));
          try {
            await b.commit();
          } catch (err) {
            // A rebalance fenced this batch: it will be delivered again from the committed offset.
            if (
              !(err instanceof LakecastError) ||
              !/STALE_GENERATION|NOT_ASSIGNED|CONSUMER_NOT_FOUND/.test(err.code)
            )
              throw err;
          }
          if (new Set(seen).size >= 90) ac.abort();
        }
      };
      await Promise.all([run('x'), run('y')]);
      clearTimeout(stop);
      const unique = new Set(seen);
      expect([...unique].sort()).toEqual(Array.from({ length: 90 }, (_, i) => String(300 + i)).sort());
    });

    it('groups - shards split across consumers, rebalance on join, leave and death, stale generation fenced', async () => {
      const t = uniq('grp');
      await hub.createTopic(project, { name: t, shardCount: 4, lifecycleDays: 1, recordType: 'BLOB' });
      const sub = await hub.createSubscription(project, t, { name: 'g' });
      const a1 = await hub.joinGroup(project, t, sub.id, { consumerId: 'a', sessionTimeoutMs: 60_000 });
      expect(a1.shards).toEqual([0, 1, 2, 3]);
      const b1 = await hub.joinGroup(project, t, sub.id, { consumerId: 'b', sessionTimeoutMs: 1000 });
      expect(b1.generation).toBeGreaterThan(a1.generation);
      expect(b1.shards).toEqual([2, 3]);
      const a2 = await hub.heartbeat(project, t, sub.id, 'a');
      expect(a2).toMatchObject({ generation: b1.generation, shards: [0, 1], members: 2 });
      // a's old generation can no longer commit; with the current one only its own shards.
      await expect(
        hub.commitOffsets(project, t, sub.id, {
          consumerId: 'a',
          generation: a1.generation,
          offsets: [{ shardId: 0, nextSequence: 1 }],
        }),
      ).rejects.toMatchObject({ code: 'LC_HUB_STALE_GENERATION' });
      await expect(
        hub.commitOffsets(project, t, sub.id, {
          consumerId: 'a',
          generation: a2.generation,
          offsets: [{ shardId: 2, nextSequence: 1 }],
        }),
      ).rejects.toMatchObject({ code: 'LC_HUB_SHARD_NOT_ASSIGNED' });
      await hub.commitOffsets(project, t, sub.id, {
        consumerId: 'a',
        generation: a2.generation,
        offsets: [{ shardId: 1, nextSequence: 1 }],
      });
      // b dies (stops heartbeating); after its 1 s session a gets everything back.
      await new Promise((r) => setTimeout(r, 1300));
      const a3 = await hub.heartbeat(project, t, sub.id, 'a');
      expect(a3.shards).toEqual([0, 1, 2, 3]);
      expect(a3.generation).toBeGreaterThan(a2.generation);
      await expect(hub.heartbeat(project, t, sub.id, 'b')).rejects.toMatchObject({
        code: 'LC_HUB_CONSUMER_NOT_FOUND',
      });
      const c = await hub.joinGroup(project, t, sub.id, { consumerId: 'c', sessionTimeoutMs: 60_000 });
      expect(c.shards).toEqual([2, 3]);
      await hub.leaveGroup(project, t, sub.id, 'c');
      const a4 = await hub.heartbeat(project, t, sub.id, 'a');
      expect(a4.shards).toEqual([0, 1, 2, 3]);
      expect(a4.generation).toBeGreaterThan(c.generation);
    });
  });
}
