import {
  type Dialect,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { queryTemplate } from '../../../src/tasks/store/templates.js';

interface DB {
  t: { id: string; n: number; s: string };
}
const dialect: Dialect = {
  createAdapter: () => new PostgresAdapter(),
  createDriver: () => new DummyDriver(),
  createIntrospector: (db) => new PostgresIntrospector(db),
  createQueryCompiler: () => new PostgresQueryCompiler(),
};
const db = new Kysely<DB>({ dialect });

describe('query templates - compile once, bind new values each time', () => {
  it('slots become the arguments; other parameters stay as compiled', () => {
    const q = queryTemplate(2, (s) =>
      db
        .updateTable('t')
        .set({ n: s(0) as unknown as number, s: 'fixed' })
        .where('id', '=', s(1)),
    );
    const a = q([5, 'x']);
    const b = q([6, 'y']);
    expect(a.sql).toBe('update "t" set "n" = $1, "s" = $2 where "id" = $3');
    expect(a.parameters).toEqual([5, 'fixed', 'x']);
    expect(b.parameters).toEqual([6, 'fixed', 'y']);
    expect(b.sql).toBe(a.sql);
  });

  it('a slot that does not reach the parameters, or a wrong argument count, is refused', () => {
    expect(() => queryTemplate(2, (s) => db.selectFrom('t').selectAll().where('id', '=', s(0)))).toThrow(
      /expected slots/,
    );
    const q = queryTemplate(1, (s) => db.selectFrom('t').selectAll().where('id', '=', s(0)));
    expect(() => q([])).toThrow(/1 arguments expected/);
  });
});
