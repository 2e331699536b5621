import { describe, expect, it } from 'vitest';
import { LakecastError } from '../../../src/shared/index.js';
import { HINT_KEYS, hasHints, hintsFromEntries, hintsToEntries, parseHints } from '../../../src/sql/hints.js';

function errorOf(fn: () => unknown): LakecastError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LakecastError);
    return err as LakecastError;
  }
  throw new Error('expected an error');
}

describe('parseHints - DLA transcripts', () => {
  it('seed 000: run-async', () => {
    const p = parseHints('/*+ run-async=true */select * from test_table1;');
    expect(p.hints).toEqual({ runAsync: true });
    expect(p.body).toBe('select * from test_table1;');
    expect(p.raw).toBe('/*+ run-async=true */');
  });
  it('seed 000: run_async with ONS receipt hints', () => {
    const p = parseHints(
      '/*+ run_async=true, mq-notify-by=ons, mq-topic=dla_shanghai_topic, mq-producer-id=PID_dla_shanghai */ select * from test_table1;',
    );
    expect(p.hints).toEqual({
      runAsync: true,
      mqNotifyBy: 'ons',
      mqTopic: 'dla_shanghai_topic',
      mqProducerId: 'PID_dla_shanghai',
    });
    expect(p.body).toBe('select * from test_table1;');
  });
  it('seed 001: mns queue, dingtalk, threshold, no spaces', () => {
    expect(parseHints('/*+ run_async=true,mq-notify-by=mns,mq-queue=dla */ select 1').hints).toEqual({
      runAsync: true,
      mqNotifyBy: 'mns',
      mqQueue: 'dla',
    });
    expect(parseHints('/*+ run_async=true,mq-notify-by=dingtalk*/ select 1').hints).toEqual({
      runAsync: true,
      mqNotifyBy: 'dingtalk',
    });
    expect(
      parseHints('/*+ run_async=true,mq-notify-by=dingtalk,mq-threshold-secs=100 */ select 1').hints,
    ).toEqual({ runAsync: true, mqNotifyBy: 'dingtalk', mqThresholdSecs: 100 });
  });
});

describe('parseHints - syntax tolerance', () => {
  it('case and spaces', () => {
    const p = parseHints('  \n/*+   RUN-ASYNC = TRUE ,  Query_Timeout=30,OUTPUT-FORMAT=Json  */\n  SELECT 1');
    expect(p.hints).toEqual({ runAsync: true, queryTimeoutSecs: 30, outputFormat: 'json' });
    expect(p.body).toBe('SELECT 1');
  });
  it('no hints: body unchanged', () => {
    expect(parseHints('select 1')).toEqual({ hints: {}, body: 'select 1', raw: '' });
    expect(parseHints('/* plain comment */ select 1').body).toBe('/* plain comment */ select 1');
    expect(parseHints('select /*+ run-async=true */ 1').hints).toEqual({});
    expect(hasHints(' /*+ x */')).toBe(true);
    expect(hasHints('select 1')).toBe(false);
  });
  it('empty hint comment', () => {
    expect(parseHints('/*+ */select 1')).toEqual({ hints: {}, body: 'select 1', raw: '/*+ */' });
    expect(parseHints('/*+,, ,*/select 1').hints).toEqual({});
  });
  it('several leading hint comments merge', () => {
    const p = parseHints('/*+ run-async=true */ /*+ output-format=csv */ select 1');
    expect(p.hints).toEqual({ runAsync: true, outputFormat: 'csv' });
    expect(p.raw).toBe('/*+ run-async=true */ /*+ output-format=csv */');
  });
  it('boolean spellings', () => {
    for (const v of ['true', 'TRUE', '1', 'on', 'yes']) {
      expect(parseHints(`/*+ force-persist-result=${v} */ select 1`).hints.forcePersistResult).toBe(true);
    }
    for (const v of ['false', '0', 'off', 'no']) {
      expect(parseHints(`/*+ run-async=${v} */ select 1`).hints.runAsync).toBe(false);
    }
  });
  it('mq-on list with unquoted commas, quoted values', () => {
    expect(parseHints('/*+ run-async=true, mq-on=success,failure, mq-topic=t */ select 1').hints).toEqual({
      runAsync: true,
      mqOn: ['success', 'failure'],
      mqTopic: 't',
    });
    expect(parseHints("/*+ mq-on='failure,cancelled' */ select 1").hints.mqOn).toEqual([
      'failure',
      'cancelled',
    ]);
    expect(parseHints("/*+ mq-topic='a,b ''c''' */ select 1").hints.mqTopic).toBe("a,b 'c'");
    expect(parseHints('/*+ mq-topic="x y" */ select 1').hints.mqTopic).toBe('x y');
  });
  it('typed values: timeout decimals, endpoint URL, client token', () => {
    const p = parseHints(
      '/*+ query-timeout=1.5, mq-endpoint=http://1.mns.cn-hangzhou-internal.aliyuncs.com, client-token=abc-123_x.y */ select 1',
    );
    expect(p.hints).toEqual({
      queryTimeoutSecs: 1.5,
      mqEndpoint: 'http://1.mns.cn-hangzhou-internal.aliyuncs.com',
      clientToken: 'abc-123_x.y',
    });
  });
  it('hintsFromEntries accepts JSON values and round-trips through hintsToEntries', () => {
    const h = hintsFromEntries(
      Object.entries({
        run_async: true,
        'query-timeout': 10,
        'mq-on': ['success'],
        'output-format': 'PARQUET',
      }),
    );
    expect(h).toEqual({ runAsync: true, queryTimeoutSecs: 10, mqOn: ['success'], outputFormat: 'parquet' });
    expect(hintsFromEntries(hintsToEntries(h))).toEqual(h);
    expect(HINT_KEYS).toContain('mq-threshold-secs');
  });
});

