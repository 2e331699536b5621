/** Formats a cell for display: NULL for null, JSON for objects, text otherwise. */
export function displayCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Renders rows as a MySQL-CLI-style box table. */
export function renderTable(columns: readonly string[], rows: readonly unknown[][]): string {
  const cells = rows.map((r) => r.map(displayCell));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const fmt = (vals: readonly string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const out = [line, fmt(columns), line, ...cells.map(fmt), line];
  return out.join('\n');
}
