/**
 * Limits on what a result file may take, so one runaway query (a cross join written out as CSV) cannot fill the
 * disk that the catalog, the hub and every other task's results live on: a cap on one result's bytes
 * (`tasks.maxResultBytes`) and, for results on a local disk, a floor of free space that writing never goes
 * below (`tasks.minFreeDiskBytes`). A task that reaches either ends as FAILURE with a stable code, its partial
 * file is removed, and the server goes on.
 */
import { statfsSync } from 'node:fs';
import { LakecastError } from '../shared/index.js';
import type { ObjectBody } from '../storage/index.js';
import { TaskErrors } from './errors.js';

/** Default of `tasks.minFreeDiskBytes`: 1 GiB. */
export const DEFAULT_MIN_FREE_DISK_BYTES = 1024 ** 3;
/** Free space is looked at before the first byte and again after every this many bytes written. */
export const FREE_SPACE_CHECK_BYTES = 16 * 1024 * 1024;

/** A job's limits (plain data: it crosses to the executor thread). 0 = no limit. */
export interface ResultLimits {
  /** Most bytes one result file may have. */
  readonly maxBytes: number;
  /** Free bytes the result's file system must keep (local result stores only). */
  readonly minFreeBytes: number;
}

/** The limits of `tasks.maxResultBytes` (default none) and `tasks.minFreeDiskBytes` (default 1 GiB). */
export function resultLimitsOf(cfg: { maxResultBytes?: number; minFreeDiskBytes?: number }): ResultLimits {
  return {
    maxBytes: Math.max(0, cfg.maxResultBytes ?? 0),
    minFreeBytes: Math.max(0, cfg.minFreeDiskBytes ?? DEFAULT_MIN_FREE_DISK_BYTES),
  };
}

/** `n` bytes for a message: `512 bytes`, `16.5 MiB`, `1.2 GiB`. */
export function sizeText(n: number): string {
  if (n < 1024 ** 2) return `${n} bytes`;
  if (n < 1024 ** 3) return `${Math.round((n / 1024 ** 2) * 10) / 10} MiB`;
  return `${Math.round((n / 1024 ** 3) * 10) / 10} GiB`;
}

/**
 * Counts the bytes of one result as they are written and throws LC_TASK_RESULT_TOO_LARGE or LC_TASK_DISK_FULL
 * when a limit is reached. `freeBytes` tells the free space where the result is written (null or absent: not
 * known, as on S3).
 */
export class ResultBudget {
  #written = 0;
  #nextCheck = 0;

  constructor(
    private readonly limits: ResultLimits,
    private readonly freeBytes?: () => number | null,
  ) {}

  /** Bytes counted so far. */
  get written(): number {
    return this.#written;
  }

  /** Counts `chunk`; throws when it takes the result over a limit. */
  add(chunk: string | Uint8Array): void {
    this.#written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    this.#check();
  }

  /** Counts a file someone else writes (DuckDB's Parquet file) as `total` bytes so far; throws as {@link add}. */
  reach(total: number): void {
    this.#written = total;
    this.#check();
  }

  #check(): void {
    const { maxBytes, minFreeBytes } = this.limits;
    if (maxBytes > 0 && this.#written > maxBytes) {
      throw new LakecastError(
        TaskErrors.TASK_RESULT_TOO_LARGE,
        `the result is larger than the ${sizeText(maxBytes)} a result may have (tasks.maxResultBytes); nothing was kept`,
      );
    }
    if (minFreeBytes > 0 && this.freeBytes && this.#written >= this.#nextCheck) {
      this.#nextCheck = this.#written + FREE_SPACE_CHECK_BYTES;
      const free = this.freeBytes();
      if (free !== null && free < minFreeBytes) throw diskFull(`${sizeText(free)} free`, minFreeBytes);
    }
  }
}

function diskFull(what: string, minFreeBytes: number): LakecastError {
  const floor = minFreeBytes > 0 ? `; tasks.minFreeDiskBytes keeps ${sizeText(minFreeBytes)} free` : '';
  return new LakecastError(
    TaskErrors.TASK_DISK_FULL,
    `the results disk is full (${what}${floor}): the result was not kept`,
  );
}

/** `source` passed through `budget` chunk by chunk (the budget is checked once before the first chunk too). */
export async function* withinBudget(
  source: ObjectBody,
  budget: ResultBudget,
): AsyncGenerator<string | Uint8Array> {
  budget.add('');
  if (typeof source === 'string' || source instanceof Uint8Array) {
    budget.add(source);
    yield source;
    return;
  }
  for await (const chunk of source) {
    budget.add(chunk);
    yield chunk;
  }
}

/** Free bytes of the file system `dir` is on (for an unprivileged user), or null when it cannot be read. */
export function freeBytesAt(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** The errno a failed write reports: Node's `code`, or the C library's text inside an engine's message. */
function fullDiskCode(err: unknown): 'ENOSPC' | 'EDQUOT' | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return code;
  const message = err instanceof Error ? err.message : '';
  if (/No space left on device/i.test(message)) return 'ENOSPC';
  if (/Disk quota exceeded/i.test(message)) return 'EDQUOT';
  return null;
}

/**
 * LC_TASK_DISK_FULL for a write that failed because the disk (or the user's quota) is full — a Node error, or an
 * engine error whose message carries the system's text (DuckDB writing a Parquet file); else `err`.
 */
export function asDiskFull(err: unknown, limits: ResultLimits): unknown {
  const code = fullDiskCode(err);
  if (!code) return err;
  return diskFull(
    code === 'EDQUOT' ? 'the disk quota is used up' : 'no space left on the device',
    limits.minFreeBytes,
  );
}
