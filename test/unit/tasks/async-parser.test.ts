import { describe, expect, it } from 'vitest';
import type { LakecastError } from '../../../src/shared/index.js';
import { showOptions } from '../../../src/sql/async/extensions.js';
import {
  isKillTask,
  isShowQueryTask,
  parseKillTask,
  parseShowQueryTask,
} from '../../../src/sql/async/parser.js';
import { parseTaskTime, statusesAdmitted } from '../../../src/sql/async/where.js';
import { mayVisitMany, mergesByStatus } from '../../../src/tasks/store/index.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as LakecastError).code;
  }
  return 'no error';
}

describe('SHOW QUERY_TASK parser', () => {
  it('seed: show query_task where id = …', () => {
    expect(isShowQueryTask("show query_task where id = 'q201811021109sh8d1a0b750000182'")).toBe(true);
    expect(parseShowQueryTask("show query_task where id = 'q201811021109sh8d1a0b750000182'")).toEqual({
      kind: 'showQueryTask',
      full: false,
      forUser: null,
      where: {
        kind: 'compare',
        op: '=',
        left: { kind: 'column', name: 'id' },
        right: { kind: 'literal', value: 'q201811021109sh8d1a0b750000182' },
      },
      orderBy: [],
      limit: null,
      offset: 0,
    });
  });
  it('FULL, FOR, ORDER BY, LIMIT forms', () => {
    const s = parseShowQueryTask("SHOW FULL QUERY_TASK FOR 'bob' ORDER BY create_time DESC, id LIMIT 5, 10;");
    expect(s).toMatchObject({
      full: true,
      forUser: 'bob',
      where: null,
      orderBy: [
        { column: 'create_time', direction: 'desc' },
        { column: 'id', direction: 'asc' },
      ],
      limit: 10,
      offset: 5,
    });
    expect(parseShowQueryTask('show query_task limit 3 offset 2')).toMatchObject({ limit: 3, offset: 2 });
    expect(parseShowQueryTask('show query_task')).toMatchObject({ where: null, limit: null });
    expect(isShowQueryTask('show query_tasks')).toBe(false);
    expect(isShowQueryTask('select 1')).toBe(false);
  });
  it('conditions: precedence, NOT, IN, LIKE, BETWEEN, IS NULL, quotes', () => {
    const s = parseShowQueryTask(
      `show query_task where not status in ('SUCCESS', "FAILURE") and (row_count > -1 or message is not null) or command like '%x%' and elapse_time not between 1 and 2 and \`task_name\` != 'A'`,
    );
    expect(s.where?.kind).toBe('or');
    const w = s.where as Extract<typeof s.where, { kind: 'or' }>;
    expect(w.left.kind).toBe('and');
    expect(w.right.kind).toBe('and');
  });
  const bad = [
    "show query_task where id = 'a' or 1=1; drop table query_tasks",
    "show query_task where id = 'a' union select * from users",
    'show query_task where (select 1) = 1',
    'show query_task where lower(id) = 1',
    'show query_task where id',
    "show query_task where id = 'unterminated",
    'show query_task limit -1',
    'show query_task limit 1.5',
    'show query_task limit 99999999999',
    "show query_task where id = 'a' -- trailing ok? no: the comment is skipped, so this parses",
    'show query_task where id = 0x41',
    'show query_task where id = @@version',
    'show query_task where id = ?',
    'show query_task where id in ()',
    'show query_task order by',
  ];
  it('rejects malformed and injection-shaped statements with LC_QUERY_TASK_SYNTAX', () => {
    for (const sql of bad) {
      if (sql.includes('comment is skipped')) {
        expect(() => parseShowQueryTask(sql)).not.toThrow();
        continue;
      }
      expect(
        code(() => parseShowQueryTask(sql)),
        sql,
      ).toBe('LC_QUERY_TASK_SYNTAX');
    }
  });
  it('hostile nesting and size are bounded', () => {
    expect(
      code(() => parseShowQueryTask(`show query_task where ${'('.repeat(5000)}id=1${')'.repeat(5000)}`)),
    ).toBe('LC_QUERY_TASK_SYNTAX');
    expect(code(() => parseShowQueryTask(`show query_task where ${'not '.repeat(200)} id = 1`))).toBe(
      'LC_QUERY_TASK_SYNTAX',
    );
    expect(code(() => parseShowQueryTask(`show query_task where id in (${'1,'.repeat(10000)}1)`))).toBe(
      'LC_QUERY_TASK_SYNTAX',
    );
    expect(code(() => parseShowQueryTask(`show query_task where id = '${'x'.repeat(100_000)}'`))).toBe(
      'LC_QUERY_TASK_SYNTAX',
    );
  });
  it('time literals', () => {
    expect(parseTaskTime('2018-11-02 11:09:40.0')).toBe(Date.UTC(2018, 10, 2, 11, 9, 40));
    expect(parseTaskTime('2018-11-02')).toBe(Date.UTC(2018, 10, 2));
    expect(parseTaskTime('2018-11-02T11:09:40.123Z')).toBe(Date.UTC(2018, 10, 2, 11, 9, 40, 123));
    expect(code(() => parseTaskTime('yesterday'))).toBe('LC_QUERY_TASK_SYNTAX');
  });
});

