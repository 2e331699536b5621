import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsHub, openNatsHub } from '../../../src/hub/index.js';
import { SERVICES, serviceAvailable } from '../../helpers/services.js';

const up = await serviceAvailable('nats');
const enc = new TextEncoder();

describe.skipIf(!up)('hub on NATS - two Lakecast servers share one NATS', () => {
  const prefix = `LCT_${randomBytes(4).toString('hex')}`;
  let a: NatsHub;
  let b: NatsHub;

  beforeAll(async () => {
    a = await openNatsHub({ url: SERVICES.nats.url, prefix, metadataTtlMs: 200 });
    b = await openNatsHub({ url: SERVICES.nats.url, prefix, metadataTtlMs: 200 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const nc = await connect({ servers: SERVICES.nats.url });
    const jsm = await jetstreamManager(nc);
    for await (const s of jsm.streams.names()) if (s.startsWith(`${prefix}_`)) await jsm.streams.delete(s);
    await nc.close();
  });

  it('metadata, cursors and offsets written through one server are seen by the other', async () => {
    await a.createProject({ name: 'shared' });
    await a.createTopic('shared', { name: 't', shardCount: 2, lifecycleDays: 1, recordType: 'BLOB' });
    expect((await b.getTopic('shared', 't')).shardCount).toBe(2);
    await b.appendRecords('shared', 't', [{ data: enc.encode('x'), shardId: 1 }]);
    const cur = await a.getCursor('shared', 't', 1, { type: 'OLDEST' });
    const r = await b.getRecords('shared', 't', 1, { cursor: cur.cursor });
    expect(r.records).toHaveLength(1);
    const sub = await a.createSubscription('shared', 't', { name: 's' });
    await b.commitOffsets('shared', 't', sub.id, { offsets: [{ shardId: 1, nextSequence: r.nextSequence }] });
    expect((await a.getOffsets('shared', 't', sub.id)).map((o) => o.nextSequence)).toEqual([r.nextSequence]);
    await a.updateTopic('shared', 't', { shardCount: 3 });
    await new Promise((res) => setTimeout(res, 300));
    const res = await b.appendRecords('shared', 't', [{ data: enc.encode('y'), shardId: 2 }]);
    expect(res.results[0].ok).toBe(true);
  });

  it('sequences - stream sequences: increasing per shard, with gaps where other shards wrote', async () => {
    await a.createTopic('shared', { name: 'seq', shardCount: 2, lifecycleDays: 1, recordType: 'BLOB' });
    const res = await a.appendRecords(
      'shared',
      'seq',
      [0, 1, 0, 1].map((s) => ({ data: enc.encode(String(s)), shardId: s })),
    );
    const seqs = res.results.map((r) => (r.ok ? r.sequence : -1));
    expect(seqs[0]).toBeGreaterThanOrEqual(1);
    expect(new Set(seqs).size).toBe(4);
    expect(seqs[2]).toBeGreaterThan(seqs[0]);
    expect(seqs[3]).toBeGreaterThan(seqs[1]);
  });
});