describe('parseHints - bad hints are errors naming the key', () => {
  const cases: [string, string, RegExp][] = [
    ['/*+ run-asink=true */ select 1', 'LC_HINT_UNKNOWN', /run-asink/],
    ['/*+ run-async=maybe */ select 1', 'LC_HINT_INVALID', /run-async/],
    ['/*+ run-async */ select 1', 'LC_HINT_INVALID', /run-async/],
    ['/*+ run-async=true, run_async=false */ select 1', 'LC_HINT_INVALID', /more than once/],
    ['/*+ query-timeout=-1 */ select 1', 'LC_HINT_INVALID', /query-timeout/],
    ['/*+ query-timeout=0 */ select 1', 'LC_HINT_INVALID', /query-timeout/],
    ['/*+ query-timeout=1e9 */ select 1', 'LC_HINT_INVALID', /query-timeout/],
    ['/*+ query-timeout=99999999 */ select 1', 'LC_HINT_INVALID', /query-timeout/],
    ['/*+ output-format=xml */ select 1', 'LC_HINT_INVALID', /output-format/],
    ['/*+ mq-threshold-secs=1.5 */ select 1', 'LC_HINT_INVALID', /mq-threshold-secs/],
    ['/*+ mq-on=sometimes */ select 1', 'LC_HINT_INVALID', /mq-on/],
    ['/*+ client-token=a b */ select 1', 'LC_HINT_INVALID', /client-token/],
    [`/*+ client-token=${'x'.repeat(129)} */ select 1`, 'LC_HINT_INVALID', /client-token/],
    ['/*+ mq-endpoint=not a url */ select 1', 'LC_HINT_INVALID', /mq-endpoint/],
    ['/*+ mq-notify-by=a;drop */ select 1', 'LC_HINT_INVALID', /mq-notify-by/],
    ['/*+ mq-endpoint=https://user:secret@example.com/hook */ select 1', 'LC_HINT_INVALID', /credentials/],
    ['/*+ mq-topic= */ select 1', 'LC_HINT_INVALID', /mq-topic/],
    ['/*+ run-async=true select 1', 'LC_HINT_INVALID', /unterminated/],
    ["/*+ mq-topic='abc */ select 1", 'LC_HINT_INVALID', /mq-topic/],
    ['/*+ =true */ select 1', 'LC_HINT_INVALID', /without a key/],
    ['/*+ run-async=true mq-topic=x */ select 1', 'LC_HINT_INVALID', /run-async/],
    ["/*+ x'; drop table t; --=1 */ select 1", 'LC_HINT_UNKNOWN', /Unknown hint/],
  ];
  for (const [sql, code, msg] of cases) {
    it(`${code}: ${sql.slice(0, 60)}`, () => {
      const err = errorOf(() => parseHints(sql));
      expect(err.code).toBe(code);
      expect(err.errno).toBe(1064);
      expect(err.sqlState).toBe('42000');
      expect(err.httpStatus).toBe(400);
      expect(err.message).toMatch(msg);
    });
  }
});

describe('parseHints - hostile input', () => {
  it('control characters in values are rejected', () => {
    expect(errorOf(() => parseHints('/*+ mq-topic=a\u0000b */ select 1')).code).toBe('LC_HINT_INVALID');
    expect(errorOf(() => parseHints('/*+ mq-topic="a\u001bb" */ select 1')).code).toBe('LC_HINT_INVALID');
  });
  it('huge hint text is refused quickly', () => {
    const t0 = Date.now();
    const err = errorOf(() => parseHints(`/*+ mq-topic=${'a'.repeat(1_000_000)} */ select 1`));
    expect(err.code).toBe('LC_HINT_INVALID');
    expect(Date.now() - t0).toBeLessThan(500);
  });
  it('huge unterminated and comma-only input stays linear', () => {
    const t0 = Date.now();
    expect(errorOf(() => parseHints(`/*+ ${','.repeat(5000)}a`)).code).toBe('LC_HINT_INVALID');
    expect(parseHints(`/*+ ${', '.repeat(3000)}*/ select 1`).hints).toEqual({});
    expect(Date.now() - t0).toBeLessThan(500);
  });
  it('comment ends at the first */ even inside quotes; the rest is body', () => {
    const err = errorOf(() => parseHints("/*+ mq-topic='a*/' */ select 1"));
    expect(err.code).toBe('LC_HINT_INVALID');
  });
  it('unknown key names are clipped in messages', () => {
    const err = errorOf(() => parseHints(`/*+ ${'k'.repeat(500)}=1 */ select 1`));
    expect(err.code).toBe('LC_HINT_UNKNOWN');
    expect(err.message.length).toBeLessThan(100);
  });
  it('unicode and prototype keys', () => {
    expect(parseHints('/*+ mq-topic=主题 */ select 1').hints.mqTopic).toBe('主题');
    expect(errorOf(() => parseHints('/*+ __proto__=1 */ select 1')).code).toBe('LC_HINT_UNKNOWN');
    expect(errorOf(() => parseHints('/*+ constructor=1 */ select 1')).code).toBe('LC_HINT_UNKNOWN');
    expect(errorOf(() => hintsFromEntries([['toString', 'x']])).code).toBe('LC_HINT_UNKNOWN');
  });
  it('non-scalar JSON values are invalid', () => {
    expect(errorOf(() => hintsFromEntries([['run-async', { a: 1 }]])).code).toBe('LC_HINT_INVALID');
    expect(errorOf(() => hintsFromEntries([['query-timeout', Number.NaN]])).code).toBe('LC_HINT_INVALID');
  });
});
