import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  buildReceiptMessage,
  dingtalkSign,
  endpointAllowed,
  feishuSign,
  parseRetryAfter,
  RateLimiter,
  receiptMarkdown,
  signStandardWebhook,
  verifyStandardWebhook,
} from '../../../src/receipts/index.js';
import type { TaskRecord } from '../../../src/tasks/index.js';

function fakeTask(over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: 'q202611220300lcabcdefghijklmno',
    mpp_query_id: '20261122_030000_00001_abcde',
    status: 'SUCCESS',
    task_name: 'SELECT',
    table_schema: 'demo',
    command: '/*+ run-async=true, mq-notify-by=ops */ select 1',
    creator_id: 'alice',
    create_time: 1_700_000_000_000,
    update_time: 1_700_000_001_000,
    connection_id: 7,
    message: null,
    row_count: 2,
    elapse_time: 692,
    scanned_row_count: 2,
    scanned_data_bytes: 147,
    result_file_oss_file: 'file:///data/results/2023/11/14/q1/result.csv',
    cancellable_task: 0,
    mq_product: 'ops',
    mq_model: 'topic',
    mq_topic: null,
    mq_queue: null,
    mq_producer_id: null,
    mq_endpoint: 'https://user:pw@hooks.example.com/x?token=abc',
    mq_status: 'PENDING',
    mq_error_msg: null,
    mq_message_id: null,
    mq_total_time: null,
    mq_attempts: null,
    progress: 100,
    queue_time: 3,
    result_file_size: 20,
    attempts: 1,
    output_format: 'csv',
    client_token: null,
    hints: JSON.stringify({
      'run-async': 'true',
      'mq-notify-by': 'ops',
      'mq-endpoint': 'https://user:pw@hooks.example.com/x?token=abc',
    }),
    started_at: 1_700_000_000_300,
    finished_at: 1_700_000_001_000,
    node: 'lc',
    result_key: '2023/11/14/q1/result.csv',
    result_deleted_at: null,
    ...over,
  };
}

describe('receipts - message model', () => {
  it('CloudEvents 1.0 envelope: stable id, type per status, subject = task id, time = task end, data = task row', () => {
    const m = buildReceiptMessage(fakeTask(), {
      source: 'lakecast://test',
      publicUrl: 'https://lc.example.com/',
    });
    expect(m).toMatchObject({
      specversion: '1.0',
      id: 'rcpt-q202611220300lcabcdefghijklmno',
      source: 'lakecast://test',
      type: 'lakecast.query_task.succeeded',
      subject: 'q202611220300lcabcdefghijklmno',
      time: '2023-11-14T22:13:21.000Z',
      datacontenttype: 'application/json',
    });
    expect(m.data).toMatchObject({
      id: 'q202611220300lcabcdefghijklmno',
      status: 'SUCCESS',
      row_count: 2,
      elapse_time: 692,
      result_uri: 'file:///data/results/2023/11/14/q1/result.csv',
      result_url: 'https://lc.example.com/v1/tasks/q202611220300lcabcdefghijklmno/result',
    });
    expect(buildReceiptMessage(fakeTask(), { source: 's' }).id).toBe(m.id);
    expect(buildReceiptMessage(fakeTask({ status: 'FAILURE' }), { source: 's' }).type).toBe(
      'lakecast.query_task.failed',
    );
    expect(buildReceiptMessage(fakeTask({ status: 'CANCELLED' }), { source: 's' }).type).toBe(
      'lakecast.query_task.cancelled',
    );
  });

  it('no secrets - passwords and query values of mq-endpoint are masked in data and hints', () => {
    const text = JSON.stringify(buildReceiptMessage(fakeTask(), { source: 's' }));
    expect(text).not.toContain('pw@');
    expect(text).not.toContain('token=abc');
    expect(text).toContain('hooks.example.com');
  });

  it('markdown summary - status, duration, rows, result link', () => {
    const md = receiptMarkdown(buildReceiptMessage(fakeTask(), { source: 's' }));
    expect(md.title).toBe('Lakecast query task SUCCESS');
    expect(md.text).toContain('status: SUCCESS');
    expect(md.text).toContain('duration: 692 ms');
    expect(md.text).toContain('rows: 2');
    expect(md.text).toContain('result: [file:///data/results/2023/11/14/q1/result.csv]');
  });
});

