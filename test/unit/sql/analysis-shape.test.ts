import { describe, expect, it } from 'vitest';
import { analysisShape } from '../../../src/sql/query.js';

describe('analysis shape - queries differing only in numbers share one DuckDB analysis', () => {
  it('plain numbers become 0; words, strings and identifiers stay', () => {
    expect(analysisShape('select 42 as n')).toBe('select 0 as n');
    expect(analysisShape("select * from t2024 where id = 7 and d = '2024-01-05' limit 10")).toBe(
      "select * from t2024 where id = 0 and d = '2024-01-05' limit 0",
    );
    expect(analysisShape('select "col 1", 3.25 from demo.orders')).toBe('select "col 1", 0 from demo.orders');
    expect(analysisShape('select 1 as a, 2 as b')).toBe(analysisShape('select 7 as a, 9 as b'));
  });

  it('text without numbers, or with only 0, is its own shape', () => {
    const sql = "select * from read_csv('/etc/passwd')";
    expect(analysisShape(sql)).toBe(sql);
    expect(analysisShape('select 0')).toBe('select 0');
  });

  it('kept as written where the lexers could disagree on literal boundaries', () => {
    for (const sql of [
      "select 'a\\'', 7, 'x'", // backslash: MySQL and DuckDB escapes differ
      "select '''', 7, 'x'", // doubled quote inside a literal
      'select $$ 7 $$, 7', // dollar quoting
      'select $1 + 7', // positional parameter
      "select E'\\n', 7", // escape string
      "select 'unterminated, 7", // does not lex
      'select 1e5, 7', // exponent
      'select 1_000, 7', // digit separator
      'select 7abc', // number running into a word
    ]) {
      const shape = analysisShape(sql);
      // either unchanged, or only the plain standalone numbers changed
      if (shape !== sql) expect(shape.replace(/\b0\b/g, '#')).toBe(sql.replace(/\b7\b/g, '#'));
    }
    expect(analysisShape("select 'a\\'', 7, 'x'")).toBe("select 'a\\'', 7, 'x'");
    expect(analysisShape("select '''', 7, 'x'")).toBe("select '''', 7, 'x'");
    expect(analysisShape('select $$ 7 $$, 7')).toBe('select $$ 7 $$, 7');
    expect(analysisShape('select 7abc')).toBe('select 7abc');
  });
});
