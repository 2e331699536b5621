/**
 * The waiting tasks of one server: a {@link FairQueue} of {@link QueueEntry}s that does not keep long statement
 * texts in memory. A user may have `tasks.maxQueuedPerUser` tasks waiting (10,000 by default) of up to 1 MiB of
 * text each (MAX_TASK_SQL_BYTES): holding every text would let one user pin gigabytes of the server's heap. The
 * text is in the catalog already (the `command` column, durable before the task id was answered), so an entry
 * keeps it only when it is short; a longer one is read back when the task starts ({@link statementOf}).
 */
import { parseHints } from '../sql/hints.js';
import { FairQueue } from './fair-queue.js';
import type { QueueEntry } from './recovery.js';
import type { TaskStore } from './store/index.js';

/** Statement text of at most this many characters stays in memory while its task waits. */
export const QUEUED_TEXT_IN_MEMORY_MAX = 8 * 1024;

/** A fair queue of waiting tasks that counts, and bounds, the statement text it holds. */
export class TaskQueue extends FairQueue<QueueEntry> {
  #textChars = 0;

  /** Characters of statement text held by the waiting entries (at most {@link QUEUED_TEXT_IN_MEMORY_MAX} each). */
  get textChars(): number {
    return this.#textChars;
  }

  /** Queues `entry`, without its text when that is longer than {@link QUEUED_TEXT_IN_MEMORY_MAX}. */
  override push(key: string, entry: QueueEntry): void {
    const kept =
      entry.body !== null && entry.body.length > QUEUED_TEXT_IN_MEMORY_MAX ? { ...entry, body: null } : entry;
    super.push(key, kept);
    this.#textChars += kept.body?.length ?? 0;
  }

  override shift(eligible?: (key: string) => boolean): QueueEntry | undefined {
    const entry = super.shift(eligible);
    if (entry) this.#textChars -= entry.body?.length ?? 0;
    return entry;
  }

  override remove(pred: (entry: QueueEntry) => boolean): QueueEntry | undefined {
    const entry = super.remove(pred);
    if (entry) this.#textChars -= entry.body?.length ?? 0;
    return entry;
  }
}

/**
 * The statement (hints removed) of a task whose entry left it in the catalog. Null when the task's row is gone
 * (it cannot run).
 */
export async function statementOf(store: TaskStore, id: string): Promise<string | null> {
  const task = await store.get(id);
  return task ? parseHints(task.command).body : null;
}
