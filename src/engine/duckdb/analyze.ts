/*
 * Walks the AST DuckDB's own parser produces (`json_serialize_sql`) to find what a statement touches.
 * The walk is generic: every object in the tree is visited, so nodes in places not listed here (window
 * specs, lambdas, PIVOT, QUALIFY, sample clauses …) are still seen. Only CTE scoping needs structure.
 */

/** What the walker found in one statement's AST. */
export interface AstFindings {
  tables: { schema: string | null; name: string }[];
  tableFunctions: string[];
  functions: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(x: Json | undefined): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: Json | undefined): string {
  return typeof x === 'string' ? x : '';
}

/** CTE names declared by a node's `cte_map` (in declaration order) with their bodies. */
function ctesOf(node: JsonObject): { name: string; body: Json }[] {
  const map = node.cte_map;
  if (!isObject(map) || !Array.isArray(map.map)) return [];
  const out: { name: string; body: Json }[] = [];
  for (const entry of map.map) {
    if (!isObject(entry)) continue;
    out.push({ name: str(entry.key).toLowerCase(), body: entry.value ?? null });
  }
  return out;
}

/**
 * Collects tables (BASE_TABLE refs that are not CTE references in scope), table functions and functions
 * from a serialized statement list. A CTE is in scope for the rest of its query and for itself and later
 * CTEs of the same WITH (recursive CTEs reference themselves); an earlier CTE cannot see a later one, so
 * a name it uses is reported as a table.
 */
export function walkStatements(statements: Json[]): AstFindings {
  const tables = new Map<string, { schema: string | null; name: string }>();
  const tableFunctions = new Set<string>();
  const functions = new Set<string>();

  const visit = (x: Json, scope: ReadonlySet<string>): void => {
    if (Array.isArray(x)) {
      for (const item of x) visit(item, scope);
      return;
    }
    if (!isObject(x)) return;

    let inner = scope;
    const ctes = ctesOf(x);
    if (ctes.length > 0) {
      const names = new Set(scope);
      for (const cte of ctes) {
        names.add(cte.name);
        visit(cte.body, new Set(names));
      }
      inner = names;
    }

    if (x.type === 'BASE_TABLE') {
      const name = str(x.table_name);
      const schema = str(x.schema_name) || null;
      const catalog = str(x.catalog_name) || null;
      const isCte = schema === null && catalog === null && inner.has(name.toLowerCase());
      if (!isCte) {
        // A catalog-qualified name (db.schema.t) keeps the catalog in `schema` so the sandbox sees it.
        const fullSchema = catalog ? (schema ? `${catalog}.${schema}` : catalog) : schema;
        tables.set(`${fullSchema ?? ''}\u0000${name}`, { schema: fullSchema, name });
      }
    } else if (x.type === 'TABLE_FUNCTION' && isObject(x.function)) {
      const fn = x.function;
      tableFunctions.add(qualifiedFunctionName(fn));
      // Its arguments may hold subqueries and scalar functions: walk them, not the function node itself.
      visit(fn.children ?? null, inner);
      for (const [key, value] of Object.entries(x)) {
        if (key !== 'function') visit(value, inner);
      }
      return;
    } else if (x.type === 'SHOW_REF') {
      // DESCRIBE / SUMMARIZE / SHOW …: engine metadata commands parsed as SELECTs. Reported as table
      // functions (`describe`, `summarize`, `show`) so an allow-list refuses them unless it names them.
      const kind = str(x.show_type).toUpperCase();
      tableFunctions.add(
        kind.includes('SUMMARY') ? 'summarize' : kind.includes('DESCRIBE') ? 'describe' : 'show',
      );
    } else if (x.class === 'FUNCTION' || x.class === 'AGGREGATE' || x.class === 'WINDOW') {
      const name = str(x.function_name);
      if (name) functions.add(qualifiedFunctionName(x));
    }

    for (const [key, value] of Object.entries(x)) {
      if (key === 'cte_map') continue;
      visit(value, inner);
    }
  };

  visit(statements, new Set());
  return { tables: [...tables.values()], tableFunctions: [...tableFunctions], functions: [...functions] };
}

/**
 * `name`, or `schema.name` / `catalog.schema.name` when qualified. DuckDB's parser itself qualifies some
 * built-ins it generates (`[1, 2]` → `main.list_value`); `main.` and `system.main.` are dropped, since every
 * built-in lives there, so an allow-list matches them by plain name.
 */
function qualifiedFunctionName(fn: JsonObject): string {
  const name = str(fn.function_name).toLowerCase();
  let schema = str(fn.schema).toLowerCase();
  let catalog = str(fn.catalog).toLowerCase();
  if (schema === 'main' && (catalog === '' || catalog === 'system')) {
    schema = '';
    catalog = '';
  }
  return [catalog, schema, name].filter(Boolean).join('.');
}
