import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_TYPES,
  DeliveryError,
  defineChannel,
  isChannelStatement,
  kafkaConfigOf,
  kafkaRecordOf,
  maskChannelStatement,
  maskedSettings,
  parseChannelStatement,
  testMessage,
} from '../../../src/receipts/index.js';

describe('receipts - channel statements parser', () => {
  it('CREATE with settings (strings, numbers, booleans, escapes), IF NOT EXISTS, trailing ;', () => {
    expect(
      parseChannelStatement(
        "create notification channel if not exists `ops-1` TYPE AMQP with (url='amqp://u:p@h:5672', exchange = 'ex', timeout_ms=500, x='it\\'s');",
      ),
    ).toEqual({
      kind: 'create',
      name: 'ops-1',
      type: 'amqp',
      ifNotExists: true,
      orReplace: false,
      settings: { url: 'amqp://u:p@h:5672', exchange: 'ex', timeout_ms: 500, x: "it's" },
    });
    expect(
      parseChannelStatement('CREATE NOTIFICATION CHANNEL a TYPE nats WITH (jetstream = FALSE)'),
    ).toMatchObject({
      settings: { jetstream: false },
    });
  });

  it('SHOW [LIKE], DROP [IF EXISTS], TEST [WITH]', () => {
    expect(parseChannelStatement('SHOW NOTIFICATION CHANNELS')).toEqual({ kind: 'show', like: undefined });
    expect(parseChannelStatement("show notification channels like 'o%'")).toEqual({
      kind: 'show',
      like: 'o%',
    });
    expect(parseChannelStatement('DROP NOTIFICATION CHANNEL IF EXISTS ons')).toEqual({
      kind: 'drop',
      name: 'ons',
      ifExists: true,
    });
    expect(parseChannelStatement("TEST NOTIFICATION CHANNEL ons WITH (topic='t')")).toEqual({
      kind: 'test',
      name: 'ons',
      settings: { topic: 't' },
    });
  });

  it('syntax errors are LC_RECEIPT_SYNTAX and never echo string values', () => {
    for (const bad of [
      'CREATE NOTIFICATION CHANNEL x',
      "CREATE NOTIFICATION CHANNEL x TYPE webhook WITH (url='http://a' secret='s3cr3t')",
      'DROP NOTIFICATION CHANNEL',
      "CREATE NOTIFICATION CHANNEL x TYPE webhook WITH (url='unterminated",
      'SHOW NOTIFICATION CHANNELS extra',
      // A setting given twice is an error, not "the last one wins".
      "CREATE NOTIFICATION CHANNEL x TYPE webhook WITH (url='http://a', secret='s3cr3t', url='http://b')",
    ]) {
      let err: unknown;
      try {
        parseChannelStatement(bad);
      } catch (e) {
        err = e;
      }
      expect((err as { code: string }).code).toBe('LC_RECEIPT_SYNTAX');
      expect((err as Error).message).not.toContain('s3cr3t');
    }
  });

  it('maskChannelStatement - every literal of CREATE is masked for logs; other statements untouched', () => {
    const masked = maskChannelStatement(
      'CREATE NOTIFICATION CHANNEL d TYPE dingtalk WITH (url=\'https://oapi.dingtalk.com/robot/send?access_token=T\', secret="SECxyz")',
    );
    expect(masked).not.toContain('access_token=T');
    expect(masked).not.toContain('SECxyz');
    expect(masked).toContain("url='***'");
    expect(maskChannelStatement("select 'a'")).toBe("select 'a'");
    const replaced = maskChannelStatement(
      "create or replace notification channel r type webhook with (secret='whsec_x')",
    );
    expect(replaced).not.toContain('whsec_x');
  });

  it('CREATE OR REPLACE - parsed, recognized, never with IF NOT EXISTS', () => {
    const sql = "create or replace notification channel ops type webhook with (url='https://h/x')";
    expect(isChannelStatement(sql)).toBe(true);
    expect(parseChannelStatement(sql)).toEqual({
      kind: 'create',
      name: 'ops',
      type: 'webhook',
      ifNotExists: false,
      orReplace: true,
      settings: { url: 'https://h/x' },
    });
    expect(() =>
      parseChannelStatement('CREATE OR REPLACE NOTIFICATION CHANNEL IF NOT EXISTS a TYPE webhook'),
    ).toThrow(/OR REPLACE and IF NOT EXISTS/);
    expect(() => parseChannelStatement('CREATE OR NOTIFICATION CHANNEL a TYPE webhook')).toThrow(
      /expected REPLACE/,
    );
  });
});

