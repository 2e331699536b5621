import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelRegistry, defineChannel } from '../../../src/receipts/index.js';
import { SecretBox } from '../../../src/shared/index.js';
import type { SessionContext } from '../../../src/sql/types.js';
import { type Harness, startHarness, startReceiver } from './harness.js';

const BOB: SessionContext = {
  connectionId: 3,
  user: { name: 'bob', admin: false },
  database: null,
  remoteAddress: 'test',
  variables: new Map(),
};

describe('receipts - CREATE / SHOW / DROP / TEST NOTIFICATION CHANNEL', () => {
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let h: Harness;
  const SECRET = `whsec_${Buffer.from('another-signing-key-for-tests!!').toString('base64')}`;

  beforeAll(async () => {
    rx = await startReceiver();
    h = await startHarness({ channels: [{ name: 'cfg', type: 'webhook', url: rx.url('/cfg') }] });
  });
  afterAll(async () => {
    await h?.close();
    await rx?.close();
  });

  it("DLA's name mns works once an admin defines it; the secret is stored but never shown", async () => {
    await h.sql(
      `CREATE NOTIFICATION CHANNEL mns TYPE webhook WITH (url='${rx.url('/mns')}', secret='${SECRET}')`,
    );
    const rows = await h.sql('SHOW NOTIFICATION CHANNELS');
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['cfg', 'webhook', 'config'],
      ['mns', 'webhook', 'sql'],
    ]);
    expect(JSON.stringify(rows)).not.toContain(SECRET.slice(6));
    expect(JSON.parse(String(rows[1]![3]))).toMatchObject({ secret: '***' });
    // Sealed in the catalog: a copy of the catalog does not reveal it.
    const raw = await h.catalog.db
      .selectFrom('notification_channels')
      .select('secrets')
      .where('name', '=', 'mns')
      .executeTakeFirstOrThrow();
    expect(String(raw.secrets)).toMatch(/^lcsealed1:/);
    expect(String(raw.secrets)).not.toContain(SECRET.slice(6));
    const id = await h.submit('mq-notify-by=mns, mq-queue=dla');
    const t = await h.waitMq(id);
    expect(t).toMatchObject({ mq_status: 'SUCCESS', mq_product: 'mns', mq_model: 'queue', mq_queue: 'dla' });
    const req = rx.received.find((r) => r.path === '/mns')!;
    expect(req.headers['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.stringify(t)).not.toContain(SECRET.slice(6));
    expect(req.body).not.toContain(SECRET.slice(6));
  });

  it('errors - duplicate, unknown, read-only config channel, non-admin', async () => {
    await expect(
      h.sql(`CREATE NOTIFICATION CHANNEL mns TYPE webhook WITH (url='${rx.url('/x')}')`),
    ).rejects.toMatchObject({
      code: 'LC_CHANNEL_EXISTS',
    });
    await h.sql(`CREATE NOTIFICATION CHANNEL IF NOT EXISTS mns TYPE webhook WITH (url='${rx.url('/x')}')`);
    await expect(h.sql('DROP NOTIFICATION CHANNEL nosuch')).rejects.toMatchObject({
      code: 'LC_CHANNEL_NOT_FOUND',
    });
    await h.sql('DROP NOTIFICATION CHANNEL IF EXISTS nosuch');
    await expect(h.sql('DROP NOTIFICATION CHANNEL cfg')).rejects.toMatchObject({
      code: 'LC_CHANNEL_READ_ONLY',
    });
    await expect(h.sql('TEST NOTIFICATION CHANNEL nosuch')).rejects.toMatchObject({
      code: 'LC_CHANNEL_NOT_FOUND',
    });
    const ext = h.receipts.extensions[0]!;
    const signal = new AbortController().signal;
    await expect(
      ext.tryHandle(BOB, `CREATE NOTIFICATION CHANNEL b TYPE webhook WITH (url='${rx.url('/b')}')`, signal),
    ).rejects.toMatchObject({ code: 'LC_FORBIDDEN' });
    await expect(ext.tryHandle(BOB, 'DROP NOTIFICATION CHANNEL mns', signal)).rejects.toMatchObject({
      code: 'LC_FORBIDDEN',
    });
    // Users may list channels (they need the names), masked.
    expect(await ext.tryHandle(BOB, 'SHOW NOTIFICATION CHANNELS', signal)).toMatchObject({ kind: 'rows' });
    expect(await ext.tryHandle(BOB, 'select 1', signal)).toBeNull();
  });

  it('CREATE OR REPLACE - replaces settings in one write, creates when absent, enables again; config read-only', async () => {
    await h.sql(`CREATE OR REPLACE NOTIFICATION CHANNEL rep TYPE webhook WITH (url='${rx.url('/one')}')`);
    await h.sql(`CREATE OR REPLACE NOTIFICATION CHANNEL rep TYPE webhook WITH (url='${rx.url('/two')}')`);
    const row = (await h.sql("SHOW NOTIFICATION CHANNELS LIKE 'rep'"))[0]!;
    expect(row[3]).toContain('/two');
    expect(row[4]).toBe('ENABLED');
    const id = await h.submit('mq-notify-by=rep');
    expect((await h.waitMq(id)).mq_status).toBe('SUCCESS');
    expect(rx.received.some((r) => r.path === '/two')).toBe(true);
    expect(rx.received.some((r) => r.path === '/one')).toBe(false);
    // A channel disabled (its receiver answered 410 Gone) is enabled again by its replacement.
    await h.receipts.registry.disable('rep', 'HTTP 410 Gone');
    expect((await h.sql("SHOW NOTIFICATION CHANNELS LIKE 'rep'"))[0]![4]).toMatch(/^DISABLED/);
    await h.sql(`CREATE OR REPLACE NOTIFICATION CHANNEL rep TYPE webhook WITH (url='${rx.url('/two')}')`);
    expect((await h.sql("SHOW NOTIFICATION CHANNELS LIKE 'rep'"))[0]![4]).toBe('ENABLED');
    await expect(
      h.sql(`CREATE OR REPLACE NOTIFICATION CHANNEL cfg TYPE webhook WITH (url='${rx.url('/x')}')`),
    ).rejects.toMatchObject({ code: 'LC_CHANNEL_READ_ONLY' });
    await h.sql('DROP NOTIFICATION CHANNEL rep');
  });

  it('sealed secrets - another key cannot use them (LC_CHANNEL_SECRETS_UNREADABLE); plain rows from before are sealed at start', async () => {
    await h.sql(
      `CREATE NOTIFICATION CHANNEL sealed TYPE webhook WITH (url='${rx.url('/s')}', secret='${SECRET}')`,
    );
    const otherKey = new ChannelRegistry({ db: h.catalog.db, secretBox: new SecretBox(randomBytes(32)) });
    await expect(otherKey.resolve('sealed')).rejects.toMatchObject({ code: 'LC_CHANNEL_SECRETS_UNREADABLE' });
    expect((await otherKey.list()).map((d) => d.name)).toContain('sealed'); // listing still works
    await otherKey.close();

    // A row written before sealing existed (no box: plain JSON) is read as it is, then sealed by start().
    const before = new ChannelRegistry({ db: h.catalog.db });
    await before.create(
      defineChannel('plain', 'webhook', { url: rx.url('/p'), secret: SECRET }, 'sql'),
      'root',
    );
    await before.close();
    const stored = () =>
      h.catalog.db
        .selectFrom('notification_channels')
        .select('secrets')
        .where('name', '=', 'plain')
        .executeTakeFirstOrThrow()
        .then((r) => String(r.secrets));
    expect(await stored()).toContain(SECRET.slice(6));
    expect((await h.receipts.registry.get('plain'))?.secrets).toEqual({ secret: SECRET });
    expect(await h.receipts.registry.sealStoredSecrets()).toBe(1);
    expect(await stored()).toMatch(/^lcsealed1:/);
    expect((await h.receipts.registry.get('plain'))?.secrets).toEqual({ secret: SECRET });
    expect(await h.receipts.registry.sealStoredSecrets()).toBe(0);
    await h.sql('DROP NOTIFICATION CHANNEL plain');
    await h.sql('DROP NOTIFICATION CHANNEL sealed');
  });

  it('TEST NOTIFICATION CHANNEL - a failing receiver reports FAILURE with the reason; DROP removes the channel', async () => {
    rx.script('/mns', { status: 503 });
    const rows = await h.sql('TEST NOTIFICATION CHANNEL mns');
    expect(rows[0]![1]).toBe('FAILURE');
    expect(rows[0]![5]).toMatch(/HTTP 503/);
    await h.sql('DROP NOTIFICATION CHANNEL mns');
    expect((await h.sql('SHOW NOTIFICATION CHANNELS')).map((r) => r[0])).toEqual(['cfg']);
  });
});

describe('receipts - submit-time hint check', () => {
  it('checkHints - unknown channel and disallowed endpoint are refused with their codes', async () => {
    const h = await startHarness({
      channels: [{ name: 'w', type: 'webhook', url: 'http://127.0.0.1:9/x' }],
      endpointAllowlist: ['hooks.example.com'],
    });
    try {
      await h.receipts.checkHints({ mqNotifyBy: 'w' });
      await h.receipts.checkHints({});
      await expect(h.receipts.checkHints({ mqNotifyBy: 'nope' })).rejects.toMatchObject({
        code: 'LC_CHANNEL_NOT_FOUND',
      });
      await expect(
        h.receipts.checkHints({ mqNotifyBy: 'w', mqEndpoint: 'http://10.0.0.1/' }),
      ).rejects.toMatchObject({ code: 'LC_RECEIPT_ENDPOINT_DENIED' });
      await h.receipts.checkHints({ mqNotifyBy: 'w', mqEndpoint: 'https://hooks.example.com/a' });
    } finally {
      await h.close();
    }
  });
});