describe('receipts - signatures with the published algorithms', () => {
  it('Standard Webhooks - v1,base64(HMAC-SHA256(key, id.ts.body)) with the whsec_ key decoded; verify rejects tampering and old timestamps', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const secret = `whsec_${key.toString('base64')}`;
    const sig = signStandardWebhook(secret, 'msg_1', 1_674_087_231, '{"a":1}');
    const expected = createHmac('sha256', key).update('msg_1.1674087231.{"a":1}').digest('base64');
    expect(sig).toBe(`v1,${expected}`);
    const h = { id: 'msg_1', timestamp: '1674087231', signature: `v1,bogus ${sig}` };
    expect(verifyStandardWebhook(secret, h, '{"a":1}', { nowSecs: 1_674_087_300 })).toBe(true);
    expect(verifyStandardWebhook(secret, h, '{"a":2}', { nowSecs: 1_674_087_300 })).toBe(false);
    expect(verifyStandardWebhook(secret, h, '{"a":1}', { nowSecs: 1_674_097_300 })).toBe(false);
  });

  it('Standard Webhooks - the spec example vector', () => {
    // From the Standard Webhooks spec / reference libraries.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signStandardWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('DingTalk - base64(HMAC-SHA256(secret, ts\\nsecret))', () => {
    const expected = createHmac('sha256', 'SECabc').update('1700000000000\nSECabc').digest('base64');
    expect(dingtalkSign('SECabc', 1_700_000_000_000)).toBe(expected);
  });

  it('Feishu - base64(HMAC-SHA256(key = ts\\nsecret, empty message))', () => {
    const expected = createHmac('sha256', '1700000000\nsec').update('').digest('base64');
    expect(feishuSign('sec', 1_700_000_000)).toBe(expected);
  });
});

describe('receipts - backoff, Retry-After, rate limits, SSRF allowlist', () => {
  it('backoff is exponential, capped and jittered within [nominal/2, nominal]', () => {
    const o = { initialMs: 500, maxMs: 10_000 };
    expect(backoffDelay(1, o, () => 0)).toBe(250);
    expect(backoffDelay(1, o, () => 1)).toBe(500);
    expect(backoffDelay(3, o, () => 1)).toBe(2000);
    expect(backoffDelay(30, o, () => 1)).toBe(10_000);
    expect(backoffDelay(30, o, () => 0)).toBe(5_000);
  });

  it('Retry-After - seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5_000)).toBe(5_000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('rate limiter - Feishu 5/s and 100/min: the 6th in a second waits, nothing is dropped', () => {
    let now = 0;
    const rl = new RateLimiter(
      [
        [100, 60_000],
        [5, 1_000],
      ],
      () => now,
    );
    for (let i = 0; i < 5; i++) expect(rl.tryTake()).toBe(0);
    expect(rl.tryTake()).toBeGreaterThan(0);
    now = 1_001;
    expect(rl.tryTake()).toBe(0);
  });

  it('SSRF - only allowlisted hosts; userinfo and fragments cannot smuggle a host', () => {
    const allow = ['hooks.example.com', '*.corp.example', '10.0.0.5:8080'];
    expect(endpointAllowed('https://hooks.example.com/x', allow)).toBe(true);
    expect(endpointAllowed('https://a.b.corp.example/x', allow)).toBe(true);
    expect(endpointAllowed('http://10.0.0.5:8080/', allow)).toBe(true);
    expect(endpointAllowed('http://10.0.0.5:8081/', allow)).toBe(false);
    expect(endpointAllowed('http://169.254.169.254/latest', allow)).toBe(false);
    expect(endpointAllowed('http://hooks.example.com@127.0.0.1/', allow)).toBe(false);
    expect(endpointAllowed('http://127.0.0.1#hooks.example.com', allow)).toBe(false);
    expect(endpointAllowed('http://evilcorp.example/', allow)).toBe(false);
    expect(endpointAllowed('https://hooks.example.com/x', [])).toBe(false);
  });
});
