import { LakecastError } from '../shared/index.js';
import type { ByteRange } from '../storage/types.js';
import { TaskErrors } from './errors.js';
import type { RangeRequest } from './types.js';

/**
 * `range` against a result file of `size` bytes: null (the whole file) when the size is unknown; the bytes
 * that exist when it reaches past the end (RFC 9110 §14.1.2); LC_TASK_RANGE_NOT_SATISFIABLE when it starts
 * past the end or asks for no bytes.
 */
export function resolveRange(
  range: RangeRequest,
  size: number | null,
  id: string,
): (ByteRange & { readonly size: number }) | null {
  if (size === null) return null;
  const start = 'suffix' in range ? Math.max(0, size - range.suffix) : range.start;
  const end = 'suffix' in range ? size - 1 : Math.min(range.end ?? size - 1, size - 1);
  if (start >= size || ('suffix' in range && range.suffix === 0)) {
    throw Object.assign(
      new LakecastError(
        TaskErrors.TASK_RANGE_NOT_SATISFIABLE,
        `the result of task ${id} has ${size} bytes: the range asked for is not within them`,
      ),
      { size },
    );
  }
  return { start, end, size };
}
