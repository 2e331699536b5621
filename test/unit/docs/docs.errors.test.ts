import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadErrorSpecs, renderErrorsDoc } from '../../../scripts/error-catalog.js';

describe('docs - error catalog', () => {
  it('docs/errors.md lists exactly the declared error codes (regenerate with scripts/error-catalog.ts --write)', async () => {
    const specs = await loadErrorSpecs();
    expect(specs.length).toBeGreaterThan(10);
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderErrorsDoc(specs));
  });

  it('codes are unique, upper snake case with the LC_ prefix, and SQLSTATEs have five characters', async () => {
    const specs = await loadErrorSpecs();
    for (const s of specs) {
      expect(s.code).toMatch(/^LC_[A-Z0-9_]+$/);
      expect(s.sqlState).toMatch(/^[0-9A-Z]{5}$/);
      expect(s.httpStatus).toBeGreaterThanOrEqual(400);
    }
    expect(new Set(specs.map((s) => s.code)).size).toBe(specs.length);
  });
});