describe('receipts - channel definitions', () => {
  it('secrets are split off and masked; URLs lose passwords; unknown settings and types are refused', () => {
    const d = defineChannel(
      'ding',
      'dingtalk',
      { url: 'https://oapi.dingtalk.com/robot/send?access_token=TOKEN', secret: 'SECabc' },
      'sql',
    );
    expect(d.secrets).toEqual({
      url: 'https://oapi.dingtalk.com/robot/send?access_token=TOKEN',
      secret: 'SECabc',
    });
    const shown = JSON.stringify(maskedSettings(d));
    expect(shown).not.toContain('TOKEN');
    expect(shown).not.toContain('SECabc');
    const a = defineChannel('ops', 'amqp', { url: 'amqp://guest:hunter2@h:5672', exchange: 'x' }, 'config');
    expect(JSON.stringify(maskedSettings(a))).not.toContain('hunter2');
    expect(() => defineChannel('x', 'carrier-pigeon', {}, 'sql')).toThrow(/unknown channel type/);
    expect(() => defineChannel('x', 'webhook', { url: 'http://a', sekret: 'zz' }, 'sql')).toThrow(
      /no setting/,
    );
    expect(() => defineChannel('x', 'webhook', {}, 'sql')).toThrow(/needs the setting 'url'/);
    expect(() => defineChannel('x', 'webhook', { url: 'http://a', secret: 'nope' }, 'sql')).toThrow(/whsec_/);
    expect(() => defineChannel('bad name', 'webhook', { url: 'http://a' }, 'sql')).toThrow(/channel name/);
    // A URL of a scheme the type does not send to is refused when the channel is defined, not when it first sends.
    for (const [type, url] of [
      ['webhook', 'file:///etc/passwd'],
      ['dingtalk', 'ftp://oapi.dingtalk.com/robot/send'],
      ['amqp', 'http://127.0.0.1:5672'],
      ['redis', 'mqtt://127.0.0.1'],
    ] as const) {
      expect(() => defineChannel('x', type, { url }, 'sql'), type).toThrow(
        expect.objectContaining({
          code: 'LC_CHANNEL_INVALID',
          message: expect.stringContaining('must be a'),
        }),
      );
    }
    expect(defineChannel('x', 'mqtt', { url: 'mqtts://broker:8883', topic: 't' }, 'sql').type).toBe('mqtt');
  });

  it('every channel type is registered', () => {
    expect([...CHANNEL_TYPES.keys()].sort()).toEqual(
      ['amqp', 'dingtalk', 'feishu', 'kafka', 'mqtt', 'nats', 'redis', 'slack', 'webhook', 'wecom'].sort(),
    );
  });
});

describe('receipts - kafka channel up to the network (no broker can run here)', () => {
  it('client config - idempotent-ready config, brokers split, SASL, no client retries (the dispatcher retries)', () => {
    const c = kafkaConfigOf(
      {
        brokers: 'k1:9092, k2:9092',
        sasl_mechanism: 'scram-sha-256',
        username: 'u',
        password: 'p',
        ssl: true,
      },
      'lakecast-lc',
    );
    expect(c).toMatchObject({
      clientId: 'lakecast-lc',
      brokers: ['k1:9092', 'k2:9092'],
      ssl: true,
      retry: { retries: 0 },
    });
    expect(c.sasl).toMatchObject({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
  });

  it('record - key = task id, value = the CloudEvent, CloudEvents headers', () => {
    const m = testMessage('k', 'root', 'lakecast');
    const r = kafkaRecordOf(m, JSON.stringify(m));
    expect(r.key).toBe('k');
    expect(JSON.parse(r.value).id).toBe(m.id);
    expect(r.headers).toMatchObject({ ce_id: m.id, ce_type: m.type });
    expect(r.headers['content-type']).toMatch(/cloudevents/);
  });

  it('broker unreachable - a retryable DeliveryError (the receipt would be RETRYING)', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    const ch = CHANNEL_TYPES.get('kafka')!.create(
      { brokers: `127.0.0.1:${port}`, topic: 't' },
      { name: 'k', node: 'lc', clock: Date.now },
    );
    const err = await ch
      .send(testMessage('k', 'root', 'lc'), {}, { signal: AbortSignal.timeout(8_000) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).retryable).toBe(true);
    await ch.close();
  });
});
