import { describe, expect, it } from 'vitest';
import { maxExecutionTimeHint, sessionTimeoutMs } from '../../../src/sql/query.js';
import { tokenize, withoutTrailingSemicolons } from '../../../src/sql/tokenizer.js';
import type { SessionContext } from '../../../src/sql/types.js';

function hint(sql: string): number | undefined {
  const lexed = tokenize(sql);
  return maxExecutionTimeHint(withoutTrailingSemicolons(lexed.tokens), lexed.comments);
}

function session(vars: Record<string, string> = {}): SessionContext {
  return {
    connectionId: 1,
    user: { name: 'u', admin: false },
    database: null,
    remoteAddress: 'test',
    variables: new Map(Object.entries(vars)),
  };
}

describe("MySQL's statement timeouts", () => {
  it('MAX_EXECUTION_TIME is read only from a hint comment right after the leading SELECT, as MySQL reads it', () => {
    expect(hint('SELECT /*+ MAX_EXECUTION_TIME(1500) */ 1')).toBe(1500);
    expect(hint('select /*+ BKA(t1) max_execution_time( 20 ) */ * from t')).toBe(20);
    expect(hint('SELECT 1 /*+ MAX_EXECUTION_TIME(1500) */')).toBeUndefined();
    expect(hint('SELECT /* MAX_EXECUTION_TIME(1500) */ 1')).toBeUndefined(); // a plain comment
    expect(hint('/*+ run-async=true */ SELECT 1')).toBeUndefined();
    expect(hint('SHOW TABLES /*+ MAX_EXECUTION_TIME(1500) */')).toBeUndefined();
    expect(hint('SELECT /*+ MAX_EXECUTION_TIME(abc) */ 1')).toBeUndefined();
  });

  it("the statement's hint wins over the session's max_execution_time; the server's limit caps both", () => {
    expect(sessionTimeoutMs(0, session())).toBe(0);
    expect(sessionTimeoutMs(60_000, session())).toBe(60_000);
    expect(sessionTimeoutMs(60_000, session({ max_execution_time: '500' }))).toBe(500);
    expect(sessionTimeoutMs(60_000, session({ max_execution_time: '500' }), 2_000)).toBe(2_000);
    expect(sessionTimeoutMs(1_000, session(), 2_000)).toBe(1_000);
    expect(sessionTimeoutMs(0, session({ max_execution_time: '0' }), undefined)).toBe(0);
    expect(sessionTimeoutMs(0, session({ max_execution_time: '700' }))).toBe(700);
  });
});
