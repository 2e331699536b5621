import { describe, expect, it } from 'vitest';
import { Cursor } from '../../../src/sql/cursor.js';
import { likeMatch } from '../../../src/sql/like.js';
import { maskSecrets } from '../../../src/sql/mask.js';
import { countPlaceholders, sqlLiteral } from '../../../src/sql/params.js';
import { tokenize, withoutTrailingSemicolons } from '../../../src/sql/tokenizer.js';

const kinds = (sql: string) => tokenize(sql).tokens.map((t) => `${t.kind}:${t.value}`);

describe('sql tokenizer', () => {
  it('splits words, quoted identifiers, strings, numbers, params, variables and operators', () => {
    expect(
      kinds('SELECT `a``b`, "c""d", \'it\'\'s\', 1.5e3, ?, @@session.x, @u FROM t WHERE a::INT <> 2'),
    ).toEqual([
      'word:SELECT',
      'qident:a`b',
      'punct:,',
      'qident:c"d',
      'punct:,',
      "string:it's",
      'punct:,',
      'number:1.5e3',
      'punct:,',
      'param:?',
      'punct:,',
      'var:session.x',
      'punct:,',
      'var:u',
      'word:FROM',
      'word:t',
      'word:WHERE',
      'word:a',
      'punct:::',
      'word:INT',
      'punct:<>',
      'number:2',
    ]);
  });

  it('decodes MySQL backslash escapes in strings (as client libraries escape values) and E strings', () => {
    expect(kinds("'a\\'' , 'it\\'s', 'x\\\\y', 'q\\_%', E'b\\'c'")).toEqual([
      "string:a'",
      'punct:,',
      "string:it's",
      'punct:,',
      'string:x\\y',
      'punct:,',
      'string:q\\_%',
      'punct:,',
      "string:b'c",
    ]);
  });

  it('skips -- and nested /* */ comments and keeps them for hints', () => {
    const t = tokenize('/*+ run-async=true */ SELECT 1 -- trailing ? \n /* a /* nested ? */ still */ , 2');
    expect(t.tokens.map((x) => x.value)).toEqual(['SELECT', '1', ',', '2']);
    expect(t.comments[0].text).toBe('/*+ run-async=true */');
    expect(countPlaceholders(t.tokens)).toBe(0);
  });

  it('counts placeholders only outside quotes and comments', () => {
    const { tokens } = tokenize('SELECT ?, \'?\', "?", `?` /* ? */ FROM t WHERE a = ? -- ?');
    expect(countPlaceholders(tokens)).toBe(2);
  });

  it.each([
    ["SELECT 'abc", 'unterminated string'],
    ['SELECT "abc', 'unterminated quoted identifier'],
    ['SELECT `abc', 'unterminated quoted identifier'],
    ['SELECT 1 /* open /* nested */', 'unterminated comment'],
    ['SELECT 1\0', 'NUL byte'],
  ])('refuses %j with LC_SQL_SYNTAX', (sql, what) => {
    expect(() => tokenize(sql)).toThrow(expect.objectContaining({ code: 'LC_SQL_SYNTAX', errno: 1064 }));
    expect(() => tokenize(sql)).toThrow(what);
  });

  it('handles a 1 MB identifier in linear time and clips it in errors', () => {
    const long = 'x'.repeat(1024 * 1024);
    const start = Date.now();
    const { tokens } = tokenize(`SELECT ${long} FROM t`);
    expect(tokens[1].value.length).toBe(1024 * 1024);
    const c = new Cursor(tokens, `SELECT ${long} FROM t`);
    const err = c.error('boom', 1);
    expect(err.message.length).toBeLessThan(200);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it('keeps unicode in identifiers and strings', () => {
    expect(kinds("SELECT 名前, 'ünï😀' FROM données")).toEqual([
      'word:SELECT',
      'word:名前',
      'punct:,',
      'string:ünï😀',
      'word:FROM',
      'word:données',
    ]);
  });

  it('drops trailing semicolons only', () => {
    const { tokens } = tokenize('SELECT 1;; ;');
    expect(withoutTrailingSemicolons(tokens).map((t) => t.text)).toEqual(['SELECT', '1']);
  });

  it('points syntax errors at the offending token and masks passwords', () => {
    const sql = "CREATE USER 'u' IDENTIFIED BY 'hunter2' nonsense";
    const { tokens } = tokenize(sql);
    const c = new Cursor(tokens, sql);
    c.secret.add(5);
    expect(c.error('x', 4).message).not.toContain('hunter2');
    expect(c.error('x', 6).message).toContain("near 'nonsense'");
  });
});

describe('sql maskSecrets', () => {
  it.each([
    ["CREATE USER 'u' IDENTIFIED BY 's3cret'", "CREATE USER 'u' IDENTIFIED BY '***'"],
    [
      "ALTER USER u IDENTIFIED WITH mysql_native_password BY 'x''y'",
      "ALTER USER u IDENTIFIED WITH mysql_native_password BY '***'",
    ],
    ["SET PASSWORD = 'pw'", "SET PASSWORD = '***'"],
    ["CREATE USER 'u' IDENTIFIED BY 'unterminated", "CREATE USER 'u' IDENTIFIED ***"],
    [
      "/* c */ CREATE NOTIFICATION CHANNEL ops TYPE amqp WITH (url='amqp://u:pw@h', exchange='x')",
      "/* c */ CREATE NOTIFICATION CHANNEL ops TYPE amqp WITH (url='***', exchange='***')",
    ],
    ["CREATE NOTIFICATION CHANNEL d TYPE dingtalk WITH (secret='SEC", 'CREATE NOTIFICATION CHANNEL ***'],
    ['SELECT 1', 'SELECT 1'],
  ])('%s', (sql, masked) => {
    expect(maskSecrets(sql)).toBe(masked);
  });
});

describe('sql literals and LIKE', () => {
  it('quotes parameters as literals that cannot break out', () => {
    expect(sqlLiteral("x'); DROP TABLE t; --")).toBe("'x''); DROP TABLE t; --'");
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(12n)).toBe('12');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(new Uint8Array([0, 255]))).toBe("'\\x00\\xff'::BLOB");
    expect(() => sqlLiteral(Number.NaN)).toThrow(/finite/);
    expect(() => sqlLiteral('a\0b')).toThrow(/NUL/);
  });

  it.each([
    ['character_set_client', 'character\\_set\\_%', true],
    ['version', 'VERS%', true],
    ['version_comment', 'version', false],
    ['abc', 'a_c', true],
    ['abc', '%b%', true],
    ['abc', '%d%', false],
    ['', '%', true],
  ])('likeMatch(%j, %j) = %s', (v, p, want) => {
    expect(likeMatch(v, p)).toBe(want);
  });
});