describe('SHOW QUERY_TASK - statuses a condition admits (index choice for unfinished tasks)', () => {
  const admitted = (where: string) =>
    statusesAdmitted(parseShowQueryTask(`show query_task where ${where}`).where!);
  it('top-level status bounds: =, IN, OR of =, inside AND; upper-cased', () => {
    expect(admitted("status = 'running'")).toEqual(['RUNNING']);
    expect(admitted("'QUEUED' = status")).toEqual(['QUEUED']);
    expect(admitted("status in ('QUEUED', 'RUNNING')")).toEqual(['QUEUED', 'RUNNING']);
    expect(admitted("status = 'RUNNING' or status = 'QUEUED'")).toEqual(['RUNNING', 'QUEUED']);
    expect(
      admitted("creator_id = 'a' and (status = 'RUNNING' or STATUS = 'QUEUED') and row_count > 1"),
    ).toEqual(['RUNNING', 'QUEUED']);
  });
  it('anything else admits any status: null', () => {
    expect(admitted("status <> 'SUCCESS'")).toBeNull();
    expect(admitted("status not in ('SUCCESS')")).toBeNull();
    expect(admitted("status = 'RUNNING' or creator_id = 'a'")).toBeNull();
    expect(admitted("not status = 'RUNNING'")).toBeNull();
    expect(admitted("status like 'RUN%'")).toBeNull();
    expect(admitted("id = 'x'")).toBeNull();
  });
  it("showOptions marks a user's poll of unfinished tasks, and only that", () => {
    const alice = { user: { name: 'alice', admin: false } } as Parameters<typeof showOptions>[0];
    const opts = (sql: string) => showOptions(alice, sql, 'sqlite');
    expect(opts("show query_task where status in ('QUEUED','RUNNING')").unfinishedOnly).toBe(true);
    expect(opts("show query_task where status = 'RUNNING' or status = 'QUEUED'").unfinishedOnly).toBe(true);
    expect(opts("show query_task where status in ('RUNNING','SUCCESS')").unfinishedOnly).toBe(false);
    expect(opts("show query_task where status = 'SUCCESS'").unfinishedOnly).toBe(false);
    expect(opts('show query_task').unfinishedOnly).toBe(false);
    expect(opts('show query_task where status in (null)').unfinishedOnly).toBe(false); // admits nothing
    expect(opts('show query_task where status = 5').unfinishedOnly).toBe(false);
  });
  it('showOptions: reads that may visit every task go off the event loop; id-pinned and unfinished ones do not', () => {
    const alice = { user: { name: 'alice', admin: false } } as Parameters<typeof showOptions>[0];
    const root = { user: { name: 'root', admin: true } } as Parameters<typeof showOptions>[0];
    const many = (sql: string, who = alice) => mayVisitMany(showOptions(who, sql, 'sqlite'));
    expect(many("show query_task where id = 'q1'")).toBe(false);
    expect(many("show query_task where 'q1' = id and message like '%x%'")).toBe(false);
    expect(many("show query_task where id in ('q1', 'q2')")).toBe(false);
    expect(many("show query_task where status = 'RUNNING'")).toBe(false);
    expect(many('show query_task limit 10')).toBe(false); // the creator index, page by page
    expect(many("show query_task where id <> 'q1'")).toBe(true);
    expect(many("show query_task where id not in ('q1')")).toBe(true);
    expect(many("show query_task where id = 'q1' or message like '%x%'")).toBe(true);
    expect(many("show query_task where message like '%x%'")).toBe(true);
    expect(many('show query_task order by update_time')).toBe(true);
    // Everyone's tasks: five reads a page, a status at a time.
    expect(many('show full query_task limit 10', root)).toBe(true);
    expect(many('show full query_task limit 5, 10', root)).toBe(true);
    expect(many("show full query_task for 'bob'", root)).toBe(false); // the creator index
    expect(many("show full query_task where message like '%x%' limit 10", root)).toBe(true);
    expect(many("show full query_task where id = 'q1'", root)).toBe(false);
  });

  it("showOptions: everyone's tasks are read a status at a time, only the statuses the condition admits", () => {
    const root = { user: { name: 'root', admin: true } } as Parameters<typeof showOptions>[0];
    const opts = (sql: string) => showOptions(root, sql, 'sqlite');
    expect(mergesByStatus(opts('show full query_task limit 10'))).toBe(true);
    expect(mergesByStatus(opts("show full query_task where message like '%x%'"))).toBe(true);
    expect(mergesByStatus(opts('show full query_task limit 5, 10'))).toBe(true); // each status's first 15
    expect(mergesByStatus(opts('show full query_task limit 100000, 10'))).toBe(true);
    expect(mergesByStatus(opts('show full query_task limit 100001, 10'))).toBe(false); // one sorted read costs less
    expect(mergesByStatus(opts('show full query_task order by update_time'))).toBe(false);
    expect(mergesByStatus(opts('show query_task'))).toBe(false); // a user's own: the creator index
    expect(opts('show full query_task').statuses).toBeUndefined();
    expect(opts("show full query_task where status = 'success'").statuses).toEqual(['SUCCESS']);
    expect(opts("show full query_task where status in ('FAILURE', 'QUEUED', 'nope')").statuses).toEqual([
      'QUEUED',
      'FAILURE',
    ]);
    expect(opts("show full query_task where status = 'nope'").statuses).toEqual([]);
  });
});

describe('KILL task parser', () => {
  it('KILL QUERY \'id\' and "id"', () => {
    expect(isKillTask("kill query 'q1'")).toBe(true);
    expect(isKillTask('KILL "q1"')).toBe(true);
    expect(isKillTask('kill query 12')).toBe(false);
    expect(isKillTask('kill 12')).toBe(false);
    expect(parseKillTask("KILL QUERY 'q201811021109sh8d1a0b750000182';")).toEqual({
      kind: 'killTask',
      taskId: 'q201811021109sh8d1a0b750000182',
    });
    expect(parseKillTask('kill query "abc"').taskId).toBe('abc');
    expect(code(() => parseKillTask("kill query 'a' 'b'"))).toBe('LC_QUERY_TASK_SYNTAX');
  });
});
