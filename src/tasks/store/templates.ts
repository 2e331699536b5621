import type { Compilable, CompiledQuery } from 'kysely';

/** A value that stands for the `i`-th argument of a template while it is built (see {@link queryTemplate}). */
export function slot(i: number): string {
  return `\u0000lakecast-slot-${i}\u0000`;
}

const SLOT = /^\u0000lakecast-slot-(\d+)\u0000$/;

/**
 * A query built and compiled by Kysely once, run many times with other values: compiling a 40-column insert
 * costs more than SQLite takes to run it (tens of µs of visitor work per statement on the task path).
 *
 * `build` receives {@link slot} markers and returns the query; every marker must reach the compiled query as a
 * parameter of its own (values in `set`, `values` and comparisons do; never use one as an identifier or inside
 * `sql.raw`). The template answers a CompiledQuery with the markers replaced by `args[i]`, other parameters
 * kept as compiled.
 */
export function queryTemplate(
  arity: number,
  build: (s: typeof slot) => Compilable,
): (args: readonly unknown[]) => CompiledQuery {
  const compiled = build(slot).compile();
  const positions = compiled.parameters.map((p) => {
    const m = typeof p === 'string' ? SLOT.exec(p) : null;
    return m ? Number(m[1]) : -1;
  });
  const seen = new Set(positions.filter((p) => p >= 0));
  if (seen.size !== arity || [...seen].some((p) => p >= arity)) {
    throw new Error(`query template: expected slots 0..${arity - 1} as parameters, got ${[...seen].sort()}`);
  }
  return (args) => {
    if (args.length !== arity) throw new Error(`query template: ${arity} arguments expected`);
    const parameters = compiled.parameters.map((p, i) => (positions[i]! >= 0 ? args[positions[i]!] : p));
    return { query: compiled.query, sql: compiled.sql, parameters, queryId: compiled.queryId };
  };
}
