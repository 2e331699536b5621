/**
 * Loads every capability's error catalog (importing a capability registers its errors) and renders
 * docs/errors.md. `npx tsx scripts/error-catalog.ts --write` regenerates the file; the unit test
 * `docs.errors.test.ts` fails when the file and the catalogs disagree.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allErrorSpecs, type ErrorSpec } from '../src/shared/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Imports every `src/**\/errors.ts` and returns all declared specs sorted by code. */
export async function loadErrorSpecs(): Promise<ErrorSpec[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'errors.ts' || entry.name === 'resolve.ts') files.push(full);
    }
  };
  walk(path.join(root, 'src'));
  for (const file of files) await import(pathToFileURL(file).href);
  return allErrorSpecs().sort((a, b) => a.code.localeCompare(b.code));
}

/** Renders the error reference. */
export function renderErrorsDoc(specs: readonly ErrorSpec[]): string {
  const lines = [
    '# Error codes',
    '',
    'Every error Lakecast reports carries a stable `code` (never reused), the MySQL errno and SQLSTATE that MySQL',
    'clients receive in the ERR packet, and the HTTP status of the HTTP API. Generated from the error catalogs',
    '(`src/<capability>/errors.ts`) by `npx tsx scripts/error-catalog.ts --write`; a unit test keeps the two in step.',
    '',
    '| code | errno | SQLSTATE | HTTP | retryable |',
    '|---|---|---|---|---|',
    ...specs.map(
      (s) =>
        `| \`${s.code}\` | ${s.errno} | ${s.sqlState} | ${s.httpStatus} | ${s.retryable ? 'yes' : 'no'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

if (process.argv.includes('--write')) {
  const specs = await loadErrorSpecs();
  writeFileSync(path.join(root, 'docs', 'errors.md'), renderErrorsDoc(specs));
  console.log(`docs/errors.md: ${specs.length} codes`);
}
