import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, run, startHarness } from './harness.js';

const lines: string[] = [];
let h: Harness;

beforeAll(async () => {
  const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  h = await startHarness({ logger });
});
afterAll(async () => h?.close());

describe('sql front - logs', () => {
  it('audits DDL and user statements with passwords masked; failures never log the password', async () => {
    const s = await h.session();
    await run(s, 'CREATE DATABASE audited');
    await run(s, "CREATE USER 'dave' IDENTIFIED BY 'd4ve-secret'");
    await run(s, "ALTER USER 'dave' IDENTIFIED BY 'n3w-d4ve'");
    await expect(run(s, "CREATE USER 'dave' IDENTIFIED BY 'dup-secret'")).rejects.toThrow();
    await expect(run(s, "CREATE USER 'x' IDENTIFIED BY 'syntax-secret' junk")).rejects.toThrow();
    const text = lines.join('\n');
    expect(text).toContain('CREATE DATABASE audited');
    expect(text).toContain("CREATE USER 'dave' IDENTIFIED BY '***'");
    for (const secret of ['d4ve-secret', 'n3w-d4ve', 'dup-secret', 'syntax-secret'])
      expect(text).not.toContain(secret);
  });
});
