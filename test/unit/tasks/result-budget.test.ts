import { describe, expect, it } from 'vitest';
import { LakecastError } from '../../../src/shared/index.js';
import {
  asDiskFull,
  FREE_SPACE_CHECK_BYTES,
  ResultBudget,
  sizeText,
  withinBudget,
} from '../../../src/tasks/result-budget.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as LakecastError).code;
  }
  return null;
};

describe('result budget', () => {
  it('counts bytes, not characters, and fails only past maxBytes', () => {
    const b = new ResultBudget({ maxBytes: 10, minFreeBytes: 0 });
    b.add('héllo'); // 6 bytes
    b.add(new Uint8Array(4));
    expect(b.written).toBe(10);
    expect(codeOf(() => b.add('x'))).toBe('LC_TASK_RESULT_TOO_LARGE');
    const unlimited = new ResultBudget({ maxBytes: 0, minFreeBytes: 0 });
    unlimited.add('x'.repeat(1_000_000));
    expect(unlimited.written).toBe(1_000_000);
  });

  it('looks at free space before the first byte and then once per 16 MiB written, not per chunk', () => {
    let calls = 0;
    const b = new ResultBudget({ maxBytes: 0, minFreeBytes: 100 }, () => {
      calls++;
      return 1_000;
    });
    b.add('');
    expect(calls).toBe(1);
    const chunk = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 16; i++) b.add(chunk);
    expect(calls).toBe(2); // at 16 MiB
    for (let i = 0; i < 15; i++) b.add(chunk);
    expect(calls).toBe(2);
    b.add(chunk);
    expect(calls).toBe(3);
    expect(b.written).toBe(2 * FREE_SPACE_CHECK_BYTES);
  });

  it('fails with LC_TASK_DISK_FULL below the floor; unknown free space or no floor never fails', () => {
    let free = 5_000;
    const b = new ResultBudget({ maxBytes: 0, minFreeBytes: 4_000 }, () => free);
    b.add('');
    free = 3_999;
    b.add('x'.repeat(FREE_SPACE_CHECK_BYTES - 1)); // not yet looked at again
    const err = (() => {
      try {
        b.add('xx');
      } catch (e) {
        return e as LakecastError;
      }
      return null;
    })();
    expect(err?.code).toBe('LC_TASK_DISK_FULL');
    expect(err?.message).toMatch(/tasks\.minFreeDiskBytes/);
    expect(
      codeOf(() => new ResultBudget({ maxBytes: 0, minFreeBytes: 4_000 }, () => null).add('x')),
    ).toBeNull();
    expect(codeOf(() => new ResultBudget({ maxBytes: 0, minFreeBytes: 0 }, () => 0).add('x'))).toBeNull();
  });

  it('withinBudget passes every chunk through and stops at the limit', async () => {
    const source = (async function* () {
      yield 'abc';
      yield Buffer.from('def');
      yield 'ghi';
    })();
    const out: string[] = [];
    await expect(
      (async () => {
        for await (const c of withinBudget(source, new ResultBudget({ maxBytes: 7, minFreeBytes: 0 })))
          out.push(String(c));
      })(),
    ).rejects.toMatchObject({ code: 'LC_TASK_RESULT_TOO_LARGE' });
    expect(out).toEqual(['abc', 'def']);
    const whole: string[] = [];
    for await (const c of withinBudget('one string', new ResultBudget({ maxBytes: 0, minFreeBytes: 0 })))
      whole.push(String(c));
    expect(whole).toEqual(['one string']);
  });

  it('sizeText - bytes, MiB or GiB', () => {
    expect(sizeText(512)).toBe('512 bytes');
    expect(sizeText(16.5 * 1024 ** 2)).toBe('16.5 MiB');
    expect(sizeText(1024 ** 3)).toBe('1 GiB');
  });

  it('asDiskFull - ENOSPC and EDQUOT become LC_TASK_DISK_FULL, anything else stays as it is', () => {
    const limits = { maxBytes: 0, minFreeBytes: 0 };
    for (const code of ['ENOSPC', 'EDQUOT']) {
      const e = asDiskFull(Object.assign(new Error('write failed'), { code }), limits);
      expect(e).toBeInstanceOf(LakecastError);
      expect((e as LakecastError).code).toBe('LC_TASK_DISK_FULL');
    }
    const other = Object.assign(new Error('nope'), { code: 'EACCES' });
    expect(asDiskFull(other, limits)).toBe(other);
    expect(asDiskFull(null, limits)).toBeNull();
  });

  it("asDiskFull - an engine error carrying the system's text (DuckDB writing Parquet) is LC_TASK_DISK_FULL too", () => {
    const limits = { maxBytes: 0, minFreeBytes: 0 };
    const duck = new Error(
      'IO Error: Could not write file "/d/tmp/result-1.parquet": No space left on device',
    );
    expect((asDiskFull(duck, limits) as LakecastError).message).toMatch(/no space left on the device/);
    const quota = new Error('IO Error: Could not write file "x": Disk quota exceeded');
    expect((asDiskFull(quota, limits) as LakecastError).message).toMatch(/disk quota is used up/);
    const parse = new Error('Parser Error: syntax error at or near "space"');
    expect(asDiskFull(parse, limits)).toBe(parse);
  });

  it('reach - counts a file written by someone else by its size so far, with the same checks', () => {
    let free = 10 * FREE_SPACE_CHECK_BYTES;
    let asked = 0;
    const b = new ResultBudget(
      { maxBytes: 5 * FREE_SPACE_CHECK_BYTES, minFreeBytes: FREE_SPACE_CHECK_BYTES },
      () => {
        asked++;
        return free;
      },
    );
    b.reach(0);
    expect(asked).toBe(1); // before the first byte
    b.reach(1000);
    expect(asked).toBe(1); // free space again only after 16 MiB more
    b.reach(FREE_SPACE_CHECK_BYTES);
    expect(asked).toBe(2);
    expect(b.written).toBe(FREE_SPACE_CHECK_BYTES);
    free = FREE_SPACE_CHECK_BYTES - 1;
    expect(codeOf(() => b.reach(2 * FREE_SPACE_CHECK_BYTES))).toBe('LC_TASK_DISK_FULL');
    free = 10 * FREE_SPACE_CHECK_BYTES;
    expect(codeOf(() => b.reach(5 * FREE_SPACE_CHECK_BYTES + 1))).toBe('LC_TASK_RESULT_TOO_LARGE');
  });
});
