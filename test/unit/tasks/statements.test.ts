import { describe, expect, it } from 'vitest';
import { LakecastError } from '../../../src/shared/index.js';
import { errorCodeOf, errorText, TaskErrors } from '../../../src/tasks/index.js';

describe('task error messages', () => {
  it('errorText writes code and message; errorCodeOf reads the code back (LC_INTERNAL for anything else)', () => {
    const text = errorText(new LakecastError(TaskErrors.TASK_DISK_FULL, 'the results disk is full'));
    expect(text).toBe('LC_TASK_DISK_FULL: the results disk is full');
    expect(errorCodeOf(text)).toBe('LC_TASK_DISK_FULL');
    expect(errorText(new Error('secret path /etc/x'))).toBe('LC_INTERNAL: internal error');
    for (const m of [null, undefined, '', 'cancelled by root', 'lc_lower: x', 'LC_X without colon'])
      expect(errorCodeOf(m), String(m)).toBe('LC_INTERNAL');
    expect(errorCodeOf('LC_TIMEOUT: query exceeded the timeout of 1 s')).toBe('LC_TIMEOUT');
  });
});
