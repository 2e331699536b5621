/**
 * MySQL LIKE matching for SHOW … LIKE: `%` any run, `_` one character, `\` escapes; case-insensitive (the
 * variable and object names it filters are case-insensitive). Linear-time, no regular expression built
 * from user input.
 */
export function likeMatch(value: string, pattern: string): boolean {
  const v = [...value.toLowerCase()];
  const p: { ch: string; wild: '%' | '_' | null }[] = [];
  const chars = [...pattern.toLowerCase()];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\' && i + 1 < chars.length) p.push({ ch: chars[++i], wild: null });
    else if (c === '%' || c === '_') p.push({ ch: c, wild: c });
    else p.push({ ch: c, wild: null });
  }
  // Classic greedy matcher with one backtrack point per '%'.
  let vi = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    const t = p[pi];
    if (t && (t.wild === '_' || (t.wild === null && t.ch === v[vi]))) {
      vi++;
      pi++;
    } else if (t && t.wild === '%') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi]?.wild === '%') pi++;
  return pi === p.length;
}
