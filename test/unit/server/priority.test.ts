import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { raiseEventLoopPriority } from '../../../src/server/priority.js';
import type { Logger } from '../../../src/shared/index.js';

function recordingLogger() {
  const infos: { obj: unknown; msg: string }[] = [];
  const logger = {
    info: (obj: unknown, msg: string) => infos.push({ obj, msg }),
    debug: () => {},
  } as unknown as Logger;
  return { logger, infos };
}

describe('raiseEventLoopPriority', () => {
  const start = getPriority(0);
  afterEach(() => expect(getPriority(0)).toBe(start));

  it('raises the calling thread when allowed and puts it back; says why at info when not allowed', () => {
    const { logger, infos } = recordingLogger();
    const restore = raiseEventLoopPriority(start - 5, logger);
    if (process.getuid?.() === 0) {
      expect(getPriority(0)).toBe(start - 5);
      expect(infos).toEqual([]);
    } else {
      expect(getPriority(0)).toBe(start);
      expect(infos[0]?.msg).toContain('raising it needs root or CAP_SYS_NICE');
    }
    restore();
  });

  it('0, or a value not above the current priority, changes nothing', () => {
    const { logger, infos } = recordingLogger();
    raiseEventLoopPriority(0, logger)();
    raiseEventLoopPriority(start, logger)();
    raiseEventLoopPriority(start + 3, logger)();
    expect(getPriority(0)).toBe(start);
    expect(infos).toEqual([]);
  });
});
